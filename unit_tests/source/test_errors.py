"""Each bank answer maps to one action; messages are readable and carry the API's own words."""

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from source_bank_receipts.errors import api_error_text, classify, retry_after_seconds

JSON = "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "status, content_type, body, action, failure, words",
    [
        pytest.param(200, JSON, '{"a":1}', ResponseAction.SUCCESS, None, None, id="ok"),
        pytest.param(200, "text/html", "<html>login</html>", ResponseAction.FAIL, FailureType.config_error, "staging token", id="sandbox-html"),
        pytest.param(401, JSON, '{"errors":[{"code":"unauthorized","detail":"Invalid credentials"}]}', ResponseAction.FAIL, FailureType.config_error, "credentials.secret_key", id="401-never-retried"),
        pytest.param(403, JSON, '{"errors":[{"code":"forbidden","detail":"missing required oauth scope"}]}', ResponseAction.FAIL, FailureType.config_error, "missing required oauth scope", id="403-scope"),
        pytest.param(404, "text/plain", " ", ResponseAction.IGNORE, None, "empty answer", id="404-text-plain-space"),
        pytest.param(429, JSON, "{}", ResponseAction.RETRY, FailureType.transient_error, None, id="429"),
        pytest.param(503, JSON, "{}", ResponseAction.RETRY, FailureType.transient_error, None, id="503"),
        pytest.param(400, JSON, '{"errors":[{"code":"date_invalid","message":"updated_at_from isn\'t well formatted (ISO 8601)"}]}', ResponseAction.FAIL, FailureType.system_error, "well formatted", id="400-message"),
        pytest.param(422, JSON, '{"errors":[{"code":"missing","detail":"bank_account_id or iban is missing"}]}', ResponseAction.FAIL, FailureType.system_error, "bank_account_id or iban is missing", id="422-detail"),
    ],
)
def test_given_answer_when_classified_then_action_and_message(status, content_type, body, action, failure, words):
    resolution = classify(status, content_type, body, auth_type="api_key", sandbox=status == 200)
    assert resolution.response_action == action
    assert resolution.failure_type == failure
    if words:
        assert words in resolution.error_message


def test_given_oauth_401_when_classified_then_message_names_the_oauth_credentials():
    message = classify(401, JSON, "{}", auth_type="oauth2.0", sandbox=False).error_message
    assert "credentials.refresh_token" in message and "organization_slug" not in message


def test_given_production_html_when_classified_then_points_at_api_url_and_environment():
    message = classify(200, "text/html", "<html/>", auth_type="api_key", sandbox=False).error_message
    assert "api_url" in message and "environment" in message


@pytest.mark.parametrize(
    "body, text",
    [
        ('{"errors":[{"detail":"Transaction not found","source":{"parameter":"id"}}]}', "Transaction not found (parameter id)"),
        ('{"errors":[{"code":"x","detail":"a"},{"code":"y","message":"b"}]}', "a; b"),
        ('{"error":"invalid_grant"}', "invalid_grant"),
        ("plain text", "plain text"),
    ],
)
def test_given_error_body_when_read_then_human_text(body, text):
    assert api_error_text(body) == text


@pytest.mark.parametrize(
    "header, seconds",
    [("3", 3.0), ("0", 0.0), ("1.5", 1.5), ("100000", 120.0), ("soon", None), (None, None),
     ("Wed, 21 Oct 2015 07:28:05 GMT", 5.0)],
)
def test_given_retry_after_when_parsed_then_seconds_capped(header, seconds):
    now = 1445412480.0  # 2015-10-21T07:28:00Z
    assert retry_after_seconds(header, now=now) == seconds
