"""Config validation: every bad configuration gets an actionable config error."""

from datetime import date, datetime, timezone

import pytest
from airbyte_cdk.models import FailureType

from connector_runtime.transport import is_loopback
from source_bank_receipts.config import ConfigError, check_transport, parse_settings

API_KEY = {"auth_type": "api_key", "organization_slug": "acme-1", "secret_key": "s3cr3t-value"}
OAUTH = {"auth_type": "oauth2.0", "client_id": "cid", "client_secret": "csecret", "refresh_token": "rt-1"}


def config(**overrides):
    base = {"credentials": dict(API_KEY), "start_date": "2024-01-01"}
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


BAD_CONFIGS = [
    pytest.param(config(start_date=None), "start_date is required", id="missing-start-date"),
    pytest.param(config(start_date="01/02/2024"), "YYYY-MM-DD", id="start-date-wrong-format"),
    pytest.param(config(start_date="2024-02-30"), "YYYY-MM-DD", id="start-date-not-a-day"),
    pytest.param(config(start_date="20240101"), "YYYY-MM-DD", id="start-date-compact"),
    pytest.param(config(environment="sandbox"), "staging_token is required", id="sandbox-without-staging-token"),
    pytest.param(config(environment="sandbox", staging_token="  "), "staging_token is required", id="sandbox-blank-staging-token"),
    pytest.param(config(environment="staging"), "environment 'staging'", id="unknown-environment"),
    pytest.param(config(api_url="http://api.example.com"), "must use https", id="http-api-url-remote-host"),
    pytest.param(config(api_url="ftp://127.0.0.1"), "must use https", id="api-url-other-scheme"),
    pytest.param(config(credentials={"auth_type": "password"}), "auth_type 'password' is not supported", id="unknown-auth-type"),
    pytest.param(config(credentials=None), "credentials is required", id="missing-credentials"),
    pytest.param(config(credentials={**API_KEY, "secret_key": ""}), "credentials.secret_key is missing or empty", id="empty-secret"),
    pytest.param(config(credentials={**API_KEY, "organization_slug": " "}), "credentials.organization_slug", id="blank-slug"),
    pytest.param(config(credentials={**OAUTH, "refresh_token": ""}), "credentials.refresh_token", id="oauth-empty-refresh-token"),
    pytest.param(config(credentials={k: v for k, v in OAUTH.items() if k != "client_secret"}), "credentials.client_secret", id="oauth-missing-client-secret"),
    pytest.param(config(bank_account_ids="acc-1"), "bank_account_ids must be a list", id="account-ids-not-a-list"),
    pytest.param(config(bank_account_ids=["acc-1", ""]), "bank_account_ids must be a list", id="account-ids-empty-item"),
    pytest.param(config(bank_account_ids=["acc-1", "acc-1"]), "more than once", id="account-ids-duplicate"),
    pytest.param(config(probative_copies="yes"), "probative_copies must be true or false", id="probative-copies-not-a-boolean"),
]


@pytest.mark.parametrize("bad, expected", BAD_CONFIGS)
def test_given_bad_config_when_parsed_then_config_error_names_the_field(bad, expected):
    with pytest.raises(ConfigError) as raised:
        parse_settings(bad)
    assert expected in raised.value.message
    assert raised.value.failure_type == FailureType.config_error


@pytest.mark.parametrize("bad", [c.values[0] for c in BAD_CONFIGS])
def test_given_bad_config_when_rejected_then_no_secret_in_message(bad):
    with pytest.raises(ConfigError) as raised:
        parse_settings(bad)
    assert "s3cr3t-value" not in raised.value.message and "csecret" not in raised.value.message


