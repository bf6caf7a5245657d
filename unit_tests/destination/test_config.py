import json

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_gdrive_receipts.config import (
    GOOGLE_ROOT_URL, GOOGLE_TOKEN_URI, OAuthCredentials, ServiceAccountCredentials, parse_config,
)

OAUTH = {"auth_type": "oauth2.0", "client_id": "cid", "client_secret": "csecret-123456", "refresh_token": "rtok-123456"}
SA_INFO = {"type": "service_account", "client_email": "sa@p.iam.gserviceaccount.com",
           "private_key": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
           "token_uri": "https://oauth2.googleapis.com/token"}


def test_given_minimal_oauth_config_when_parsed_then_documented_defaults_apply():
    config = parse_config({"credentials": OAUTH})
    assert isinstance(config.credentials, OAuthCredentials)
    assert (config.root_folder_name, config.period, config.timezone) == ("Qonto", "month", "Europe/Paris")
    assert config.drive_api_url == GOOGLE_ROOT_URL and config.token_uri == GOOGLE_TOKEN_URI
    assert config.share_with == () and config.writes_per_second == 3


def test_given_emulator_url_without_trailing_slash_when_parsed_then_token_refresh_goes_below_it():
    config = parse_config({"credentials": OAUTH, "drive_api_url": "http://127.0.0.1:9000"})
    assert config.drive_api_url == "http://127.0.0.1:9000/"
    assert config.token_uri == "http://127.0.0.1:9000/token"


def test_given_service_account_key_as_text_when_parsed_then_key_is_read():
    config = parse_config({"credentials": {"auth_type": "service_account", "service_account_info": json.dumps(SA_INFO)}})
    assert isinstance(config.credentials, ServiceAccountCredentials)
    assert config.credentials.info["client_email"] == SA_INFO["client_email"]


def test_given_same_person_twice_when_parsed_then_one_share_remains():
    config = parse_config({"credentials": OAUTH, "share_with": [
        {"email": "Acc@Example.com", "role": "reader"}, {"email": "acc@example.com", "role": "commenter"}]})
    assert [(s.email, s.role) for s in config.share_with] == [("acc@example.com", "commenter")]


@pytest.mark.parametrize("overrides, expected", [
    pytest.param({"credentials": None}, "credentials", id="no-credentials"),
    pytest.param({"credentials": {"auth_type": "password"}}, "auth_type", id="unknown-auth-type"),
    pytest.param({"credentials": {**OAUTH, "refresh_token": " "}}, "refresh_token", id="blank-refresh-token"),
    pytest.param({"credentials": {"auth_type": "service_account", "service_account_info": "{not json"}},
                 "not valid JSON", id="service-account-not-json"),
    pytest.param({"credentials": {"auth_type": "service_account", "service_account_info": json.dumps({"type": "user"})}},
                 "not a service account key", id="service-account-wrong-type"),
    pytest.param({"timezone": "Mars/Olympus"}, "IANA time zone", id="bad-timezone"),
    pytest.param({"period": "week"}, "period must be one of", id="bad-period"),
    pytest.param({"file_name_template": "{date} {iban}"}, "file_name_template", id="unknown-template-variable"),
    pytest.param({"share_with": [{"email": "not-an-email"}]}, "not an e-mail", id="bad-email"),
    pytest.param({"share_with": [{"email": "a@b.co", "role": "owner"}]}, "role for a@b.co", id="bad-role"),
    pytest.param({"drive_api_url": "http://drive.example.com/"}, "non-loopback", id="http-to-remote-host"),
    pytest.param({"drive_api_url": "ftp://127.0.0.1/"}, "http(s) URL", id="not-http"),
    pytest.param({"root_folder_name": "  "}, "root_folder_name", id="blank-root-folder"),
    pytest.param({"writes_per_second": 1000}, "writes_per_second", id="too-many-writes"),
])
def test_given_bad_setting_when_parsed_then_config_error_names_it(overrides, expected):
    with pytest.raises(AirbyteTracedException) as caught:
        parse_config({"credentials": OAUTH, **overrides})
    assert caught.value.failure_type == FailureType.config_error
    assert expected in caught.value.message


def test_given_bad_oauth_config_when_parsed_then_no_secret_is_quoted():
    with pytest.raises(AirbyteTracedException) as caught:
        parse_config({"credentials": {**OAUTH, "client_id": ""}, "timezone": "Nowhere"})
    assert "csecret-123456" not in caught.value.message and "rtok-123456" not in caught.value.message


@pytest.mark.parametrize("url", ["http://localhost:8080/", "http://127.0.0.1:1/", "http://[::1]:9/", "https://proxy.example/"])
def test_given_loopback_or_https_url_when_parsed_then_accepted(url):
    assert parse_config({"credentials": OAUTH, "drive_api_url": url}).drive_api_url == url
