"""What the user does to receipt files between two syncs, done as Drive does it, then the next syncs."""

from __future__ import annotations

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_ledger_write import for_receipt, ledgers, receipt_links, sync_messages
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.destination.test_write_reconcile import index_messages

APRIL = [M.receipt(n, settled_at=f"2025-04-0{n}T10:00:00Z", created_at=f"2025-04-0{n}T12:00:00Z") for n in range(1, 7)]


def by_att(drive):
    return {f.app_properties["att"]: f for f in receipts_in(drive)}


def sync(tmp_path, config, messages):
    result = run_write(tmp_path, config, messages)
    assert result.returncode == 0, result.stderr
    return result


def test_given_users_version_of_a_receipt_when_the_bank_resends_the_same_bytes_then_the_users_version_stays(
        drive, config, tmp_path):
    meta = APRIL[0]
    sync(tmp_path, config, M.receipts_messages([(meta, M.content_of(1))]))
    file = by_att(drive)[meta["attachment_id"]]
    drive.user_new_version(file.id, b"%PDF annotated by the accountant")
    drive.reset_counters()

    # The bank changed only the transaction's note: the receipt comes again with the same bytes.
    result = sync(tmp_path, config, M.receipts_messages([({**meta, "updated_at": "2025-05-01T00:00:00Z"},
                                                          M.content_of(1))]))

    assert drive.content(file.id) == b"%PDF annotated by the accountant"
    assert drive.counts["write"] == 0 and "updated 0" in result.logs


def test_given_users_version_when_the_bank_changes_the_file_then_a_new_revision_and_the_users_is_kept_for_good(
        drive, config, tmp_path):
    meta = APRIL[0]
    sync(tmp_path, config, M.receipts_messages([(meta, M.content_of(1))]))
    file = by_att(drive)[meta["attachment_id"]]
    drive.user_new_version(file.id, b"%PDF annotated by the accountant")

    result = sync(tmp_path, config, M.receipts_messages([(meta, M.content_of(1, version=2))]))

    assert drive.content(file.id) == M.content_of(1, version=2)           # same file, the bank's bytes current
    assert drive.kept_forever(file.id) == [b"%PDF annotated by the accountant"]
    assert "updated 1" in result.logs and "held a version of yours" in result.logs


def test_given_receipts_moved_into_a_sub_folder_and_out_of_the_archive_when_synced_twice_then_none_moves_and_ledger_links_them(
        drive, config, bank, tmp_path):
    txs = [for_receipt(m, i) for i, m in enumerate(APRIL)]
    sync(tmp_path, config, sync_messages(APRIL, txs))
    files = by_att(drive)
    period = files[APRIL[0]["attachment_id"]].parents[0]
    done = drive.create_user_folder("Traité", parent=period)          # the user's own folder: invisible to the app
    elsewhere = drive.create_user_folder("Dossier client")
    moved = {m["attachment_id"]: (done if i < 3 else elsewhere) for i, m in enumerate(APRIL[:5])}
    for attachment, folder in moved.items():
        drive.user_move(files[attachment].id, folder)
    drive.reset_counters()

    # Every receipt is sent again with a changed transaction (a note), then reconciled from the index.
    changed = [{**t, "note": "checked", "updated_at": "2025-05-02T00:00:00Z"} for t in txs]
    first = sync(tmp_path, config, sync_messages(APRIL, changed) + index_messages(bank, APRIL))
    second = sync(tmp_path, config, sync_messages(APRIL, changed) + index_messages(bank, APRIL))

    now = by_att(drive)
    assert {a: now[a].parents[0] for a in moved} == moved and len(now) == len(APRIL)
    assert "moved 0" in first.logs and "moved 0" in second.logs and "uploaded 0" in first.logs
    assert bank.downloads == 0
    links = receipt_links(drive, "2025-04")
    assert all(links[m["transaction_id"]] == [f"https://drive.google.com/file/d/{now[m['attachment_id']].id}/view"]
               for m in APRIL)

    # Trashed from the user's folder, which the connector cannot see: it comes back in its period folder.
    first_moved = APRIL[0]["attachment_id"]
    drive.user_trash(now[first_moved].id)
    sync(tmp_path, config, index_messages(bank, APRIL))
    assert by_att(drive)[first_moved].parents == [period] and len(by_att(drive)) == len(APRIL)


def test_given_renamed_and_moved_folders_and_a_renamed_receipt_when_synced_then_new_receipts_follow_them(
        drive, config, bank, tmp_path):
    may = M.receipt(7, settled_at="2025-05-03T10:00:00Z", created_at="2025-05-03T12:00:00Z")
    sync(tmp_path, config, M.receipts_messages([(APRIL[0], M.content_of(1)), (may, M.content_of(7))]))
    files = by_att(drive)
    april, may_folder = files[APRIL[0]["attachment_id"]].parents[0], files[may["attachment_id"]].parents[0]
    account = drive.files[april].parents[0]
    drive.user_rename(account, "Compte courant")
    drive.user_move(account, drive.create_user_folder("Banque"))
    drive.user_rename(april, "Avril")
    drive.user_move(may_folder, drive.create_user_folder("2025", parent=account))
    drive.user_rename(files[may["attachment_id"]].id, "garage.pdf")
    drive.files[files[APRIL[0]["attachment_id"]].id].starred = True            # a star put in the Drive UI
    folders_before = {f.id for f in drive.files.values() if f.mime_type.endswith("folder")}

    late = [M.receipt(8, settled_at="2025-04-08T10:00:00Z"), M.receipt(9, settled_at="2025-05-09T10:00:00Z")]
    everything = [APRIL[0], may] + late
    result = sync(tmp_path, config, M.receipts_messages([(m, M.content_of(8 + i)) for i, m in enumerate(late)])
                  + index_messages(bank, everything, {m["attachment_id"]: M.content_of(8 + i)
                                                      for i, m in enumerate(late)}))

    now = by_att(drive)
    assert {f.id for f in drive.files.values() if f.mime_type.endswith("folder")} == folders_before
    assert now[late[0]["attachment_id"]].parents == [april] and now[late[1]["attachment_id"]].parents == [may_folder]
    assert drive.files[now[may["attachment_id"]].id].name == "garage.pdf"
    assert drive.files[now[APRIL[0]["attachment_id"]].id].starred
    assert "uploaded 2, updated 0, restored 0, moved 0" in result.logs


def test_given_an_account_folder_trashed_when_its_receipts_come_again_then_it_stays_deleted(
        drive, config, bank, tmp_path):
    sync(tmp_path, config, M.receipts_messages([(m, M.content_of(i)) for i, m in enumerate(APRIL[:2])]))
    account = drive.files[by_att(drive)[APRIL[0]["attachment_id"]].parents[0]].parents[0]
    drive.user_trash(account)

    result = sync(tmp_path, config, index_messages(bank, APRIL[:2]))

    assert receipts_in(drive) == [] and "skipped deleted folder 2" in result.logs
    assert not [f for f in drive.files.values() if f.app_properties.get("kind") == "account" and not f.trashed]
