"""The user's actions in Drive and corrections at the bank, through both connectors as processes."""

from __future__ import annotations

import pytest

from integration_tests.e2e.drive_view import check_exactly_once, receipt_files

pytestmark = pytest.mark.slow


def live_roots(drive):
    return [f for f in drive.files.values() if f.app_properties.get("kind") == "root" and not f.trashed]


def test_given_root_moved_into_comptabilite_when_syncing_then_no_second_root_and_nothing_uploaded_twice(world):
    world.sync()
    (root,) = live_roots(world.drive)
    world.drive.user_move(root.id, world.drive.create_user_folder("Comptabilité"))
    world.bank.reset_counters()

    writes = world.sync_counting_drive_writes()

    assert [r.id for r in live_roots(world.drive)] == [root.id]
    assert writes == 0 and world.bank.count(prefix="/_s3/") == 0
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_filed_pending_payments_declined_and_reversed_and_an_attachment_removed_at_the_bank_when_syncing_then_all_are_trashed(
        world):
    main = next(a for a in world.bank.dataset.accounts.values() if a.main)
    pending = [world.bank.add_transaction(
        main.id, amount=amount, label=label, status="pending", emitted_at="2025-11-28T08:00:00.000Z", settled_at=None,
        attachments=[{"file_name": f"{label.lower()}.pdf", "content_type": "application/pdf", "size": 9_000}])
        for amount, label in ((64.0, "Garage"), (38.5, "Hotel"))]
    world.sync()
    with world.bank.dataset.lock:
        corrected = next(t for t in world.bank.dataset.transactions.values()
                         if t.status == "completed" and len(t.attachment_ids) == 1)
        wrong = corrected.attachment_ids[0]
    declined, reversed_ = (world.bank.dataset.transactions[p["id"]].attachment_ids[0] for p in pending)
    files = receipt_files(world.drive)
    assert {declined, reversed_, wrong} <= set(files)

    world.bank.decline(pending[0]["id"])
    world.bank.reverse(pending[1]["id"])
    world.bank.remove_attachment(corrected.id, wrong)
    world.sync()

    trashed = {a: world.drive.files[f[0].id].trashed for a, f in files.items() if a in (declined, reversed_, wrong)}
    assert trashed == {declined: True, reversed_: True, wrong: True}
    assert check_exactly_once(world.bank, world.drive) == []
