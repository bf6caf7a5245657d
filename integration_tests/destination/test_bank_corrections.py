"""Corrections at the bank: an attachment removed, a filed pending payment declined or reversed; a
sealed copy (`var=probative`) follows its original."""

from __future__ import annotations

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_ledger_write import for_receipt, ledgers, missing_ids, sync_messages, transaction
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.destination.test_write_reconcile import index_messages
from integration_tests.emulators.bank import sealing

APRIL = [M.receipt(n, settled_at=f"2025-04-0{n}T10:00:00Z", created_at=f"2025-04-0{n}T12:00:00Z") for n in (1, 2)]
PENDING = M.receipt(3, settled_at=None, emitted_at="2025-04-20T09:00:00Z", created_at="2025-04-20T12:00:00Z")


def sync(tmp_path, config, messages):
    result = run_write(tmp_path, config, messages)
    assert result.returncode == 0, result.stderr
    return result


def trashed_receipts(drive):
    return {f.app_properties["att"] for f in receipts_in(drive, include_trashed=True) if f.trashed}


def receipt_files(drive, *, trashed: bool):
    """(attachment, variant) of every filed receipt file, originals and sealed copies, trashed or live."""
    return {(f.app_properties["att"], f.app_properties.get("var", "original"))
            for f in receipts_in(drive, include_trashed=True) if f.trashed is trashed}


def with_sealed_copies(metas, transactions):
    """A sync's messages where every receipt comes with its original and its sealed copy."""
    items = []
    for i, meta in enumerate(metas):
        items.append(({**meta, "variant": "original"}, M.content_of(i)))
        items.append(({**meta, "variant": "probative"}, sealing.sealed_pdf(f"Sealed copy of receipt {i}")))
    accounts = [m for m in sync_messages((), ()) if m["type"] == "RECORD"]
    return accounts + M.receipts_messages(items) + sync_messages((), transactions)[len(accounts):]


def test_given_an_attachment_removed_at_the_bank_when_synced_then_its_file_is_trashed_and_ledger_and_list_agree(
        drive, config, bank, tmp_path):
    wrong, kept = APRIL
    txs = [for_receipt(m, i) for i, m in enumerate(APRIL)]
    sync(tmp_path, config, with_sealed_copies(APRIL, txs) + index_messages(bank, APRIL))
    assert len(receipt_files(drive, trashed=False)) == 4                  # two originals, two sealed copies

    corrected = {**txs[0], "attachment_ids": [], "updated_at": "2025-05-01T00:00:00Z"}
    messages = sync_messages((), [corrected]) + index_messages(bank, [kept])
    result = sync(tmp_path, config, messages)

    # The removed receipt's sealed copy goes with it; the other receipt keeps both of its files.
    assert receipt_files(drive, trashed=True) == {(wrong["attachment_id"], "original"), (wrong["attachment_id"], "probative")}
    assert receipt_files(drive, trashed=False) == {(kept["attachment_id"], "original"), (kept["attachment_id"], "probative")}
    assert "trashed 2" in result.logs and "moved to the Drive trash" in result.logs
    row = {r["Transaction id"]: r for r in ledgers(drive)["2025-04"]}[wrong["transaction_id"]]
    assert row["Receipts"] == "" and row["Receipt status"] == "receipt missing"
    assert missing_ids(drive) == [wrong["transaction_id"]]


def test_given_a_filed_pending_payment_declined_when_synced_then_trashed_once_and_a_restore_by_the_user_is_kept(
        drive, config, bank, tmp_path):
    tx = for_receipt(PENDING, 3)
    sync(tmp_path, config, with_sealed_copies([PENDING], [tx]) + index_messages(bank, [PENDING]))
    (file,) = [f for f in receipts_in(drive) if "var" not in f.app_properties]

    # Declined: the source sends the transaction again (declined, its attachment still listed); no receipt,
    # and the index no longer lists it (docs/stream-contract.md).
    declined = {**tx, "status": "declined", "updated_at": "2025-04-22T00:00:00Z"}
    messages = sync_messages((), [declined]) + index_messages(bank, [])
    result = sync(tmp_path, config, messages)

    assert drive.files[file.id].trashed and "trashed 2" in result.logs              # the original and its sealed copy
    assert receipt_files(drive, trashed=False) == set()
    assert ledgers(drive).get("2025-04", []) == []
    drive.user_untrash(file.id)                                         # the user wants it after all
    assert "trashed 0" in sync(tmp_path, config, messages).logs and not drive.files[file.id].trashed


def test_given_a_filed_pending_payment_reversed_when_synced_then_its_receipt_and_sealed_copy_are_trashed_and_ledger_and_list_agree(
        drive, config, bank, tmp_path):
    # Two pending payments: one with a filed receipt (and its sealed copy), one still missing its receipt.
    kept = APRIL[0]
    filed, unpaid = for_receipt(PENDING, 3), transaction(10, settled_at=None, emitted_at="2025-04-21T09:00:00Z")
    txs = [for_receipt(kept, 0), filed, unpaid]
    sync(tmp_path, config, with_sealed_copies([kept, PENDING], txs) + index_messages(bank, [kept, PENDING]))
    assert missing_ids(drive) == [unpaid["id"]]

    # Reversed at the bank (the authorisation cancelled): the source sends both again, reversed, their
    # attachment ids still listed; the index no longer lists the receipt (docs/stream-contract.md).
    reversed_ = [{**t, "status": "reversed", "updated_at": "2025-04-23T00:00:00Z"} for t in (filed, unpaid)]
    result = sync(tmp_path, config, sync_messages((), reversed_) + index_messages(bank, [kept]))

    gone = PENDING["attachment_id"]
    assert receipt_files(drive, trashed=True) == {(gone, "original"), (gone, "probative")}
    assert receipt_files(drive, trashed=False) == {(kept["attachment_id"], "original"), (kept["attachment_id"], "probative")}
    assert "trashed 2" in result.logs
    assert [r["Transaction id"] for r in ledgers(drive)["2025-04"]] == [kept["transaction_id"]]
    assert missing_ids(drive) == []
