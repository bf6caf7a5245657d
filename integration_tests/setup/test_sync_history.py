"""`make sync` leaves a run history that `make status` reads: a success, then a failure."""
import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tools.sync_history import parse_history

REPO = Path(__file__).resolve().parents[2]


def sync(secrets: Path, state: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.local_sync", "--secrets", str(secrets), "--state-dir", str(state)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def sync_in_terminal(secrets: Path, state: Path):
    pexpect = pytest.importorskip("pexpect", reason="pexpect is not installed (dev extra)")
    child = pexpect.spawn(sys.executable, ["-m", "tools.local_sync", "--secrets", str(secrets), "--state-dir", str(state)],
                          cwd=str(REPO), encoding="utf-8", timeout=300, dimensions=(50, 300))
    child.expect(pexpect.EOF)
    child.output = child.before
    child.close()
    return child


def status(state: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tools.status", "--state-dir", str(state)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.mark.slow
def test_given_a_good_then_a_failing_sync_when_status_runs_then_it_shows_both_and_exits_1(tmp_path, bank, drive):
    secrets, state = tmp_path / "secrets", tmp_path / "state"
    secrets.mkdir()
    (secrets / "source.json").write_text(json.dumps(bank.source_config(start_date="2024-01-01")))
    destination = drive.destination_config(writes_per_second=50)
    (secrets / "destination.json").write_text(json.dumps(destination))

    good = sync_in_terminal(secrets, state)
    assert good.exitstatus == 0, good.before
    assert "\rfiled " in good.output and " receipts/s" in good.output   # the live line, redrawn in place
    assert "Using local" not in good.output and "Writing PyAirbyte" not in good.output   # library chatter: in the log
    assert status(state).returncode == 0

    # a config edited by hand into something the source rejects: the run fails before reading
    (secrets / "source.json").write_text(json.dumps(bank.source_config(start_date="last year")))
    bad = sync(secrets, state)
    assert bad.returncode == 1, bad.stdout + bad.stderr

    runs = parse_history((state / "runs.jsonl").read_text())
    assert [run.ok for run in runs] == [True, False]
    uploaded = runs[0].outcomes["uploaded"]
    assert uploaded > 0 and runs[0].archive["receipts_known"] == 0
    last_frame = re.findall(r"\r(filed [^\r\n]*)", good.output)[-1]
    assert last_frame.startswith(f"filed {uploaded} of {uploaded} receipts")   # the last frame = the summary
    assert runs[1].error.startswith("bank side: ") and "\n" not in runs[1].error   # the source's own message…
    assert "Error when writing" not in runs[1].error and "start_date" in runs[1].error   # …not PyAirbyte's wrapper
    assert bank.api_key_credentials()["secret_key"] not in (state / "runs.jsonl").read_text()

    shown = status(state)
    assert shown.returncode == 1
    assert runs[1].error in shown.stdout and f"the whole run in {state / 'sync.log'}" in shown.stdout
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (state, state / "logs", state / "sync.log",
                                                                       state / "runs.jsonl")}
    assert modes == {"state": 0o700, "logs": 0o700, "sync.log": 0o600, "runs.jsonl": 0o600}
    log = (state / "sync.log").read_text()
    assert "sync FAILED: bank side: " in log and "(for example 2024-01-01)" in log   # lines not wrapped at 80
    assert list((state / "logs").rglob("source-bank-receipts-log-*"))   # the connectors' logs: in the state folder
    assert re.search(rf"  ok      \d+:\d\d:\d\d  uploaded {uploaded},", shown.stdout), shown.stdout
    assert "FAILED" in shown.stdout and "The last sync FAILED" in shown.stdout
    assert f"receipts in Drive:        {uploaded} " in shown.stdout
    assert "not scheduled" in shown.stdout
    assert "\r" not in bad.stdout   # not a terminal: plain lines only
