"""Checking one answer of `make setup` at a time: pure functions, each returns the cleaned value or
raises `Invalid` with a sentence the person can act on (never quoting a secret back)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

PERIODS = ("month", "quarter", "year")
ROLES = ("reader", "commenter", "writer")
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.file"
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_EMAIL = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
# The bank's data starts in 2017 (the source reads earlier dates from 2017-01-01).
FIRST_BANK_DAY = dt.date(2017, 1, 1)


class Invalid(ValueError):
    """An answer that cannot be used; str() is the message shown before asking again."""


def organization_slug(text: str) -> str:
    slug = text.strip()
    if not _SLUG.match(slug):
        raise Invalid("The organization slug is the login shown next to the secret key, e.g. pied-piper-7132 "
                      "(letters, digits, - and _ only).")
    return slug


def secret(text: str, what: str = "secret key") -> str:
    value = text.strip()
    if not value:
        raise Invalid(f"The {what} is empty: paste it again (nothing is shown while you type).")
    if any(c.isspace() for c in value):
        raise Invalid(f"The {what} contains spaces: copy it again without spaces or line breaks.")
    return value


_OFFSET = re.compile(r"^(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d\d))?$", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def time_zone(text: str) -> str:
    name = text.strip()
    offset = _OFFSET.match(name)
    if offset:  # an offset follows no daylight saving time: a city's zone does
        sign, hours = offset.group(1), int(offset.group(2))
        fixed = f"Etc/GMT{'-' if sign == '+' else '+'}{hours}" if not offset.group(3) and hours <= 12 else None
        alternative = f" (a fixed offset all year: {fixed}, whose sign is reversed by convention)" if fixed else ""
        raise Invalid(f"{name} is an offset, not a time zone: give your city's zone, e.g. Europe/Paris or "
                      f"America/New_York, so daylight saving time is followed{alternative}.")
    try:
        if not name or name.startswith("/") or ".." in name:
            raise ZoneInfoNotFoundError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        hint = difflib.get_close_matches(name, sorted(available_timezones()), n=1)
        suggestion = f" Did you mean {hint[0]}?" if hint else ""
        raise Invalid(f"{name or 'An empty answer'!s} is not a time zone name.{suggestion} "
                      "Use an IANA name such as Europe/Paris or UTC.") from None
    return name


def start_date(text: str, today: dt.date) -> str:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        if _ISO_DAY.match(text.strip()):
            raise Invalid(f"{text.strip()} is not a day of the calendar: check the month's last day.") from None
        raise Invalid("Write the start date as YYYY-MM-DD, e.g. 2025-01-01.") from None
    if day > today:
        raise Invalid(f"{day} is in the future: choose today ({today}) or an earlier day.")
    return max(day, FIRST_BANK_DAY).isoformat()


def period(text: str) -> str:
    value = text.strip().lower()
    if value not in PERIODS:
        raise Invalid(f"Choose one of {', '.join(PERIODS)}.")
    return value


def folder_name(text: str) -> str:
    name = text.strip()
    if not name or name in (".", "..") or any(ord(c) < 32 for c in name):
        raise Invalid("The root folder needs a name (no control characters), e.g. Qonto.")
    return name


def share_list(text: str) -> list[dict]:
    """'a@x.fr, b@y.fr' -> [{email, role: reader}, ...]; empty -> no sharing."""
    shares = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        if not _EMAIL.match(item):
            raise Invalid(f"{item} is not an e-mail address; separate several addresses with commas.")
        shares.append({"email": item, "role": "reader"})
    return shares


def yes_no(text: str) -> bool:
    value = text.strip().lower()
    if value in ("y", "yes", "o", "oui"):
        return True
    if value in ("n", "no", "non"):
        return False
    raise Invalid("Answer yes or no.")


@dataclass(frozen=True)
class OAuthClient:
    """A Google OAuth client of type Desktop app; the endpoints default to Google's."""

    client_id: str
    client_secret: str
    auth_uri: str = GOOGLE_AUTH_URI
    token_uri: str = GOOGLE_TOKEN_URI

    def client_config(self) -> dict:
        """The `installed` client config google-auth-oauthlib's InstalledAppFlow expects."""
        return {"installed": {"client_id": self.client_id, "client_secret": self.client_secret,
                              "auth_uri": self.auth_uri, "token_uri": self.token_uri,
                              "redirect_uris": ["http://localhost"]}}


def oauth_client_file(text: str) -> OAuthClient:
    """The content of a client_secret*.json downloaded from the Google Cloud console."""
    try:
        data = json.loads(text)
    except ValueError:
        raise Invalid("This file is not a Google OAuth client: it is not JSON. Download it again from "
                      "APIs & Services > Credentials > your Desktop app client > Download JSON.") from None
    if not isinstance(data, dict):
        raise Invalid("This file is not a Google OAuth client (expected a JSON object with an \"installed\" key).")
    if data.get("type") == "service_account":
        raise Invalid("This is a service-account key, not an OAuth client. Create an OAuth client ID of type "
                      "Desktop app and download its JSON.")
    if "web" in data and "installed" not in data:
        raise Invalid("This OAuth client is of type Web application: create one of type Desktop app "
                      "(its sign-in returns to this machine).")
    block = data.get("installed")
    if not isinstance(block, dict) or not block.get("client_id") or not block.get("client_secret"):
        raise Invalid("This file is not a Google OAuth client of type Desktop app (no \"installed\" client_id "
                      "and client_secret). Download the JSON of a Desktop app client.")
    return OAuthClient(
        client_id=str(block["client_id"]).strip(),
        client_secret=str(block["client_secret"]).strip(),
        auth_uri=str(block.get("auth_uri") or GOOGLE_AUTH_URI),
        token_uri=str(block.get("token_uri") or GOOGLE_TOKEN_URI),
    )


def unquote_path(text: str) -> str:
    """A path as typed or dragged onto a terminal: 'a b.json', "a b.json" or a\\ b.json -> a b.json."""
    path = text.strip()
    if len(path) >= 2 and path[0] == path[-1] and path[0] in "'\"":
        return path[1:-1]
    return re.sub(r"\\(.)", r"\1", path) if "\\" in path else path


def client_id(text: str) -> str:
    value = text.strip()
    if not value.endswith(".apps.googleusercontent.com") or any(c.isspace() for c in value):
        raise Invalid("A Google OAuth client ID ends in .apps.googleusercontent.com: copy it from the Credentials page.")
    return value


def machine_time_zone(env_tz: str | None, localtime_target: str | None, etc_timezone: str | None) -> str:
    """The machine's IANA zone from $TZ, the /etc/localtime link target or /etc/timezone; UTC otherwise."""
    candidates = [env_tz.lstrip(":") if env_tz else None]
    if localtime_target and "zoneinfo/" in localtime_target:
        candidates.append(localtime_target.split("zoneinfo/", 1)[1])
    candidates.append(etc_timezone.strip() if etc_timezone else None)
    for name in filter(None, candidates):
        try:
            return time_zone(name)
        except Invalid:
            continue
    return "UTC"
