"""Interruptions and Drive's bad days: nothing lost, nothing duplicated, clear messages."""

import os
import signal
import time

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write, start_write
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.emulators.drive import DriveEmulator

ITEMS = [(M.receipt(n, settled_at=f"2025-0{1 + n % 4}-1{n % 10}T10:00:00Z"), M.content_of(n)) for n in range(12)]


def assert_each_receipt_once(drive, items):
    atts = sorted(f.app_properties["att"] for f in receipts_in(drive, include_trashed=True))
    assert atts == sorted(meta["attachment_id"] for meta, _ in items)
    by_att = {f.app_properties["att"]: f for f in receipts_in(drive)}
    assert all(drive.content(by_att[meta["attachment_id"]].id) == content for meta, content in items)


@pytest.mark.slow
def test_given_sync_killed_mid_write_when_rerun_then_no_duplicates_and_nothing_missing(tmp_path):
    items = [(M.receipt(n, settled_at=f"2025-0{1 + n % 4}-1{n % 10}T10:00:00Z"), M.content_of(n)) for n in range(40)]
    with DriveEmulator(latency_ms=40) as drive:
        config = drive.destination_config(writes_per_second=50)
        process = start_write(tmp_path, config, M.receipts_messages(items, state_every=5))
        deadline = time.monotonic() + 60
        while len(receipts_in(drive)) < 8 and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        interrupted = len(receipts_in(drive))
        assert 0 < interrupted < len(items)

        rerun = run_write(tmp_path, config, M.receipts_messages(items, state_every=5))

        assert rerun.returncode == 0, rerun.stderr
        assert_each_receipt_once(drive, items)
        assert f"skipped {interrupted}" in rerun.logs


@pytest.mark.parametrize("fault", [
    pytest.param(dict(method="POST", path_regex=r"/upload/drive/v3/files", status=503, times=3), id="503-on-upload"),
    pytest.param(dict(method="POST", path_regex=r"/upload/drive/v3/files", status=429, times=2), id="429-on-upload"),
    pytest.param(dict(method="POST", path_regex=r"/upload/drive/v3/files", commit_then_fail=True, times=3),
                 id="upload-committed-then-500"),
    pytest.param(dict(method="POST", path_regex=r"^/drive/v3/files", commit_then_fail=True, times=2),
                 id="folder-create-committed-then-500"),
    pytest.param(dict(method="POST", path_regex=r"/upload/drive/v3/files", reset=True, times=2), id="connection-reset"),
    pytest.param(dict(method="POST", path_regex=r"/upload/drive/v3/files", status=403,
                      reason="userRateLimitExceeded", times=4), id="403-user-rate-limit"),
    pytest.param(dict(method="GET", path_regex=r"/drive/v3/files", status=500, times=1), id="500-on-listing"),
])
def test_given_drive_fault_when_backfilling_then_nothing_lost_and_no_duplicates(drive, config, tmp_path, fault):
    drive.faults.add(**fault)
    result = run_write(tmp_path, config, M.receipts_messages(ITEMS, state_every=4))
    assert result.returncode == 0, result.stderr
    assert drive.faults.pending() == []          # every injected fault was met
    assert_each_receipt_once(drive, ITEMS)
    assert len([f for f in drive.files.values() if f.app_properties.get("kind") == "account"]) == 1


def test_given_resumable_chunk_fails_when_uploading_then_upload_resumes_and_bytes_are_exact(drive, config, tmp_path):
    big = M.content_of(1, size=20_000_000)
    drive.faults.add("PUT", r"/upload/", status=503, times=1)
    drive.faults.add("PUT", r"/upload/", reset=True, times=1)
    result = run_write(tmp_path, config, M.receipts_messages([(M.receipt(1), big)]))
    assert result.returncode == 0, result.stderr
    assert drive.faults.pending() == []
    (stored,) = receipts_in(drive)
    assert drive.content(stored.id) == big and drive.counts["upload.resumable"] == 1


