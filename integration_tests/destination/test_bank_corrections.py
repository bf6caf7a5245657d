"""Corrections at the bank: an attachment removed, a filed pending payment declined."""

from __future__ import annotations

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_ledger_write import for_receipt, ledgers, missing_list, sync_messages
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.destination.test_write_reconcile import index_messages

APRIL = [M.receipt(n, settled_at=f"2025-04-0{n}T10:00:00Z", created_at=f"2025-04-0{n}T12:00:00Z") for n in (1, 2)]
PENDING = M.receipt(3, settled_at=None, emitted_at="2025-04-20T09:00:00Z", created_at="2025-04-20T12:00:00Z")


def sync(tmp_path, config, messages):
    result = run_write(tmp_path, config, messages)
    assert result.returncode == 0, result.stderr
    return result


def trashed_receipts(drive):
    return {f.app_properties["att"] for f in receipts_in(drive, include_trashed=True) if f.trashed}


def test_given_an_attachment_removed_at_the_bank_when_synced_then_its_file_is_trashed_and_ledger_and_list_agree(
        drive, config, bank, tmp_path):
    wrong, kept = APRIL
    txs = [for_receipt(m, i) for i, m in enumerate(APRIL)]
    sync(tmp_path, config, sync_messages(APRIL, txs) + index_messages(bank, APRIL))

    corrected = {**txs[0], "attachment_ids": [], "updated_at": "2025-05-01T00:00:00Z"}
    messages = sync_messages((), [corrected]) + index_messages(bank, [kept])
    result = sync(tmp_path, config, messages)

    assert trashed_receipts(drive) == {wrong["attachment_id"]}
    assert [f.app_properties["att"] for f in receipts_in(drive)] == [kept["attachment_id"]]
    assert "trashed 1" in result.logs and "moved to the Drive trash" in result.logs
    row = {r["Transaction id"]: r for r in ledgers(drive)["2025-04"]}[wrong["transaction_id"]]
    assert row["Receipt"] == "" and row["Receipt status"] == "receipt missing"
    assert [r[7] for r in missing_list(drive)[2:]] == [wrong["transaction_id"]]


def test_given_a_filed_pending_payment_declined_when_synced_then_trashed_once_and_a_restore_by_the_user_is_kept(
        drive, config, bank, tmp_path):
    tx = for_receipt(PENDING, 3)
    sync(tmp_path, config, sync_messages([PENDING], [tx]) + index_messages(bank, [PENDING]))
    (file,) = receipts_in(drive)

    # Declined: the source sends the transaction again (declined, its attachment still listed); no receipt,
    # and the index no longer lists it (docs/stream-contract.md).
    declined = {**tx, "status": "declined", "updated_at": "2025-04-22T00:00:00Z"}
    messages = sync_messages((), [declined]) + index_messages(bank, [])
    result = sync(tmp_path, config, messages)

    assert drive.files[file.id].trashed and "trashed 1" in result.logs
    assert ledgers(drive).get("2025-04", []) == []
    drive.user_untrash(file.id)                                         # the user wants it after all
    assert "trashed 0" in sync(tmp_path, config, messages).logs and not drive.files[file.id].trashed
