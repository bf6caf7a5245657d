"""Each bank answer maps to one action; messages are readable and carry the API's own words."""

import pytest
import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.exceptions import DefaultBackoffException
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ResponseAction

from source_bank_receipts.api import token_refresh_error
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


def _token_endpoint_error(status: int, body: str):
    response = requests.Response()
    response.status_code, response._content = status, body.encode()
    response.request = requests.Request("POST", "https://oauth.example/oauth2/token").prepare()
    if status == 429 or status >= 500:  # what the CDK's refresh raises once its own back-off gives up
        return DefaultBackoffException(request=response.request, response=response, failure_type=FailureType.transient_error)
    return requests.HTTPError(response=response)


@pytest.mark.parametrize(
    "status, body, failure, words, not_words",
    [
        pytest.param(400, '{"error":"invalid_scope"}', FailureType.config_error, "Re-authorize", None, id="400-refused-reauthorize"),
        pytest.param(503, "{}", FailureType.transient_error, "HTTP 503", "Re-authorize", id="503-outage-not-reauthorize"),
        pytest.param(429, "{}", FailureType.transient_error, "HTTP 429", "Re-authorize", id="429-throttled-not-reauthorize"),
    ],
)
def test_given_token_endpoint_answer_when_refresh_fails_then_failure_type_matches_cause(status, body, failure, words, not_words):
    error = token_refresh_error(_token_endpoint_error(status, body))

    assert error.failure_type == failure
    assert words in error.message
    assert not_words is None or not_words not in error.message
