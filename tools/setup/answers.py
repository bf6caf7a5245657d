"""The answers file of `make setup`: reading it, and checking every answer that needs no network
before the first call to the bank or Google (pure, so a typo stops setup in a second, not after
a sign-in)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Callable

from tools.setup import validate as v
from tools.setup.prompts import SetupStopped

ANSWER_KEYS = """answers file keys (a JSON object; any key left out is asked, or its default used):
  bank:    bank_auth (api_key|oauth), organization_slug, secret_key, sandbox (yes|no), staging_token,
           bank_client_id, bank_client_secret, bank_refresh_token
  google:  one of
             destination_file (an existing destination.json),
             service_account_key_file + parent_folder_id (a folder in a shared drive),
             google_refresh_token + google_client_file (or google_client_id + google_client_secret),
             google_client_file (or ID + secret) and a sign-in: sign_in (browser|url; paste needs a person);
           root_folder_name
  filing:  start_date (YYYY-MM-DD), period (month|quarter|year), timezone (IANA), share_with (e-mails)
  finish:  confirm (yes|no), schedule (systemd|cron|none)
exit codes: 0 done; 2 stopped (nothing saved, unless it says so); 3 configs saved but the schedule asked
for could not be installed (`make schedule` later); 130 interrupted"""
FLAG_ANSWERS = ("organization_slug", "google_client_file", "start_date", "period", "timezone", "root_folder_name",
                "share_with", "schedule")


def load_answers(path: Path | None, flags: dict) -> dict:
    answers = {}
    if path:
        try:
            answers = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SetupStopped(f"Cannot read the answers file {path}: {getattr(error, 'strerror', None) or error}")
        if not isinstance(answers, dict):
            raise SetupStopped(f"The answers file {path} must hold a JSON object.")
    answers.update({name: value for name, value in flags.items() if value is not None})
    if isinstance(answers.get("share_with"), list):
        answers["share_with"] = ", ".join(answers["share_with"])
    return answers


def _choice(*options: str) -> Callable[[str], str]:
    def check(text: str) -> str:
        if text.strip().lower() not in options:
            raise v.Invalid(f"Choose one of {', '.join(options)}.")
        return text
    return check


def pure_checks(today: dt.date) -> dict[str, Callable[[str], object]]:
    """Every answer whose check needs no network (local files included), by key."""
    from tools.setup import google_step as files

    return {
        "google_client_file": files.client_file, "destination_file": files.json_object_file,
        "service_account_key_file": files.service_account_key, "parent_folder_id": files.folder_id,
        "bank_auth": _choice("api_key", "oauth", "oauth2", "oauth2.0"), "organization_slug": v.organization_slug,
        "sandbox": v.yes_no, "confirm": v.yes_no, "start_date": lambda text: v.start_date(text, today),
        "period": v.period, "timezone": v.time_zone, "share_with": v.share_list, "root_folder_name": v.folder_name,
        "schedule": _choice("systemd", "cron", "none", "auto"), "sign_in": _choice("browser", "url", "paste"),
        "google_client_id": v.client_id,
    }


def problems(answers: dict, today: dt.date, unattended: bool) -> list[str]:
    """What is wrong or missing in the answers, before any network call ([] when all is well)."""
    found = []
    for key, check in pure_checks(today).items():
        if key in answers:
            try:
                check(str(answers[key]))
            except v.Invalid as problem:
                found.append(f"{key}: {problem}")
    if unattended:
        found += missing(answers)
    return found


def missing(answers: dict) -> list[str]:
    """The answers an unattended setup needs and lacks (each has no default)."""
    oauth = str(answers.get("bank_auth", "api_key")).lower().startswith("oauth")
    needed = ["bank_client_id", "bank_client_secret", "bank_refresh_token"] if oauth else ["organization_slug",
                                                                                          "secret_key"]
    if str(answers.get("sandbox", "no")).lower() in ("y", "yes", "o", "oui"):
        needed.append("staging_token")
    lacking = [f"No answer for {key}." for key in needed if key not in answers]
    if "service_account_key_file" in answers and "parent_folder_id" not in answers:
        lacking.append("No answer for parent_folder_id: a service account files into a shared-drive folder.")
    given = [key for key in ("destination_file", "service_account_key_file", "google_refresh_token") if key in answers]
    if not given and answers.get("sign_in") == "paste":
        lacking.append("sign_in: paste needs a person to paste the address the browser ends on, which changes at "
                       "every attempt: give google_refresh_token, destination_file or service_account_key_file "
                       "instead, or run make setup in a terminal.")
    if "google_refresh_token" in answers and "google_client_file" not in answers and not (
            "google_client_id" in answers and "google_client_secret" in answers):
        lacking.append("google_refresh_token needs its OAuth client: google_client_file, or google_client_id and "
                       "google_client_secret.")
    return lacking
