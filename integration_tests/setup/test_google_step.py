"""The Google step of `make setup` on a machine without a browser: the address is opened elsewhere
(here: a headless Chromium) and the address it lands on is pasted back."""
import datetime as dt
import re

import pytest

from integration_tests.setup.browser import approve, require_browser
from tools.setup.prompts import Prompter
from tools.setup.wizard import Setup

URL = re.compile(r"http://127\.0\.0\.1:\d+/o/oauth2/auth\?\S+")


@pytest.mark.slow
def test_given_a_headless_machine_when_a_wrong_then_a_right_address_is_pasted_then_signed_in(
        tmp_path, drive, client_file):
    require_browser()
    shown, pastes = [], []

    def person_types(question):
        if question.startswith("Paste the whole address"):
            if not pastes:                      # first: only the host, as a hurried copy would be
                pastes.append("http://localhost:8085/")
            else:
                pastes.append(approve(URL.findall("\n".join(shown))[-1], intercept_redirect=True))
            return pastes[-1]
        return ""                               # every other question: its default

    prompter = Prompter({"google_client_file": str(client_file)}, interactive=True, out=shown.append,
                        read=person_types, read_secret=lambda _q: pytest.fail("no secret is asked here"))
    setup = Setup(prompter, tmp_path / "secrets", dt.date(2026, 3, 1), "UTC", drive_api_url=drive.url)
    setup.google("paste")

    text = "\n".join(shown)
    assert "has no code: paste the whole address" in text and "Let's try again." in text
    assert len(URL.findall(text)) == 2          # a new address (new state and verifier) for the retry
    assert "Root folder 'Qonto': will be created at the first sync" in text
    credentials = setup.destination["credentials"]
    assert credentials["refresh_token"] == drive.oauth_credentials()["refresh_token"]
    assert credentials["client_secret"] not in text and credentials["refresh_token"] not in text
    assert setup.destination["drive_api_url"] == drive.url and drive.paths() == []   # nothing written yet
