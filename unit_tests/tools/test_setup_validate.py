"""The answers `make setup` accepts, and the messages for the ones it does not."""

import datetime as dt
import json

import pytest

from tools.setup import validate as v

TODAY = dt.date(2026, 3, 15)


@pytest.mark.parametrize("text, expected", [
    ("pied-piper-7132", "pied-piper-7132"),
    ("  acme_1 ", "acme_1"),
])
def test_given_a_valid_slug_when_checked_then_it_is_kept_trimmed(text, expected):
    assert v.organization_slug(text) == expected


@pytest.mark.parametrize("text", ["", "-acme", "acme corp", "acme/1"])
def test_given_a_malformed_slug_when_checked_then_the_message_shows_an_example(text):
    with pytest.raises(v.Invalid, match="pied-piper-7132"):
        v.organization_slug(text)


@pytest.mark.parametrize("text, message", [("", "empty"), ("abc def", "spaces")])
def test_given_a_bad_secret_when_checked_then_the_message_does_not_quote_it(text, message):
    with pytest.raises(v.Invalid, match=message) as raised:
        v.secret(text)
    assert "abc" not in str(raised.value)


@pytest.mark.parametrize("text, expected", [
    ("2025-01-01", "2025-01-01"),
    ("2026-03-15", "2026-03-15"),
    ("2012-06-01", "2017-01-01"),   # the bank has nothing earlier
])
def test_given_a_start_date_when_checked_then_it_is_used_from_2017_on(text, expected):
    assert v.start_date(text, TODAY) == expected


@pytest.mark.parametrize("text, message", [
    ("2026-03-16", "in the future"),
    ("15/03/2025", "YYYY-MM-DD"),
    ("2025-02-30", "2025-02-30 is not a day of the calendar"),
    ("2025-13-01", "not a day of the calendar"),
])
def test_given_an_unusable_start_date_when_checked_then_the_message_says_why(text, message):
    with pytest.raises(v.Invalid, match=message):
        v.start_date(text, TODAY)


@pytest.mark.parametrize("text, suggestion", [("Europe/Pariss", "Europe/Paris"), ("Mars/Olympus", None), ("", None)])
def test_given_an_unknown_time_zone_when_checked_then_a_close_name_is_suggested(text, suggestion):
    with pytest.raises(v.Invalid, match="not a time zone") as raised:
        v.time_zone(text)
    assert (f"Did you mean {suggestion}?" in str(raised.value)) == bool(suggestion)


@pytest.mark.parametrize("text, fixed", [("UTC+1", "Etc/GMT-1"), ("GMT-5", "Etc/GMT+5"), ("utc+05:30", None)])
def test_given_an_offset_when_checked_then_a_city_zone_is_asked_for_not_utc_suggested(text, fixed):
    with pytest.raises(v.Invalid, match="is an offset, not a time zone") as raised:
        v.time_zone(text)
    assert "Did you mean UTC" not in str(raised.value)
    assert (fixed in str(raised.value)) if fixed else "Etc/GMT" not in str(raised.value)


@pytest.mark.parametrize("typed, path", [
    ("'/home/me/My Downloads/client.json'", "/home/me/My Downloads/client.json"),
    ('"/home/me/client.json" ', "/home/me/client.json"),
    ("/home/me/My\\ Downloads/client.json", "/home/me/My Downloads/client.json"),
    ("~/client.json", "~/client.json"),
])
def test_given_a_dragged_or_quoted_path_when_unquoted_then_the_plain_path_is_read(typed, path):
    assert v.unquote_path(typed) == path


@pytest.mark.parametrize("text", ["Europe/Paris", "UTC", "America/Argentina/Buenos_Aires"])
def test_given_an_iana_zone_when_checked_then_it_is_accepted(text):
    assert v.time_zone(text) == text


@pytest.mark.parametrize("text, expected", [
    ("", []),
    ("a@b.fr", [{"email": "a@b.fr", "role": "reader"}]),
    (" a@b.fr , c@d.com ", [{"email": "a@b.fr", "role": "reader"}, {"email": "c@d.com", "role": "reader"}]),
])
def test_given_share_addresses_when_checked_then_each_gets_read_access(text, expected):
    assert v.share_list(text) == expected


def test_given_a_share_that_is_not_an_address_when_checked_then_it_is_named():
    with pytest.raises(v.Invalid, match="accountant is not an e-mail"):
        v.share_list("a@b.fr, accountant")


INSTALLED = {"installed": {"client_id": "1-x.apps.googleusercontent.com", "client_secret": "GOCSPX-s",
                           "auth_uri": "http://127.0.0.1:9/o/oauth2/auth", "token_uri": "http://127.0.0.1:9/token"}}


def test_given_a_desktop_client_file_when_read_then_its_endpoints_are_kept():
    client = v.oauth_client_file(json.dumps(INSTALLED))
    assert (client.client_id, client.auth_uri, client.token_uri) == (
        "1-x.apps.googleusercontent.com", "http://127.0.0.1:9/o/oauth2/auth", "http://127.0.0.1:9/token")
    assert client.client_config()["installed"]["client_secret"] == "GOCSPX-s"


def test_given_a_client_file_without_endpoints_when_read_then_google_endpoints_are_the_default():
    client = v.oauth_client_file(json.dumps({"installed": {"client_id": "a", "client_secret": "b"}}))
    assert (client.auth_uri, client.token_uri) == (v.GOOGLE_AUTH_URI, v.GOOGLE_TOKEN_URI)


@pytest.mark.parametrize("content, message", [
    ("not json at all", "not JSON"),
    ("[1, 2]", "JSON object"),
    (json.dumps({"type": "service_account", "private_key": "k"}), "service-account key"),
    (json.dumps({"web": {"client_id": "a", "client_secret": "b"}}), "Web application"),
    (json.dumps({"installed": {"client_id": "a"}}), "Desktop app"),
])
def test_given_a_file_that_is_no_desktop_client_when_read_then_the_message_says_what_to_download(content, message):
    with pytest.raises(v.Invalid, match=message):
        v.oauth_client_file(content)


@pytest.mark.parametrize("env, link, etc, expected", [
    ("Europe/Paris", None, None, "Europe/Paris"),
    (":America/New_York", None, None, "America/New_York"),
    (None, "/usr/share/zoneinfo/Asia/Tokyo", "Europe/Berlin\n", "Asia/Tokyo"),
    (None, None, "Europe/Berlin\n", "Europe/Berlin"),
    ("Nowhere/Land", None, None, "UTC"),
    (None, None, None, "UTC"),
])
def test_given_machine_settings_when_the_zone_is_guessed_then_the_first_valid_one_wins(env, link, etc, expected):
    assert v.machine_time_zone(env, link, etc) == expected


@pytest.mark.parametrize("text, expected", [("y", True), ("YES", True), ("n", False), ("no", False)])
def test_given_yes_or_no_when_checked_then_it_is_a_boolean(text, expected):
    assert v.yes_no(text) is expected
