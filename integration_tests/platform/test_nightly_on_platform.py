"""The product's promises over nights driven like the Airbyte platform (driver.py): generations,
refreshes, clear data, stream prefix and job attempts, with and without refresh support."""

from __future__ import annotations

import pytest

from integration_tests.e2e.drive_view import check_exactly_once, exported_attachments, folder_name, receipt_files

pytestmark = pytest.mark.slow


def delete_latest_period_folder(world) -> tuple[str, str, frozenset]:
    """The user deletes the latest period folder: returns (period, bank account id, its attachments)."""
    files = receipt_files(world.drive)
    folder = max({record.parents[0] for (record,) in files.values()}, key=lambda f: world.drive.files[f].name)
    lost = frozenset(att for att, (record,) in files.items() if record.parents[0] == folder)
    any_lost = world.bank.dataset.attachments[next(iter(lost))]
    account = world.bank.dataset.transactions[any_lost.transaction_id].bank_account_id
    period = world.drive.files[folder].name
    world.drive.user_delete(folder)
    return period, account, lost


def logs(result) -> str:
    return "\n".join(m["log"]["message"] for m in result.messages if m.get("type") == "LOG") + result.destination_log


def an_account(world) -> str:
    attachment = world.bank.dataset.attachments[next(iter(exported_attachments(world.bank)))]
    return world.bank.dataset.transactions[attachment.transaction_id].bank_account_id


def add_receipt(world, account: str, day: str) -> str:
    txn = world.bank.add_transaction(account, amount=9.9, label="Kiosque", emitted_at=f"{day}T08:00:00.000Z",
                                     settled_at=f"{day}T09:00:00.000Z",
                                     attachments=[{"file_name": "journal.pdf", "content_type": "application/pdf",
                                                   "size": 4_000}])
    return world.bank.dataset.transactions[txn["id"]].attachment_ids[0]


@pytest.mark.parametrize("supports_refreshes", [True, False])
def test_given_five_platform_nights_when_user_deleted_a_period_folder_then_it_stays_deleted_and_newer_receipts_are_filed(
        make_platform_world, supports_refreshes):
    world = make_platform_world(supports_refreshes=supports_refreshes)
    world.sync()                                                                  # night 1: backfill
    period, account, lost = delete_latest_period_folder(world)
    (trashed,) = next(iter(f for a, f in receipt_files(world.drive).items() if a not in lost))
    world.drive.user_trash(trashed.id)

    newer = None
    for night in range(2, 6):                                                     # nights 2..5
        if night == 3:
            newer = add_receipt(world, account, f"{period}-20")          # month folders: YYYY-MM
        result = world.sync()
        assert "Reset" not in logs(result), f"night {night}: a generation bump was taken for a reset"
        assert check_exactly_once(world.bank, world.drive, except_ids=lost) == [], f"night {night}"
        assert not set(receipt_files(world.drive)) & lost, f"night {night}: the deleted folder came back"
    assert folder_name(world.drive, receipt_files(world.drive)[newer][0]) == period     # newer receipt filed
    assert trashed.id in {r.id for (r,) in receipt_files(world.drive).values()}         # trashed file restored
    if supports_refreshes:
        index_generations = [s["generation_id"] for c in world.connection.catalogs_sent for s in c["streams"]
                             if s["stream"]["name"] == "receipt_index"]
        assert index_generations == [1, 2, 3, 4, 5]          # what used to be read as five resets


def test_given_deleted_folder_when_refresh_and_remove_records_of_receipts_then_every_receipt_comes_back(
        make_platform_world):
    world = make_platform_world(supports_refreshes=True)
    world.sync()
    _, _, lost = delete_latest_period_folder(world)
    world.sync()
    assert not set(receipt_files(world.drive)) & lost

    world.refresh(["receipts"], remove_records=False)                   # retain: what the user decided stays
    assert not set(receipt_files(world.drive)) & lost

    world.refresh(["receipts"], remove_records=True)

    assert check_exactly_once(world.bank, world.drive) == []
    world.drive.reset_counters()
    world.sync()
    assert world.drive.counts["write"] == 0


