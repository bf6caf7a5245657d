"""The Google step of `make setup` on a machine without a browser: the address is opened elsewhere
(here: a headless Chromium) and the address it lands on is pasted back."""
import datetime as dt
import re

import pytest

from integration_tests.setup.browser import approve, require_browser
from tools.setup.prompts import Prompter, SetupStopped
from tools.setup.wizard import Setup

URL = re.compile(r"http://127\.0\.0\.1:\d+/o/oauth2/auth\?\S+")


@pytest.mark.slow
def test_given_a_headless_machine_when_wrong_then_stale_then_right_addresses_are_pasted_then_signed_in(
        tmp_path, drive, client_file):
    require_browser()
    shown, pastes, asked = [], [], []

    def person_types(question):
        asked.append(question)
        if question.startswith("Paste the whole address"):
            urls = URL.findall("\n".join(shown))
            if not pastes:                      # first: only the host, as a hurried copy would be
                pastes.append("http://localhost:8085/")
            elif len(pastes) == 1:              # then: the tab of the first attempt, still open
                pastes.append(approve(urls[0], intercept_redirect=True))
            else:
                pastes.append(approve(urls[-1], intercept_redirect=True))
            return pastes[-1]
        return ""                               # every other question (what now: again): its default

    prompter = Prompter({"google_client_file": str(client_file)}, interactive=True, out=shown.append,
                        read=person_types, read_secret=lambda _q: pytest.fail("no secret is asked here"))
    setup = Setup(prompter, tmp_path / "secrets", dt.date(2026, 3, 1), "UTC", drive_api_url=drive.url)
    setup.google("paste")

    text = "\n".join(shown)
    assert "has no code: paste the whole address" in text
    assert "comes from an earlier sign-in attempt" in text and "CSRF" not in text
    assert sum(q.startswith("What now: try again (again), another OAuth client") for q in asked) == 2
    assert len(URL.findall(text)) == 3          # a new address (new state and verifier) for each retry
    assert "Root folder 'Qonto': will be created at the first sync" in text
    credentials = setup.destination["credentials"]
    assert credentials["refresh_token"] == drive.oauth_credentials()["refresh_token"]
    assert credentials["client_secret"] not in text and credentials["refresh_token"] not in text
    assert setup.destination["drive_api_url"] == drive.url and drive.paths() == []   # nothing written yet


def test_given_no_browser_here_when_the_google_step_starts_then_it_explains_first_and_a_person_can_stop(
        tmp_path, drive, client_file, monkeypatch):
    monkeypatch.setattr("tools.setup.google.can_open_browser", lambda: False)
    transcript = []
    answers = {"No browser can be opened": "paste", "Paste the whole address": "http://localhost:8085/",
               "What now": "stop"}

    def person_types(question):
        transcript.append(question)
        return next(text for start, text in answers.items() if question.startswith(start))

    prompter = Prompter({"google_client_file": f'"{client_file}"'}, interactive=True, out=transcript.append,
                        read=person_types, read_secret=lambda _q: pytest.fail("no secret is asked here"))
    setup = Setup(prompter, tmp_path / "secrets", dt.date(2026, 3, 1), "UTC", drive_api_url=drive.url)
    with pytest.raises(SetupStopped, match="stopped at the Google step; nothing was saved"):
        setup.google(None)
    first_question = next(i for i, line in enumerate(transcript) if line.startswith("No browser can be opened"))
    assert transcript[0].startswith("Step 2/5 · Google Drive") and first_question > 0   # context before questions
    assert not (tmp_path / "secrets").exists() and drive.paths() == []
