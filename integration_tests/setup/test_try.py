"""`make try` as a newcomer runs it: a pseudo-terminal, a headless browser for Google's sign-in
(`--sign-in paste`), the defaults everywhere — no account. The sync that follows in `make try` is
`make sync` on the configs setup wrote (--no-sync here: test_sync_history.py runs that sync)."""
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


@pytest.mark.slow
def test_given_no_account_when_make_try_runs_headless_then_setup_completes_in_its_own_folder(tmp_path):
    require_browser()
    folder = tmp_path / "try"
    env = {**os.environ, "HOME": str(tmp_path / "home"), "TZ": "UTC", "PYTHONUNBUFFERED": "1",
           "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    child = pexpect.spawn(sys.executable, ["-m", "tools.try_setup", "--sign-in", "paste", "--folder", str(folder),
                                           "--transactions", "8", "--receipts", "3", "--no-sync"],
                          cwd=str(REPO), env=env, encoding="utf-8", timeout=120, dimensions=(50, 400))
    transcript = []
    child.logfile_read = type("T", (), {"write": lambda _s, t: transcript.append(t), "flush": lambda _s: None})()

    child.expect_exact("✓ connected; 3 bank account(s)")       # the emulated bank's key came pre-filled
    child.expect(URL)
    consent = child.after
    child.expect_exact("Paste the whole address of that page: ")
    child.sendline(approve(consent, intercept_redirect=True))   # headless: the address the browser ended on
    for prompt in ("[Qonto]: ", "(YYYY-MM-DD) [", "[month]: ", "[UTC]: ", "Enter: nobody) []: "):
        child.expect_exact(prompt)
        child.sendline("")
    child.expect(r"Receipts since \d{4}-01-01: (\d+)")          # the default start date…
    assert int(child.match.group(1)) > 0                          # …previews the sample data (dates follow today)
    child.expect_exact("(yes/no) [yes]: ")
    child.sendline("")
    child.expect_exact("Drive check passed")
    child.expect(r"Schedule with .* \[\w+\]: ")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    text = "".join(transcript)

    assert child.exitstatus == 0, text[-3000:]
    assert "Traceback" not in text
    secrets = folder / "secrets"
    assert stat.S_IMODE(os.stat(secrets / "destination.json").st_mode) == 0o600
    destination = json.loads((secrets / "destination.json").read_text())
    assert destination["drive_api_url"].startswith("http://127.0.0.1:")
    assert destination["credentials"]["refresh_token"] not in text
    assert json.loads((secrets / "source.json").read_text())["api_url"].startswith("http://127.0.0.1:")
    assert not (tmp_path / "home").exists()                      # no unit, no crontab: nothing of the person's
