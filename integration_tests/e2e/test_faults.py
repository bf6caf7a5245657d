"""Bad nights: both APIs fail in the ways they do, and the destination is killed mid-run.

Whatever happens, the promise holds once a sync succeeds: every receipt in Drive exactly once,
with the bank's bytes. Each injected fault is checked to have been hit, so a scenario cannot pass
by not happening.
"""

from __future__ import annotations

import pytest

from integration_tests.e2e.drive_view import check_exactly_once, exported_attachments, receipt_files

pytestmark = pytest.mark.slow


def test_given_bank_answers_429_5xx_and_drops_connections_when_syncing_then_every_receipt_arrives_once(world):
    faults = [
        world.bank.faults.add(r"/v2/transactions", status=429, times=2, retry_after=1),
        world.bank.faults.add(r"/v2/transactions", status=503, times=2),
        world.bank.faults.add(r"/v2/transactions", reset=True, times=1),
        world.bank.faults.add(r"/_s3/", status=500, times=1),
        world.bank.faults.add(r"/_s3/", reset=True, times=1),
    ]

    world.sync()

    assert [fault.hits for fault in faults] == [2, 2, 1, 1, 1]
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_bank_rate_limit_per_client_when_syncing_then_the_source_waits_and_completes(make_world):
    # Low enough that the source's opening burst (token, accounts, one listing per account and stream)
    # exceeds it even on a loaded machine; the source paces itself only under the documented windows.
    world = make_world(bank_kwargs={"per_ip_limit": (10, 1.0)})

    world.sync()

    assert any(entry.status == 429 for entry in world.bank.requests)
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_drive_answers_5xx_429_rate_limit_and_drops_uploads_when_syncing_then_no_receipt_is_duplicated(world):
    drive = world.drive
    faults = [
        drive.faults.add("POST", r"^/upload/drive/v3/files", status=503, times=2),
        # the file is created, then the answer is lost: a blind retry would make a duplicate
        drive.faults.add("POST", r"^/upload/drive/v3/files", status=500, commit_then_fail=True, times=1),
        drive.faults.add("GET", r"^/drive/v3/files", status=429, times=2),
        drive.faults.add("POST", r"^/drive/v3/files", status=403, reason="userRateLimitExceeded", times=2),
        drive.faults.add("POST", r"^/upload/drive/v3/files", reset=True, times=1),
    ]

    world.sync()

    assert [fault.hits for fault in faults] == [2, 1, 2, 2, 1]
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_a_9_mib_receipt_when_drive_drops_and_refuses_resumable_chunks_then_it_arrives_whole_once(make_world):
    from integration_tests.e2e.conftest import SMALL_BANK
    from integration_tests.emulators.bank import MiB, make_sample_dataset

    world = make_world(make_sample_dataset(**{**SMALL_BANK, "large_receipt_sizes": (9 * MiB + 123,)}))
    faults = [
        world.drive.faults.add("PUT", r"^/upload/drive/v3/files", reset=True, times=1),
        world.drive.faults.add("PUT", r"^/upload/drive/v3/files", status=503, times=1),
    ]

    world.sync()

    assert [fault.hits for fault in faults] == [1, 1]
    assert world.drive.counts["upload.resumable"] >= 1
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_drive_sustains_few_writes_per_second_when_the_destination_pushes_harder_then_it_backs_off_and_completes(
    make_world,
):
    # The destination is told 50 writes/s; the emulated Drive refuses past 8/s (403 userRateLimitExceeded).
    world = make_world(drive_kwargs={"write_rate_per_s": 8, "write_burst": 2})

    world.sync()

    assert check_exactly_once(world.bank, world.drive) == []


def _uploads(drive) -> int:
    return drive.counts["upload.multipart"] + drive.counts["upload.resumable"]


@pytest.mark.parametrize(
    "large_sizes, moment",
    [
        ((3_200_000,), lambda drive, expected: _uploads(drive) >= expected // 2),
        ((9 * 1024 * 1024 + 123,), lambda drive, expected: drive.counts["upload.chunk"] >= 1),
    ],
    ids=["halfway-through-the-uploads", "between-the-chunks-of-a-9-MiB-upload"],
)
def test_given_destination_killed_mid_run_when_the_sync_is_rerun_then_every_receipt_is_in_drive_exactly_once(
    make_world, large_sizes, moment
):
    from integration_tests.e2e.conftest import SMALL_BANK
    from integration_tests.emulators.bank import make_sample_dataset

    world = make_world(make_sample_dataset(**{**SMALL_BANK, "large_receipt_sizes": large_sizes}))
    expected = len(exported_attachments(world.bank))

    killed = world.sync(expect_success=False, kill_destination_when=lambda: moment(world.drive, expected))
    assert killed.killed, "the destination finished before it could be killed: the scenario did not happen"
    assert len(receipt_files(world.drive)) < expected

    world.sync()

    assert check_exactly_once(world.bank, world.drive) == []
