"""`make setup` as a person runs it: in a pseudo-terminal, wrong answers included, a real browser
for the Google sign-in, and the emulators of both APIs (no network)."""
import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest

from integration_tests.setup.browser import approve, require_browser

pexpect = pytest.importorskip("pexpect", reason="pexpect is not installed (dev extra)")
REPO = Path(__file__).resolve().parents[2]
URL = re.compile(r"http://127\.0\.0\.1:\d+/o/oauth2/auth\?[^\s\x1b]+")


def spawn(tmp_path, bank, drive, *extra):
    env = {**os.environ, "HOME": str(tmp_path / "home"), "TZ": "UTC", "PYTHONUNBUFFERED": "1",
           "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    args = ["-m", "tools.setup", "--secrets", str(tmp_path / "secrets"), "--state-dir", str(tmp_path / "state"),
            "--bank-api-url", bank.url, "--drive-api-url", drive.url, *extra]
    child = pexpect.spawn(sys.executable, args, cwd=str(REPO), env=env, encoding="utf-8", timeout=120,
                          dimensions=(50, 400))
    child.logfile_read = transcript = _Transcript()
    return child, transcript


class _Transcript:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def answer(child, prompt, text):
    child.expect_exact(prompt)
    child.sendline(text)


@pytest.mark.slow
def test_given_wrong_answers_when_setup_runs_in_a_terminal_then_each_is_explained_and_asked_again(
        tmp_path, bank, drive, client_file):
    require_browser()
    creds = bank.api_key_credentials()
    not_a_client = tmp_path / "notes.json"
    not_a_client.write_text('{"hello": "world"}')
    child, transcript = spawn(tmp_path, bank, drive, "--sign-in", "url", "--schedule", "cron", "--dry-run-schedule")

    answer(child, "(api_key/oauth) [api_key]: ", "")
    answer(child, "Organization slug: ", "not a slug!")
    child.expect_exact("letters, digits")
    answer(child, "Organization slug: ", creds["organization_slug"])
    answer(child, "Secret key: ", "wrong-secret-key-1234")
    answer(child, "[no]: ", "")
    child.expect("The bank refused: .+\n")
    answer(child, "(api_key/oauth) [api_key]: ", "")
    answer(child, "Organization slug: ", creds["organization_slug"])
    answer(child, "Secret key: ", creds["secret_key"])
    answer(child, "[no]: ", "")
    child.expect_exact("bank account(s):")

    answer(child, "(Enter: type ID and secret) []: ", str(not_a_client))
    child.expect_exact("not a Google OAuth client of type Desktop app")
    answer(child, "(Enter: type ID and secret) []: ", str(tmp_path / "missing.json"))
    child.expect_exact("Cannot read")
    answer(child, "(Enter: type ID and secret) []: ", str(client_file))
    child.expect(URL)
    approve(child.after)
    answer(child, "root folder in your Drive [Qonto]: ", "")
    child.expect_exact("will be created at the first sync")

    answer(child, "(YYYY-MM-DD) [", "2999-01-01")
    child.expect_exact("is in the future")
    answer(child, "(YYYY-MM-DD) [", "2024-01-01")
    answer(child, "month, quarter or year [month]: ", "weekly")
    child.expect_exact("Choose one of month, quarter, year.")
    answer(child, "month, quarter or year [month]: ", "")
    answer(child, "at 23:30) [UTC]: ", "Europe/Pariss")
    child.expect_exact("Did you mean Europe/Paris?")
    answer(child, "at 23:30) [UTC]: ", "Europe/Paris")
    answer(child, "Enter: nobody) []: ", "accountant@example.com")

    child.expect(r"Receipts since 2024-01-01: (\d+)")
    assert int(child.match.group(1)) > 0
    child.expect_exact("Drive writes at ~3 per second")
    answer(child, "(yes/no) [yes]: ", "")
    child.expect_exact("Drive check passed")
    child.expect_exact("would add to your crontab")
    child.expect_exact("TZ=Europe/Paris date")
    child.expect_exact("Done: the configs are saved in")
    child.expect_exact("the schedule above was only printed (--dry-run-schedule)")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == 0, transcript.text[-2000:]
    assert "Traceback" not in transcript.text
    secrets = [creds["secret_key"], "wrong-secret-key-1234", drive.oauth_credentials()["client_secret"],
               drive.oauth_credentials()["refresh_token"]]
    assert not [s for s in secrets if s in transcript.text], "a secret reached the terminal"
    for name in ("source.json", "destination.json"):
        path = tmp_path / "secrets" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    destination = json.loads((tmp_path / "secrets/destination.json").read_text())
    assert destination["credentials"]["refresh_token"] == drive.oauth_credentials()["refresh_token"]
    assert (destination["timezone"], destination["period"]) == ("Europe/Paris", "month")
    assert destination["share_with"] == [{"email": "accountant@example.com", "role": "reader"}]
    source = json.loads((tmp_path / "secrets/source.json").read_text())
    assert source["start_date"] == "2024-01-01" and source["credentials"]["secret_key"] == creds["secret_key"]
    assert drive.paths() == ["Qonto/"]           # the root folder, made by the destination's check after the preview
    assert not (tmp_path / "home").exists()      # dry run: no crontab, no unit written


def test_given_an_answers_file_when_setup_runs_unattended_then_a_wrong_client_file_stops_before_the_bank(
        tmp_path, bank, drive):
    creds = bank.api_key_credentials()
    service_account_key = tmp_path / "key.json"
    service_account_key.write_text(json.dumps({"type": "service_account", "private_key": "-----BEGIN"}))
    answers = {"organization_slug": creds["organization_slug"], "secret_key": creds["secret_key"],
               "google_client_file": str(service_account_key), "google_refresh_token": "1//token"}
    (tmp_path / "answers.json").write_text(json.dumps(answers))
    child, transcript = spawn(tmp_path, bank, drive, "--answers", str(tmp_path / "answers.json"), "--non-interactive")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "google_client_file: This is a service-account key, not an OAuth client." in transcript.text
    assert bank.count() == 0                          # checked before any call to the bank
    assert "Traceback" not in transcript.text and creds["secret_key"] not in transcript.text
    assert not (tmp_path / "secrets").exists() and drive.paths() == []
