"""A sync that fails on a fatal cause keeps the connector's own words: `make sync` records exactly
one cause and `make status` shows it (issue 17: Drive unreachable, a refused Drive token, a bank
key revoked mid-sync), against the emulators, through the same command a person or cron runs.
"""
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tools.sync_history import parse_history

REPO = Path(__file__).resolve().parents[2]


def closed_port_url() -> str:
    """A loopback address nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def run_tool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def revoke_bank_key(bank, drive) -> dict:
    # the accounts are listed, then every transactions listing is refused: the key was revoked mid-sync
    bank.faults.add(r"^/v2/transactions", status=401, times=None)
    return drive.destination_config(writes_per_second=50)


def refuse_drive_token(bank, drive) -> dict:
    config = drive.destination_config(writes_per_second=50)
    config["credentials"] = {**config["credentials"], "refresh_token": "1//revoked"}
    config["credentials"].pop("access_token", None)
    return config


def drive_unreachable(bank, drive) -> dict:
    # nothing answers at drive_api_url (nor at its token endpoint): the destination's first Drive
    # call, token renewal included, is retried by the client library for about a minute
    return drive.destination_config(writes_per_second=50, drive_api_url=closed_port_url())


@pytest.mark.slow
@pytest.mark.parametrize("break_it, side, words", [
    (revoke_bank_key, "bank side: ", "credentials.secret_key"),
    (refuse_drive_token, "Drive side: ", "Google refused to renew the access"),
    pytest.param(drive_unreachable, "Drive side: ", "Google Drive is unreachable", marks=pytest.mark.long_wait),
], ids=["bank-key-revoked", "drive-token-refused", "drive-unreachable"])
def test_given_a_fatal_cause_when_make_sync_fails_then_status_shows_the_connectors_own_message_once(
        tmp_path, bank, drive, break_it, side, words):
    secrets, state = tmp_path / "secrets", tmp_path / "state"
    secrets.mkdir()
    (secrets / "source.json").write_text(json.dumps(bank.source_config(start_date="2024-01-01")))
    (secrets / "destination.json").write_text(json.dumps(break_it(bank, drive)))

    failed = run_tool("tools.local_sync", "--secrets", str(secrets), "--state-dir", str(state))
    shown = run_tool("tools.status", "--state-dir", str(state))

    assert failed.returncode == 1, failed.stdout + failed.stderr
    (run,) = parse_history((state / "runs.jsonl").read_text())
    assert not run.ok and run.error.startswith(side) and words in run.error, run.error
    assert "Error when writing" not in run.error and "Connector failed" not in run.error   # not PyAirbyte's wrapper
    assert "Traceback" not in run.error and "\n" not in run.error
    log = (state / "sync.log").read_text()
    assert log.count("sync FAILED: ") == 1 and "also reported by" not in log, log   # one TRACE error in all
    assert shown.returncode == 1 and run.error in shown.stdout, shown.stdout
    secret = bank.api_key_credentials()["secret_key"]
    assert secret not in failed.stdout + failed.stderr + shown.stdout + (state / "runs.jsonl").read_text()
