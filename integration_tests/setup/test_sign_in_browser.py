"""Google sign-in end to end: google-auth-oauthlib's real flow, the emulator's consent page, and a
real headless Chromium pressing Allow (skips, saying why, without a browser)."""
import contextlib
import io
import re
import threading

import pytest

from integration_tests.setup.browser import approve, require_browser
from tools.setup import google
from tools.setup.validate import oauth_client_file

URL = re.compile(r"(http://127\.0\.0\.1:\d+/o/oauth2/auth\?\S+)")


class _Watch(io.StringIO):
    """stdout that notices the consent URL the library prints."""

    def __init__(self):
        super().__init__()
        self.url, self.seen = None, threading.Event()

    def write(self, text):
        found = URL.search(self.getvalue() + text)
        if found and not self.seen.is_set():
            self.url = found.group(1)
            self.seen.set()
        return super().write(text)


@pytest.mark.slow
def test_given_a_browser_on_this_machine_when_signing_in_then_the_loopback_redirect_gives_a_refresh_token(
        drive, client_file):
    require_browser()
    client = oauth_client_file(client_file.read_text())
    watch, result = _Watch(), {}

    def sign_in():
        try:
            result["token"] = google.sign_in_local(client, open_browser=False, say=print, timeout_s=120)
        except Exception as error:  # reported by the assertion below
            result["error"] = error

    with contextlib.redirect_stdout(watch):
        thread = threading.Thread(target=sign_in)
        thread.start()
        assert watch.seen.wait(60), "the consent URL was never printed"
        landed = approve(watch.url)
        thread.join(120)
    assert "error" not in result, result.get("error")
    assert result["token"] == drive.oauth_credentials()["refresh_token"]
    assert landed.startswith("http://localhost:") and "code=" in landed
    assert drive._oauth.installed_app.consents == 1


@pytest.mark.slow
def test_given_a_headless_machine_when_the_redirect_address_is_pasted_then_the_code_is_exchanged(drive, client_file):
    require_browser()
    client = oauth_client_file(client_file.read_text())
    flow, url = google.paste_url(client)
    assert "scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdrive.file&" in url + "&"
    pasted = approve(url, intercept_redirect=True)
    assert pasted.startswith("http://localhost:8085/?")
    token = google.finish_pasted(flow, pasted)
    assert token == drive.oauth_credentials()["refresh_token"]
    look = google.drive_look(client, token, drive.url, "Qonto")
    assert look["root_found"] == [] and look["email"]


@pytest.mark.parametrize("pasted, message", [
    ("http://localhost:8085/?error=access_denied&state=x", "refused the sign-in"),
    ("http://localhost:8085/", "has no code"),
])
def test_given_a_pasted_address_without_a_code_when_finished_then_the_message_says_what_to_do(
        drive, client_file, pasted, message):
    flow, _ = google.paste_url(oauth_client_file(client_file.read_text()))
    with pytest.raises(google.SignInError, match=message):
        google.finish_pasted(flow, pasted)
