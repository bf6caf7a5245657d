"""Reconciliation from receipt_index: restore, move, respect deleted period folders, reset."""

import datetime as dt
import socket

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.emulators.drive.client import build_drive

APRIL = [M.receipt(n, settled_at=f"2025-04-0{n}T10:00:00Z", created_at=f"2025-04-0{n}T12:00:00Z") for n in (1, 2, 3)]
MAY = M.receipt(4, settled_at="2025-05-04T10:00:00Z", created_at="2025-05-04T12:00:00Z")


def backfill(drive, config, tmp_path, metas):
    result = run_write(tmp_path, config, M.receipts_messages([(m, M.content_of(i)) for i, m in enumerate(metas)]))
    assert result.returncode == 0, result.stderr
    return {f.app_properties["att"]: f for f in receipts_in(drive)}


def index_messages(bank, metas, contents=None, expired=()):
    out = []
    for i, meta in enumerate(metas):
        content = (contents or {}).get(meta["attachment_id"], M.content_of(i))
        url = bank.serve(meta["attachment_id"], content)
        expires = "2000-01-01T00:00:00Z" if meta["attachment_id"] in expired else "2999-01-01T00:00:00Z"
        out.append(M.record("receipt_index", M.index_entry(meta, url, size=len(content), expires_at=expires)))
    return out + [M.state("receipt_index", {"seen": len(metas)})]


def period_folder(drive, key):
    (folder,) = [f for f in drive.files.values() if f.app_properties.get("period") == key and not f.trashed]
    return folder


def test_given_user_trashed_and_deleted_files_when_index_synced_then_both_come_back(drive, config, bank, tmp_path):
    metas = APRIL + [MAY]
    files = backfill(drive, config, tmp_path, metas)
    drive.user_trash(files[APRIL[0]["attachment_id"]].id)
    drive.user_delete(files[APRIL[1]["attachment_id"]].id)
    before = drive.paths()

    result = run_write(tmp_path, config, index_messages(bank, metas))

    assert result.returncode == 0, result.stderr
    assert result.states == [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "receipt_index"},
                                                           "stream_state": {"seen": 4}}}]
    assert len(receipts_in(drive)) == 4
    assert sorted(drive.paths()) == sorted(set(before) | {p for p in drive.paths()})
    restored = {f.app_properties["att"]: f for f in receipts_in(drive)}
    assert restored[APRIL[0]["attachment_id"]].id == files[APRIL[0]["attachment_id"]].id   # untrashed, not copied
    assert drive.content(restored[APRIL[1]["attachment_id"]].id) == M.content_of(1)
    assert bank.downloads == 1                                                               # only the deleted one
    assert "restored 2" in result.logs


def test_given_nothing_missing_when_index_synced_then_no_write_and_no_download(drive, config, bank, tmp_path):
    metas = APRIL + [MAY]
    backfill(drive, config, tmp_path, metas)
    drive.reset_counters()
    result = run_write(tmp_path, config, index_messages(bank, metas))
    assert result.returncode == 0, result.stderr
    assert drive.counts["write"] == 0 and bank.downloads == 0


def test_given_expired_download_url_when_restoring_then_skipped_with_warning_and_next_sync_restores(
        drive, config, bank, tmp_path):
    files = backfill(drive, config, tmp_path, APRIL)
    lost = APRIL[2]["attachment_id"]
    drive.user_delete(files[lost].id)

    first = run_write(tmp_path, config, index_messages(bank, APRIL, expired={lost}))
    assert first.returncode == 0, first.stderr
    assert len(receipts_in(drive)) == 2
    assert "cannot be restored now" in first.logs
    assert len(first.states) == 1

    second = run_write(tmp_path, config, index_messages(bank, APRIL))
    assert second.returncode == 0
    assert len(receipts_in(drive)) == 3


def test_given_user_deleted_period_folder_when_synced_then_old_receipts_stay_out_and_newer_recreate_it(
        drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL + [MAY])
    drive.user_trash(period_folder(drive, "2025-04").id)
    newer = M.receipt(9, settled_at="2025-04-20T10:00:00Z", created_at="2999-01-01T00:00:00Z")

    # Index of the old ones, then a new April receipt arriving later.
    messages = (M.receipts_messages([(newer, M.content_of(9))])
                + index_messages(bank, APRIL + [MAY]))
    result = run_write(tmp_path, config, messages)

    assert result.returncode == 0, result.stderr
    live = [p for p in drive.paths() if "/2025-04/" in p]
    assert len(live) == 1 and "ACME" in live[0]
    (april,) = [f for f in receipts_in(drive) if f.app_properties["att"] == newer["attachment_id"]]
    assert april.parents == [period_folder(drive, "2025-04").id]
    assert bank.downloads == 0
    assert "skipped deleted folder 3" in result.logs

    # Nightly again: the deletion is remembered, nothing is written.
    drive.reset_counters()
    again = run_write(tmp_path, config, index_messages(bank, APRIL + [MAY, newer]))
    assert again.returncode == 0 and drive.counts["write"] == 0


