"""Parse and validate the destination's configuration into a typed object.

Every problem is reported as an Airbyte config error with a sentence the user can act on;
no secret value is ever quoted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.transport import is_loopback

from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.ledger.formats import DEFAULT_LOCALE, LOCALES

GOOGLE_ROOT_URL = "https://www.googleapis.com/"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.file"
ROLES = ("reader", "commenter", "writer")
LEDGER_FORMATS = ("sheet", "csv", "off")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SA_FIELDS = ("client_email", "private_key", "token_uri")


def config_error(message: str) -> AirbyteTracedException:
    return AirbyteTracedException(message=message, internal_message=message, failure_type=FailureType.config_error)


@dataclass(frozen=True)
class OAuthCredentials:
    client_id: str
    client_secret: str
    refresh_token: str
    access_token: str | None = None


@dataclass(frozen=True)
class ServiceAccountCredentials:
    info: Mapping[str, Any]


@dataclass(frozen=True)
class Share:
    email: str
    role: str = "reader"


@dataclass(frozen=True)
class Config:
    credentials: OAuthCredentials | ServiceAccountCredentials
    root_folder_name: str = "Qonto"
    parent_folder_id: str | None = None
    period: str = "month"
    timezone: str = "Europe/Paris"
    file_name_template: str | None = None
    share_with: tuple[Share, ...] = ()
    drive_api_url: str = GOOGLE_ROOT_URL
    writes_per_second: float = 3.0
    ledger: str = "sheet"                 # sheet | csv | off: a ledger per period folder (ledger/)
    ledger_locale: str = "fr-FR"          # how ledger dates and amounts are written
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_emulated(self) -> bool:
        return self.drive_api_url != GOOGLE_ROOT_URL

    @property
    def token_uri(self) -> str:
        # An overridden root URL also serves the OAuth refresh (proxies, emulators).
        return self.drive_api_url + "token" if self.is_emulated else GOOGLE_TOKEN_URI


def parse_config(raw: Mapping[str, Any]) -> Config:
    """Turn the raw JSON config into a Config, or raise a config error naming the bad field."""
    if not isinstance(raw, Mapping):
        raise config_error("The configuration must be a JSON object.")
    return Config(
        credentials=_credentials(raw.get("credentials")),
        root_folder_name=_root_folder_name(raw.get("root_folder_name", "Qonto")),
        parent_folder_id=_optional_str(raw.get("parent_folder_id"), "parent_folder_id"),
        period=_period(raw.get("period", "month")),
        timezone=_timezone(raw.get("timezone", "Europe/Paris")),
        file_name_template=_template(raw.get("file_name_template")),
        share_with=_shares(raw.get("share_with") or []),
        drive_api_url=drive_api_url(raw.get("drive_api_url")),
        writes_per_second=_rate(raw.get("writes_per_second", 3)),
        ledger=_choice(raw.get("ledger", "sheet"), "ledger", LEDGER_FORMATS),
        ledger_locale=_choice(raw.get("ledger_locale", DEFAULT_LOCALE), "ledger_locale", tuple(LOCALES)),
    )


def _choice(raw: Any, name: str, allowed: tuple[str, ...]) -> str:
    if raw not in allowed:
        raise config_error(f"{name} must be one of {', '.join(allowed)} (got {raw!r}).")
    return raw


def _credentials(raw: Any) -> OAuthCredentials | ServiceAccountCredentials:
    if not isinstance(raw, Mapping):
        raise config_error("'credentials' is missing: choose OAuth (oauth2.0) or a service account.")
    kind = raw.get("auth_type")
    if kind == "oauth2.0":
        missing = [k for k in ("client_id", "client_secret", "refresh_token") if not _text(raw.get(k))]
        if missing:
            raise config_error(f"OAuth credentials lack {', '.join(missing)}: sign in with Google again.")
        return OAuthCredentials(
            client_id=raw["client_id"].strip(),
            client_secret=raw["client_secret"].strip(),
            refresh_token=raw["refresh_token"].strip(),
            access_token=_text(raw.get("access_token")) or None,
        )
    if kind == "service_account":
        return ServiceAccountCredentials(info=_service_account_info(raw.get("service_account_info")))
    raise config_error("credentials.auth_type must be 'oauth2.0' or 'service_account'.")


def _service_account_info(raw: Any) -> Mapping[str, Any]:
    info = raw
    if isinstance(raw, str):
        try:
            info = json.loads(raw)
        except ValueError:
            raise config_error("service_account_info is not valid JSON: paste the whole key file of the service account.") from None
    if not isinstance(info, Mapping):
        raise config_error("service_account_info must be the JSON key file of a service account.")
    missing = [k for k in _SA_FIELDS if not _text(info.get(k))]
    if info.get("type") != "service_account" or missing:
        detail = f" (missing {', '.join(missing)})" if missing else ""
        raise config_error(f"service_account_info is not a service account key{detail}: download a new JSON key.")
    return dict(info)


def _root_folder_name(raw: Any) -> str:
    name = _text(raw)
    if not name or name in (".", "..") or any(ord(c) < 32 for c in name):
        raise config_error("root_folder_name must be a non-empty folder name without control characters.")
    return name


def _period(raw: Any) -> str:
    if raw not in layout.PERIODS:
        raise config_error(f"period must be one of {', '.join(layout.PERIODS)} (got {raw!r}).")
    return raw


def _timezone(raw: Any) -> str:
    name = _text(raw)
    try:
        if not name:
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise config_error(f"timezone {raw!r} is not an IANA time zone such as Europe/Paris or UTC.") from None
    return name


def _template(raw: Any) -> str | None:
    template = _optional_str(raw, "file_name_template")
    if template is None:
        return None
    try:
        layout.validate_template(template)
    except ValueError as error:
        raise config_error(f"file_name_template: {error}") from None
    return template


def _shares(raw: Any) -> tuple[Share, ...]:
    if not isinstance(raw, list):
        raise config_error("share_with must be a list of {email, role}.")
    shares: dict[str, Share] = {}
    for item in raw:
        email = _text(item.get("email")) if isinstance(item, Mapping) else ""
        role = item.get("role", "reader") if isinstance(item, Mapping) else None
        if not _EMAIL.match(email):
            raise config_error(f"share_with: {email or item!r} is not an e-mail address.")
        if role not in ROLES:
            raise config_error(f"share_with: role for {email} must be one of {', '.join(ROLES)} (got {role!r}).")
        shares[email.lower()] = Share(email=email, role=role)
    return tuple(shares.values())


def drive_api_url(raw: Any) -> str:
    """The root URL (trailing slash); plain http only towards loopback addresses."""
    url = _text(raw)
    if not url:
        return GOOGLE_ROOT_URL
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise config_error(f"drive_api_url {url!r} must be an http(s) URL such as https://www.googleapis.com/.")
    if parts.query or parts.fragment:
        raise config_error("drive_api_url must not carry a query string or fragment.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise config_error("drive_api_url uses plain http to a non-loopback host: use https (http is only for 127.0.0.1/localhost).")
    return url if url.endswith("/") else url + "/"


def _rate(raw: Any) -> float:
    try:
        rate = float(raw)
    except (TypeError, ValueError):
        raise config_error("writes_per_second must be a number (Drive sustains about 3).") from None
    if not 0.1 <= rate <= 100:
        raise config_error("writes_per_second must lie between 0.1 and 100.")
    return rate


def _optional_str(raw: Any, name: str) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise config_error(f"{name} must be a string.")
    return raw.strip() or None


def _text(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else ""
