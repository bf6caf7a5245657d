"""A user's year, sync after sync: backfill, quiet nights, new activity, things deleted in Drive.

Both connectors run as processes (`source read | destination write`) against the emulators, and
the state the destination confirms is the next read's state, as on the Airbyte platform.
"""

from __future__ import annotations

import pytest

from integration_tests.e2e.drive_view import (
    check_exactly_once,
    exported_attachments,
    folder_name,
    receipt_files,
)

pytestmark = pytest.mark.slow


def test_given_empty_drive_when_first_sync_then_every_receipt_is_filed_once_with_the_banks_bytes(world):
    result = world.sync()

    assert check_exactly_once(world.bank, world.drive) == []
    assert all(path.startswith("Qonto/") for path in world.drive.paths())
    expected = set(exported_attachments(world.bank))
    assert len(expected) >= 12
    # Every receipt travelled in the `receipts` stream, each downloaded once from the bank: none had
    # to be fetched again by the destination's reconciliation.
    assert result.sent.invalid_lines == []
    assert result.sent.receipt_ids == expected
    assert world.bank.count(prefix="/_s3/") == len(expected)
    assert any(state["type"] in ("STREAM", "GLOBAL") for state in result.states)


def test_given_backfilled_drive_when_nothing_changed_then_the_next_sync_writes_nothing(world):
    world.sync()
    world.bank.reset_counters()

    writes = world.sync_counting_drive_writes()

    assert writes == 0
    assert world.bank.count(prefix="/_s3/") == 0  # no receipt downloaded again
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_new_account_late_receipt_and_settled_payment_when_syncing_then_only_those_change(world):
    main = next(a for a in world.bank.dataset.accounts.values() if a.main)
    pending = world.bank.add_transaction(
        main.id, amount=89.9, label="Hôtel du Nord", status="pending",
        emitted_at="2025-11-30T20:00:00.000Z", settled_at=None,
        attachments=[{"file_name": "hotel.pdf", "content_type": "application/pdf", "size": 42_000}],
    )
    world.sync()
    pending_receipt = world.bank.dataset.transactions[pending["id"]].attachment_ids[0]
    assert folder_name(world.drive, receipt_files(world.drive)[pending_receipt][0]) == "2025-11"
    before = set(receipt_files(world.drive))

    travel = world.bank.add_bank_account(name="Voyages Q4", iban="FR7616958000010000000000777")
    new = world.bank.add_transaction(
        travel["id"], amount=312.0, label="Air France", emitted_at="2025-12-10T09:00:00.000Z",
        settled_at="2025-12-11T09:00:00.000Z",
        attachments=[{"file_name": "billet.pdf", "content_type": "application/pdf", "size": 80_000}],
    )
    old = min(
        (t for t in world.bank.dataset.transactions.values() if t.status == "completed" and not t.attachment_ids),
        key=lambda t: t.emitted_ms,
    )
    late = world.bank.add_attachment(old.id, file_name="ticket retrouvé.jpg", content_type="image/jpeg", size=20_000)
    world.bank.settle(pending["id"], settled_at="2025-12-02T10:00:00.000Z")
    files_before = set(world.drive.files)

    world.drive.reset_counters()
    world.sync()

    assert check_exactly_once(world.bank, world.drive) == []
    files = receipt_files(world.drive)
    assert set(files) - before == {world.bank.dataset.transactions[new["id"]].attachment_ids[0], late["id"]}
    assert folder_name(world.drive, files[pending_receipt][0]) == "2025-12"  # moved, not copied
    assert any(path.startswith("Qonto/") and "Voyages Q4" in path for path in world.drive.paths())
    # the two new files are the only uploads: the settled receipt is moved, nothing is re-sent (the new
    # account's first ledger is made with files.create and filled through the Sheets API, no media)
    new_ledgers = sum(1 for f in world.drive.files.values()
                      if f.app_properties.get("kind") == "ledger" and f.id not in files_before)
    assert world.drive.counts["upload.multipart"] + world.drive.counts["upload.resumable"] == 2
    assert new_ledgers >= 1 and world.drive.counts["files.create"] >= new_ledgers


def test_given_user_trashed_one_receipt_and_deleted_another_when_syncing_then_both_come_back(world):
    world.sync()
    (_, (trashed,)), (_, (deleted,)) = sorted(receipt_files(world.drive).items())[:2]
    world.drive.user_trash(trashed.id)
    world.drive.user_delete(deleted.id)
    assert len(receipt_files(world.drive)) == len(exported_attachments(world.bank)) - 2

    world.sync()

    assert check_exactly_once(world.bank, world.drive) == []


def test_given_user_trashed_one_period_folder_and_deleted_another_when_syncing_then_they_stay_removed_but_newer_receipts_are_filed(
    world,
):
    world.sync()
    files = receipt_files(world.drive)
    folders = sorted({record.parents[0] for (record,) in files.values()}, key=lambda f: world.drive.files[f].name)
    trashed, deleted = folders[-1], folders[-2]  # the two latest period folders (of any account)
    lost = frozenset(att for att, (record,) in files.items() if record.parents[0] in (trashed, deleted))
    periods = {folder: (world.drive.files[folder].name, _account_of(world, files, folder)) for folder in (trashed, deleted)}
    world.drive.user_trash(trashed)
    world.drive.user_delete(deleted)

    world.sync()  # the night after: the deletions are respected (and noticed)
    assert check_exactly_once(world.bank, world.drive, except_ids=lost) == []
    assert not set(receipt_files(world.drive)) & lost

    # Receipts of those periods attached after the sync that noticed the deletions are "newer".
    newer = []
    for period, account_id in periods.values():
        txn = world.bank.add_transaction(
            account_id, amount=15.0, label="Boulangerie Paul", emitted_at=f"{period}-15T08:00:00.000Z",
            settled_at=f"{period}-15T09:00:00.000Z",
            attachments=[{"file_name": "croissants.jpg", "content_type": "image/jpeg", "size": 9_000}],
        )
        newer.append((world.bank.dataset.transactions[txn["id"]].attachment_ids[0], period))
    world.sync()

    assert check_exactly_once(world.bank, world.drive, except_ids=lost) == []
    for attachment_id, period in newer:
        assert folder_name(world.drive, receipt_files(world.drive)[attachment_id][0]) == period
    assert not set(receipt_files(world.drive)) & lost

    assert world.sync_counting_drive_writes() == 0  # and the next night leaves it alone too


def _account_of(world, files, folder_id) -> str:
    attachment_id = next(att for att, (record,) in files.items() if record.parents[0] == folder_id)
    return world.bank.dataset.transactions[world.bank.dataset.attachments[attachment_id].transaction_id].bank_account_id