def test_given_receipt_attached_after_the_folder_was_trashed_when_next_sync_runs_then_it_recreates_the_folder(
        drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL)
    drive.user_trash(period_folder(drive, "2025-04").id)
    # Attached after the trash but before the sync that notices it: newer than the deletion.
    attached = dt.datetime.now(dt.timezone.utc).isoformat()
    newer = M.receipt(8, settled_at="2025-04-25T10:00:00Z", created_at=attached)

    result = run_write(tmp_path, config, M.receipts_messages([(newer, M.content_of(8))]) + index_messages(bank, APRIL))

    assert result.returncode == 0, result.stderr
    (april,) = [p for p in drive.paths() if "/2025-04/" in p]
    assert "skipped deleted folder 3" in result.logs and bank.downloads == 0
    assert [f.parents for f in receipts_in(drive)] == [[period_folder(drive, "2025-04").id]]


def test_given_user_restores_a_trashed_period_folder_when_synced_then_its_missing_receipts_come_back_again(
        drive, config, bank, tmp_path):
    files = backfill(drive, config, tmp_path, APRIL)
    folder = period_folder(drive, "2025-04")
    drive.user_trash(folder.id)
    assert run_write(tmp_path, config, index_messages(bank, APRIL)).returncode == 0   # deletion noticed
    build_drive(drive).files().update(fileId=folder.id, body={"trashed": False}).execute()   # "Restore" in Drive
    drive.user_delete(files[APRIL[0]["attachment_id"]].id)

    result = run_write(tmp_path, config, index_messages(bank, APRIL))

    assert result.returncode == 0, result.stderr
    assert len(receipts_in(drive)) == 3 and bank.downloads == 1


def test_given_period_folder_deleted_permanently_when_synced_then_it_stays_deleted(drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL + [MAY])
    drive.user_delete(period_folder(drive, "2025-05").id)
    result = run_write(tmp_path, config, index_messages(bank, APRIL + [MAY]))
    assert result.returncode == 0, result.stderr
    assert not [p for p in drive.paths() if "2025-05" in p]
    assert len(receipts_in(drive)) == 3


def test_given_deleted_folder_when_new_generation_without_truncation_then_folder_stays_deleted(
        drive, config, bank, tmp_path):
    """A new generation is what the platform sends at every sync of a full-refresh stream, and for a
    "refresh and retain records": never a reset."""
    backfill(drive, config, tmp_path, APRIL)
    drive.user_trash(period_folder(drive, "2025-04").id)
    assert run_write(tmp_path, config, index_messages(bank, APRIL), catalog=M.catalog(generation_id=1)).returncode == 0
    again = run_write(tmp_path, config, index_messages(bank, APRIL), catalog=M.catalog(generation_id=2))
    assert again.returncode == 0, again.stderr
    assert len(receipts_in(drive)) == 0
    assert "Reset" not in again.logs


def test_given_pyairbyte_constant_generations_when_synced_nightly_then_deleted_folder_stays_deleted(
        drive, config, bank, tmp_path):
    """PyAirbyte (make sync) sends generation 1 and minimum generation 1 on every run: not a truncation."""
    pyairbyte = M.catalog(generation_id=1, minimum_generation_id=1)
    backfill(drive, config, tmp_path, APRIL)
    assert run_write(tmp_path, config, index_messages(bank, APRIL), catalog=pyairbyte).returncode == 0
    drive.user_trash(period_folder(drive, "2025-04").id)
    for _ in range(2):
        again = run_write(tmp_path, config, index_messages(bank, APRIL), catalog=pyairbyte)
        assert again.returncode == 0, again.stderr
        assert len(receipts_in(drive)) == 0 and "Reset" not in again.logs


def test_given_deleted_folder_when_receipts_truncated_then_everything_comes_back(drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL)
    assert run_write(tmp_path, config, index_messages(bank, APRIL), catalog=M.catalog(generation_id=1)).returncode == 0
    drive.user_trash(period_folder(drive, "2025-04").id)
    assert run_write(tmp_path, config, index_messages(bank, APRIL), catalog=M.catalog(generation_id=1)).returncode == 0
    assert len(receipts_in(drive)) == 0

    reset = run_write(tmp_path, config, index_messages(bank, APRIL),
                      catalog=M.catalog(generation_id=2, minimum_generation_id=2))

    assert reset.returncode == 0, reset.stderr
    assert len(receipts_in(drive)) == 3
    assert "Reset" in reset.logs