@pytest.mark.slow
def test_given_drive_allowing_three_writes_per_second_when_backfilling_fast_then_rate_limit_is_absorbed(tmp_path):
    with DriveEmulator(write_rate_per_s=3, write_burst=3) as drive:
        config = drive.destination_config(writes_per_second=20)   # deliberately too fast for this Drive
        result = run_write(tmp_path, config, M.receipts_messages(ITEMS[:8], state_every=4))
        assert result.returncode == 0, result.stderr
        assert "403 userRateLimitExceeded" in result.logs   # Drive did push back
        assert_each_receipt_once(drive, ITEMS[:8])


def test_given_drive_fills_up_when_syncing_then_stops_clearly_after_echoing_state_of_what_was_written(tmp_path):
    items = [(M.receipt(n), M.content_of(n, size=40_000)) for n in range(6)]
    messages = M.receipts_messages(items, state_every=2)
    with DriveEmulator(quota_bytes=130_000) as drive:
        result = run_write(tmp_path, drive.destination_config(writes_per_second=50), messages)
        stored = len(receipts_in(drive))

    assert result.returncode != 0
    states = [m["state"] for m in messages if m["type"] == "STATE"]
    assert result.states == states[:len(result.states)] and len(result.states) == stored // 2 >= 1
    (error,) = result.errors
    assert error["failure_type"] == "config_error"
    assert "Google Drive is full" in error["message"] and "Free up space" in error["message"]
    assert "Traceback" not in result.stderr


def test_given_corrupted_chunk_when_syncing_then_clear_error_and_nothing_uploaded(drive, config, tmp_path):
    meta = M.receipt(1)
    messages = M.receipts_messages([(meta, M.content_of(1, size=5000))])
    messages[0]["record"]["data"]["content_base64"] = messages[0]["record"]["data"]["content_base64"][:-8] + "AAAAAAA="
    result = run_write(tmp_path, config, messages)
    assert result.returncode != 0
    (error,) = result.errors
    assert "damaged" in error["message"] and meta["attachment_id"] in error["message"]
    assert receipts_in(drive) == [] and result.states == []
    assert "Traceback" not in result.stderr


def test_given_expired_access_token_when_syncing_then_it_is_refreshed_once(drive, tmp_path):
    token = drive.issue_access_token()
    config = drive.destination_config(writes_per_second=50)
    config["credentials"]["access_token"] = token
    drive.expire_access_tokens()
    result = run_write(tmp_path, config, M.receipts_messages(ITEMS[:2]))
    assert result.returncode == 0, result.stderr
    assert drive.counts["token"] == 1
    assert len(receipts_in(drive)) == 2


def test_given_valid_access_token_when_syncing_then_no_refresh_is_needed(drive, tmp_path):
    config = drive.destination_config(writes_per_second=50)
    config["credentials"]["access_token"] = drive.issue_access_token()
    assert run_write(tmp_path, config, M.receipts_messages(ITEMS[:2])).returncode == 0
    assert drive.counts["token"] == 0


def test_given_index_records_before_receipts_when_drive_fills_up_then_receipts_state_of_what_was_written_is_still_echoed(tmp_path):
    # Streams interleave: receipt_index records often arrive first. Only the index's own state waits for
    # the reconciliation at the end; the receipts' checkpoints must not wait behind it.
    items = [(M.receipt(n), M.content_of(n, size=40_000)) for n in range(6)]
    index = [M.record("receipt_index", M.index_entry(meta, "https://bank.invalid/never-downloaded")) for meta, _ in items]
    messages = index + [M.state("receipt_index", {"__ab_no_cursor_state_message": True})]
    messages += M.receipts_messages(items, state_every=2)
    with DriveEmulator(quota_bytes=130_000) as drive:
        result = run_write(tmp_path, drive.destination_config(writes_per_second=50), messages)
        stored = len(receipts_in(drive))

    assert result.returncode != 0
    receipts_states = [m["state"] for m in messages if m["type"] == "STATE" and m["state"]["stream"]["stream_descriptor"]["name"] == "receipts"]
    assert result.states == receipts_states[:len(result.states)] and len(result.states) == stored // 2 >= 1