@pytest.mark.parametrize(
    "overrides, api_base, token_url",
    [
        pytest.param({}, "https://thirdparty.qonto.com", None, id="production-default"),
        pytest.param({"environment": "sandbox", "staging_token": "stg"}, "https://thirdparty-sandbox.staging.qonto.co", None, id="sandbox"),
        pytest.param({"api_url": "http://127.0.0.1:8080/"}, "http://127.0.0.1:8080", None, id="loopback-override"),
        pytest.param({"api_url": "https://proxy.example.com/v2"}, "https://proxy.example.com", None, id="https-override-with-v2"),
        pytest.param({"credentials": OAUTH}, "https://thirdparty.qonto.com", "https://oauth.qonto.com/oauth2/token", id="oauth-production"),
        pytest.param(
            {"credentials": OAUTH, "environment": "sandbox", "staging_token": "stg"},
            "https://thirdparty-sandbox.staging.qonto.co",
            "https://oauth-sandbox.staging.qonto.co/oauth2/token",
            id="oauth-sandbox",
        ),
        pytest.param({"credentials": OAUTH, "api_url": "http://localhost:9000"}, "http://localhost:9000", "http://localhost:9000/oauth2/token", id="oauth-override"),
    ],
)
def test_given_valid_config_when_parsed_then_endpoints_derived(overrides, api_base, token_url):
    settings = parse_settings(config(**overrides))
    assert (settings.api_base, settings.token_url) == (api_base, token_url)


def test_given_sandbox_when_parsed_then_staging_header_sent_and_never_in_production():
    assert parse_settings(config(environment="sandbox", staging_token="stg")).extra_headers == {"X-Qonto-Staging-Token": "stg"}
    assert parse_settings(config(staging_token="stg")).extra_headers == {}


@pytest.mark.parametrize(
    "start, expected",
    [
        pytest.param("2024-03-05", datetime(2024, 3, 5, tzinfo=timezone.utc), id="normal"),
        pytest.param("2012-06-01", datetime(2017, 1, 1, tzinfo=timezone.utc), id="clamped-to-2017"),
    ],
)
def test_given_start_date_when_parsed_then_start_datetime_clamped(start, expected):
    settings = parse_settings(config(start_date=start))
    assert settings.start_datetime == expected
    assert settings.start_date == date.fromisoformat(start)


@pytest.mark.parametrize(
    "host, loopback",
    [("127.0.0.1", True), ("127.4.5.6", True), ("::1", True), ("[::1]", True), ("localhost", True), ("LOCALHOST", True),
     ("10.0.0.1", False), ("example.com", False), ("localhost.example.com", False), ("128.0.0.1", False)],
)
def test_given_host_when_checked_then_only_loopback_counts(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    "url, allowed",
    [("https://s3.example.com/x?sig=1", True), ("http://127.0.0.1:9/_s3/a", True), ("http://[::1]:9/a", True),
     ("http://s3.example.com/x", False), ("file:///etc/passwd", False), ("https:///nohost", False)],
)
def test_given_url_when_transport_checked_then_https_or_loopback_http_only(url, allowed):
    if allowed:
        check_transport(url, "download URL")
    else:
        with pytest.raises(ConfigError):
            check_transport(url, "download URL")


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(config(credentials="acme-1:TopSecret99"), id="credentials-string"),
        pytest.param(config(credentials={**API_KEY, "secret_key": "TopSecret99 x"}), id="secret-with-space"),
        pytest.param(config(credentials={**OAUTH, "client_id": ["TopSecret99"]}), id="oauth-client-id-list"),
        pytest.param(config(environment="sandbox", staging_token=["TopSecret99"]), id="staging-token-list"),
        pytest.param(config(credentials={**OAUTH, "access_token": 5, "refresh_token": "TopSecret99"}), id="oauth-access-token-number"),
    ],
)
def test_given_secret_in_wrong_shape_when_parsed_then_config_error_never_quotes_it(bad):
    with pytest.raises(ConfigError) as raised:
        parse_settings(bad)
    assert "TopSecret99" not in raised.value.message and "TopSecret99" not in (raised.value.internal_message or "")


def test_given_sandbox_without_staging_token_when_schema_checked_then_the_spec_itself_requires_it():
    from source_bank_receipts.config import _validator

    errors = list(_validator().iter_errors(config(environment="sandbox")))
    assert [error.validator for error in errors] == ["required"] and "staging_token" in errors[0].message
    assert not list(_validator().iter_errors(config(environment="production")))


@pytest.mark.parametrize("value, expected", [(None, False), (False, False), (True, True)], ids=["absent", "off", "on"])
def test_given_probative_copies_option_when_parsed_then_off_unless_set_true(value, expected):
    overrides = {} if value is None else {"probative_copies": value}
    assert parse_settings(config(**overrides)).probative_copies is expected
