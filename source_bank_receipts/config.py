"""Configuration: validation and the settings derived from it (pure).

The source validates its config itself (the CDK's spec check is switched off in source.py):
the CDK's messages quote the offending value, and a value given in the wrong shape (for example
`credentials` as the string "slug:secret") is quoted in full, secret included. Here the checks
that give the best advice run first (sandbox needs a staging token, plain http only to loopback,
real calendar dates), then the JSON schema of spec.json, whose messages name the field and the
rule but never the value. The result is one immutable `Settings` object.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from datetime import date, datetime, timezone
from typing import Any, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from jsonschema import Draft7Validator

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.transport import is_loopback

API_HOSTS = {
    "production": "https://thirdparty.qonto.com",
    "sandbox": "https://thirdparty-sandbox.staging.qonto.co",
}
TOKEN_URLS = {
    "production": "https://oauth.qonto.com/oauth2/token",
    "sandbox": "https://oauth-sandbox.staging.qonto.co/oauth2/token",
}
# The bank rejects dates before 2017 (HTTP 400 date_invalid); every API date is clamped to it.
API_EARLIEST = datetime(2017, 1, 1, tzinfo=timezone.utc)
AUTH_TYPES = ("api_key", "oauth2.0")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ConfigError(AirbyteTracedException):
    """A configuration the user must fix; the message says what and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message, internal_message=message, failure_type=FailureType.config_error)


@dataclass(frozen=True)
class Settings:
    auth_type: str
    api_base: str  # origin, without trailing slash; the API lives under /v2
    token_url: Optional[str]
    environment: str
    staging_token: Optional[str]
    start_date: date
    bank_account_ids: Optional[Tuple[str, ...]]
    probative_copies: bool = False  # also export the bank's PAdES-sealed copies (docs/sources/bank-receipts.md)

    @property
    def start_datetime(self) -> datetime:
        """Start of the start date in UTC, never before the bank's earliest accepted date."""
        start = datetime(self.start_date.year, self.start_date.month, self.start_date.day, tzinfo=timezone.utc)
        return max(start, API_EARLIEST)

    @property
    def extra_headers(self) -> dict:
        return {"X-Qonto-Staging-Token": self.staging_token} if self.staging_token else {}


