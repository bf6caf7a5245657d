"""No silent hang and one error per failure, on the destination side.

- One upload worker blocked on purpose (Drive accepts the upload and answers nothing): the stall
  watchdog ends the write within its limit with one TRACE error, the thread stacks in the log,
  and only the states of what is in Drive echoed; the next sync files the rest, each receipt once.
- Drive refusing the credentials on every upload while several workers upload (the refreshed
  token refused too, or the grant revoked): one TRACE error, readable, its traceback only in the log. (A full Drive: test_write_recovery.py, one error too.)
"""

from __future__ import annotations

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.destination.test_write_recovery import assert_each_receipt_once
from integration_tests.emulators.drive import DriveEmulator

ITEMS = [(M.receipt(n, settled_at=f"2025-0{1 + n % 4}-1{n % 10}T10:00:00Z"), M.content_of(n)) for n in range(8)]
STALL_MINUTES = 0.05


def test_given_one_upload_worker_blocked_when_nothing_moves_then_one_trace_error_honest_states_and_the_next_sync_completes(tmp_path):
    messages = M.receipts_messages(ITEMS, state_every=2)
    with DriveEmulator() as drive:
        config = {**drive.destination_config(writes_per_second=50), "stall_timeout_minutes": STALL_MINUTES}
        hang = drive.faults.add("POST", r"^/upload/drive/v3/files", hang_s=60, times=1)

        stalled = run_write(tmp_path, config, messages)

        assert hang.hits == 1 and stalled.returncode != 0
        (error,) = stalled.errors
        assert "no progress for 3 s" in error["message"] and "Traceback" not in error["message"]
        assert "Stacks of the threads" in stalled.logs and "drive-upload" in stalled.logs
        sent = [m["state"] for m in messages if m["type"] == "STATE"]
        assert stalled.states == sent[: len(stalled.states)] and len(stalled.states) < len(sent)
        assert len(receipts_in(drive)) >= 2 * len(stalled.states), "a state was echoed before its receipts were in Drive"

        resumed = run_write(tmp_path, config, messages)

        assert resumed.returncode == 0, resumed.logs[-2000:]
        assert_each_receipt_once(drive, ITEMS)


@pytest.mark.parametrize("grant", ["kept", "revoked"])
def test_given_drive_refusing_the_credentials_on_every_upload_when_several_workers_upload_then_one_readable_trace_error(tmp_path, grant):
    # "kept": the refresh works and Drive refuses the new token too; "revoked": the refresh itself
    # is refused (invalid_grant) once the access token that opened Drive is refused mid-sync.
    with DriveEmulator() as drive:
        config = drive.destination_config(writes_per_second=50)
        if grant == "revoked":
            config["credentials"] = {**config["credentials"], "access_token": drive.issue_access_token(), "refresh_token": "1//revoked"}
        drive.faults.add("POST", r"^/upload/drive/v3/files", status=401, times=None, reason="authError")

        result = run_write(tmp_path, config, M.receipts_messages(ITEMS))

        assert result.returncode != 0
        (error,) = result.errors
        assert "Sign in with Google again" in error["message"] and "Traceback" not in error["message"]
        assert ("refused to renew" in error["message"]) == (grant == "revoked")
        assert not error.get("stack_trace")
        assert "Traceback" not in result.stderr