def test_given_deleted_folder_when_clear_data_job_without_records_then_next_sync_brings_everything_back(
        drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL)
    drive.user_trash(period_folder(drive, "2025-04").id)
    assert run_write(tmp_path, config, index_messages(bank, APRIL)).returncode == 0
    assert len(receipts_in(drive)) == 0

    clear = run_write(tmp_path, config, [], catalog=M.catalog(receipts_mode="overwrite"))
    assert clear.returncode == 0, clear.stderr
    assert "Reset" in clear.logs and len(receipts_in(drive)) == 0     # nothing is touched in Drive by the clear

    assert run_write(tmp_path, config, index_messages(bank, APRIL)).returncode == 0
    assert len(receipts_in(drive)) == 3


def test_given_overwrite_mode_for_receipts_when_synced_then_deleted_folders_are_forgotten(drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL)
    drive.user_trash(period_folder(drive, "2025-04").id)
    result = run_write(tmp_path, config, index_messages(bank, APRIL), catalog=M.catalog(receipts_mode="overwrite"))
    assert result.returncode == 0, result.stderr
    assert len(receipts_in(drive)) == 3


def test_given_pending_payment_settling_next_month_when_index_synced_then_receipt_is_moved(
        drive, config, bank, tmp_path):
    pending = M.receipt(6, settled_at=None, emitted_at="2025-04-30T20:00:00Z")
    files = backfill(drive, config, tmp_path, [pending])
    assert "/2025-04/" in drive.paths()[-1]
    settled = {**pending, "settled_at": "2025-05-02T08:00:00Z", "status": "completed"}

    result = run_write(tmp_path, config, index_messages(bank, [settled]))

    assert result.returncode == 0, result.stderr
    (moved,) = receipts_in(drive)
    assert moved.id == files[pending["attachment_id"]].id
    assert moved.parents == [period_folder(drive, "2025-05").id]
    assert moved.name.startswith("2025-05-02 ")
    assert bank.downloads == 0 and "moved 1" in result.logs
    # The user disagrees and puts it back in April: it stays there, the move is not made twice.
    drive.user_move(moved.id, period_folder(drive, "2025-04").id)
    again = run_write(tmp_path, config, index_messages(bank, [settled]))
    assert "moved 0" in again.logs and drive.files[moved.id].parents == [period_folder(drive, "2025-04").id]


def test_given_pending_payment_settling_when_receipt_sent_again_then_moved_without_new_upload(drive, config, tmp_path):
    pending = M.receipt(6, settled_at=None, emitted_at="2025-04-30T20:00:00Z")
    backfill(drive, config, tmp_path, [pending])
    settled = {**pending, "settled_at": "2025-05-02T08:00:00Z", "status": "completed"}
    drive.reset_counters()
    result = run_write(tmp_path, config, M.receipts_messages([(settled, M.content_of(0))]))
    assert result.returncode == 0, result.stderr
    assert [p.split("/")[2] for p in drive.paths() if "ACME" in p] == ["2025-05"]
    assert drive.counts["upload.multipart"] == 0 and drive.counts["files.update"] == 1


def test_given_user_trashed_the_root_folder_when_synced_then_a_new_root_receives_everything(
        drive, config, bank, tmp_path):
    backfill(drive, config, tmp_path, APRIL)
    (root,) = [f for f in drive.files.values() if f.app_properties.get("kind") == "root"]
    drive.user_trash(root.id)
    result = run_write(tmp_path, config, index_messages(bank, APRIL))
    assert result.returncode == 0, result.stderr
    assert len(receipts_in(drive)) == 3
    assert all(p.startswith("Qonto/Main account") for p in drive.paths() if p.endswith(".pdf"))


def test_given_bank_unreachable_or_url_refused_when_restoring_then_skipped_with_warning_and_url_not_shown(
        drive, config, bank, tmp_path):
    files = backfill(drive, config, tmp_path, APRIL)
    for meta in APRIL[1:]:
        drive.user_delete(files[meta["attachment_id"]].id)
    with socket.socket() as s:          # a loopback port nobody listens on: the bank is down
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}/files/x?signature=s3cr3t-down"
    urls = {APRIL[1]["attachment_id"]: down, APRIL[2]["attachment_id"]: "http://bank.example/x?signature=s3cr3t-http"}
    messages = [M.record("receipt_index", M.index_entry(meta, urls.get(meta["attachment_id"], bank.url + "none")))
                for meta in APRIL] + [M.state("receipt_index", {"seen": 3})]

    result = run_write(tmp_path, config, messages)

    assert result.returncode == 0, result.stderr
    assert len(result.states) == 1 and len(receipts_in(drive)) == 1
    assert result.logs.count("cannot be restored now") == 2
    assert "s3cr3t" not in result.stdout + result.stderr