@pytest.mark.parametrize("supports_refreshes", [True, False])
def test_given_deleted_folder_when_clear_data_then_sync_then_everything_comes_back(make_platform_world, supports_refreshes):
    world = make_platform_world(supports_refreshes=supports_refreshes, prefix="qonto_")
    world.sync()
    _, _, lost = delete_latest_period_folder(world)
    world.sync()
    files_before = len(receipt_files(world.drive))

    cleared = world.clear(["receipts"])
    assert len(receipt_files(world.drive)) == files_before                # clear data deletes nothing in Drive
    assert "Reset" in logs(cleared)                                       # ... but takes effect in its own job
    assert [s["stream"]["stream_descriptor"]["name"] for s in cleared.states] == ["qonto_receipts"]

    world.sync()

    assert check_exactly_once(world.bank, world.drive) == []
    assert set(lost) <= set(receipt_files(world.drive))


def test_given_stream_prefix_when_synced_then_everything_is_filed_and_states_carry_over(make_platform_world):
    world = make_platform_world(prefix="qonto_")
    first = world.sync()
    assert check_exactly_once(world.bank, world.drive) == []
    assert {s["stream"]["stream_descriptor"]["name"] for s in first.states} >= {"qonto_receipts", "qonto_receipt_index"}
    assert {s["stream"]["stream_descriptor"]["name"] for s in world.connection.state} >= {"receipts"}

    new = add_receipt(world, an_account(world), "2025-12-30")
    second = world.sync()
    assert new in second.sent.receipt_ids                            # the carried state kept the read incremental
    assert len(second.sent.receipt_ids) < len(exported_attachments(world.bank)) / 2
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_prefix_and_no_receipts_stream_when_synced_then_it_fails_loudly_naming_the_streams(make_platform_world):
    world = make_platform_world(prefix="qonto_", streams={"bank_accounts"})
    result = world.sync(expect_success=False)
    assert result.destination_returncode != 0
    assert any("qonto_bank_accounts" in error and "receipts" in error for error in result.errors), result.errors
    assert receipt_files(world.drive) == {}


def test_given_first_attempt_killed_when_platform_retries_then_deleted_folder_still_stays_deleted(make_platform_world):
    world = make_platform_world(supports_refreshes=True)
    world.sync()
    _, account, lost = delete_latest_period_folder(world)
    world.sync()
    for n in range(5):
        add_receipt(world, account, f"2025-12-{10 + n:02d}")
    world.drive.reset_counters()

    # Killed at its first Drive write (writes are paced, so the watcher is there before the last one).
    world.sync(kill_first_attempt_when=lambda: world.drive.counts["write"] > 0)

    assert world.connection.last_job.attempts == 2
    first, second = [[s["generation_id"] for s in c["streams"] if s["stream"]["name"] == "receipt_index"]
                     for c in world.connection.catalogs_sent[-2:]]
    assert second[0] == first[0] + 1                      # the retry bumped the full-refresh stream again
    assert check_exactly_once(world.bank, world.drive, except_ids=lost) == []
    assert not set(receipt_files(world.drive)) & lost


def test_given_sealed_copies_in_a_deleted_folder_when_clear_data_then_sync_then_originals_and_copies_come_back(
        make_platform_world):
    from integration_tests.e2e.drive_view import check_sealed_copies, sealed_files
    from integration_tests.emulators.bank import make_sample_dataset
    from integration_tests.e2e.conftest import SMALL_BANK

    dataset = make_sample_dataset(**{**SMALL_BANK, "large_receipt_sizes": ()}, probative=(("available", 1),))
    world = make_platform_world(dataset=dataset, source_overrides={"probative_copies": True})
    world.sync()
    _, _, lost = delete_latest_period_folder(world)
    assert not set(sealed_files(world.drive)) & lost          # the copies went with the folder

    world.clear(["receipts"])
    world.sync()

    assert check_exactly_once(world.bank, world.drive) == [] and check_sealed_copies(world.bank, world.drive) == []
    assert set(lost) <= set(receipt_files(world.drive)) and set(lost) <= set(sealed_files(world.drive))