def check_transport(url: str, what: str) -> None:
    """https everywhere; plain http only to this machine (emulators, local proxies)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return
    raise ConfigError(
        f"{what} must use https (plain http is only allowed to 127.0.0.1, ::1 or localhost); got scheme "
        f"'{parts.scheme or '?'}' for host '{parts.hostname or '?'}'."
    )


def parse_start_date(value: Any) -> date:
    if not value:
        raise ConfigError("start_date is required: the first day (YYYY-MM-DD) whose receipts and transactions are exported.")
    text = str(value)
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"start_date '{text}' is not a date in the form YYYY-MM-DD (for example 2024-01-01).") from None


def _require(credentials: Mapping[str, Any], field: str, label: str) -> str:
    value = credentials.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"credentials.{field} is missing or empty: {label}")
    return value


def _check_credentials(credentials: Any) -> str:
    if credentials is None:
        raise ConfigError("credentials is required: choose 'API key' or 'OAuth 2.0'.")
    if not isinstance(credentials, Mapping):
        # The value itself is never quoted: it may well be the secret ("slug:secret").
        raise ConfigError(
            f"credentials must be an object (got a {_json_type(credentials)}): for an API key "
            '{"auth_type": "api_key", "organization_slug": "...", "secret_key": "..."}, or the OAuth 2.0 fields.'
        )
    auth_type = credentials.get("auth_type")
    if auth_type == "api_key":
        _require(credentials, "organization_slug", "the organization slug shown in Qonto under Settings > Integrations > API key.")
        _require(credentials, "secret_key", "the secret key shown in Qonto under Settings > Integrations > API key.")
    elif auth_type == "oauth2.0":
        _require(credentials, "client_id", "the client ID of your OAuth application (Qonto developer portal).")
        _require(credentials, "client_secret", "the client secret of your OAuth application (Qonto developer portal).")
        _require(credentials, "refresh_token", "the refresh token obtained when you authorized the application.")
    else:
        raise ConfigError(f"credentials.auth_type '{auth_type}' is not supported; use one of {', '.join(AUTH_TYPES)}.")
    return auth_type


def _check_account_ids(value: Any) -> Optional[Tuple[str, ...]]:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() and item == item.strip() for item in value):
        raise ConfigError("bank_account_ids must be a list of bank account ids (non-empty strings), or left empty for all accounts.")
    if len(set(value)) != len(value):
        raise ConfigError("bank_account_ids lists the same bank account more than once.")
    return tuple(value) or None


def parse_settings(config: Mapping[str, Any]) -> Settings:
    """Validate a config and derive the settings; raises ConfigError with an actionable message."""
    auth_type = _check_credentials(config.get("credentials"))
    start_date = parse_start_date(config.get("start_date"))
    environment = config.get("environment") or "production"
    if environment not in API_HOSTS:
        raise ConfigError(f"environment '{environment}' is not supported; use 'production' or 'sandbox'.")
    staging_token = config.get("staging_token") or None
    if environment == "sandbox" and not (isinstance(staging_token, str) and staging_token.strip()):
        raise ConfigError(
            "staging_token is required for the sandbox environment: copy it from the Qonto developer portal "
            "(developers.qonto.com > your sandbox)."
        )
    api_url = config.get("api_url")
    if api_url:
        check_transport(str(api_url), "api_url")
        api_base = str(api_url).rstrip("/")
        if api_base.endswith("/v2"):
            api_base = api_base[: -len("/v2")]
    else:
        api_base = API_HOSTS[environment]
    token_url = None
    if auth_type == "oauth2.0":
        token_url = f"{api_base}/oauth2/token" if api_url else TOKEN_URLS[environment]
    account_ids = _check_account_ids(config.get("bank_account_ids"))
    _check_schema(config)
    return Settings(
        auth_type=auth_type,
        api_base=api_base,
        token_url=token_url,
        environment=environment,
        staging_token=staging_token if environment == "sandbox" else None,
        start_date=start_date,
        bank_account_ids=account_ids,
        probative_copies=config.get("probative_copies") is True,
    )


# -- JSON schema of spec.json, with messages that never quote a value ----------------------------


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    spec = json.loads((Path(__file__).parent / "spec.json").read_text())
    return Draft7Validator(spec["connectionSpecification"])


def _json_type(value: Any) -> str:
    for name, kinds in (("boolean", bool), ("number", (int, float)), ("string", str), ("list", list), ("object", Mapping)):
        if isinstance(value, kinds):
            return name
    return "null" if value is None else "value"


def schema_error_text(path: Tuple[Any, ...], validator: str, schema: Mapping[str, Any], detail: Any) -> str:
    """A validation failure as "<field>: <rule>", from the schema alone (pure)."""
    field = ".".join(str(part) for part in path) or "the config"
    if validator == "required":
        missing = detail if isinstance(detail, str) else "a field"
        name = f"{field}.{missing}" if path else missing
        if missing == "staging_token":
            return "staging_token is required for the sandbox environment: copy it from the Qonto developer portal (developers.qonto.com > your sandbox)."
        return f"{name} is required."
    if validator == "type":
        kind = {"array": "a list", "object": "an object", "integer": "an integer", "boolean": "true or false"}.get(str(schema.get("type")), f"a {schema.get('type')}")
        return f"{field} must be {kind}."
    if validator == "pattern":
        return f"{field} does not have the expected form ({schema.get('pattern_descriptor') or schema.get('description') or 'see the field description'})."
    if validator == "enum":
        return f"{field} must be one of: {', '.join(str(item) for item in schema.get('enum', []))}."
    if validator == "oneOf":
        return f"{field} matches none of the options: choose 'API key' or 'OAuth 2.0' and fill every field it asks for."
    return f"{field} is not valid ({validator})."


def _check_schema(config: Mapping[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(dict(config)), key=lambda error: (len(error.path), list(map(str, error.path))))
    if errors:
        error = errors[0]
        detail = error.message.split("'")[1] if error.validator == "required" and "'" in error.message else None
        raise ConfigError("Config validation error: " + schema_error_text(tuple(error.path), str(error.validator), error.schema, detail))
