"""Drive's limits named honestly; a root folder we cannot recognise; the service account's scope; one
failed opening per sync."""

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_service_account import sa_config, sa_drive  # noqa: F401 (fixture)
from integration_tests.destination.test_write_backfill import receipts_in

ITEMS = [(M.receipt(n), M.content_of(n)) for n in range(4)]


@pytest.mark.parametrize("setup, words, failure_type", [
    (lambda d: d.faults.add("POST", r"^/upload/drive/v3/files", 403, reason="dailyLimitExceeded", times=None),
     "daily Drive API request quota", "transient_error"),
    (lambda d: d.faults.add("POST", r"^/upload/drive/v3/files", 403, reason="storageQuotaExceeded", times=None),
     "Google Drive is full", "config_error"),
    ("shared-drive-cap", "limit on the number of items", "config_error"),
])
def test_given_a_drive_limit_when_syncing_then_its_own_message_and_failure_type(drive, tmp_path, setup, words,
                                                                                 failure_type):
    overrides = {}
    if setup == "shared-drive-cap":
        overrides["parent_folder_id"] = drive.create_shared_drive("Accounting")
        drive.set_shared_drive_item_limit(3)        # root, account and period folders fit; no receipt does
    else:
        setup(drive)
    result = run_write(tmp_path, drive.destination_config(writes_per_second=50, **overrides), M.receipts_messages(ITEMS))

    assert result.returncode != 0
    (error,) = result.errors
    assert words in error["message"] and error["failure_type"] == failure_type
    others = {"daily Drive API request quota", "Google Drive is full", "limit on the number of items"} - {words}
    assert not any(other in error["message"] for other in others)
    assert "Traceback" not in result.stderr


def test_given_a_folder_with_our_name_we_did_not_make_when_synced_then_warned_and_left_alone(drive, config, tmp_path):
    foreign = drive.create_user_folder("Qonto")
    drive.grant_app_access(foreign)          # visible, but without this client's markers

    result = run_write(tmp_path, config, M.receipts_messages(ITEMS))

    assert result.returncode == 0, result.stderr
    assert f"A folder named 'Qonto' ({foreign})" in result.logs and "OAuth client" in result.logs
    assert drive.find(parent=foreign) == [] and len(receipts_in(drive)) == len(ITEMS)


def test_given_service_account_when_syncing_then_it_asks_for_the_drive_scope(sa_drive, tmp_path):  # noqa: F811
    config = sa_config(sa_drive, parent_folder_id=sa_drive.create_shared_drive("Accounting"))
    assert run_write(tmp_path, config, M.receipts_messages(ITEMS[:1])).returncode == 0
    assert set(sa_drive.service_account_scopes) == {"https://www.googleapis.com/auth/drive"}


def test_given_drive_cannot_be_opened_when_many_receipts_are_queued_then_it_is_tried_once(drive, config, tmp_path):
    drive.faults.add("GET", r"^/drive/v3/files$", 403, reason="insufficientPermissions", times=None)
    result = run_write(tmp_path, config, M.receipts_messages([(M.receipt(n), M.content_of(n)) for n in range(8)]))
    assert result.returncode != 0 and "denied access" in result.errors[0]["message"]
    assert drive.counts["files.list"] == 1
