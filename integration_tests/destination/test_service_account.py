"""A service account signing in with its JSON key (JWT-bearer grant), through the real commands.

The emulator plays a service account's Drive: no storage of its own (quota limit 0, files outside a
shared drive refused), so receipts only land in a shared drive.
"""

import json

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import check_in_process, run_check, run_write
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.emulators.drive import DriveEmulator

ITEMS = [(M.receipt(n, settled_at=f"2025-0{4 + n}-03T10:00:00Z"), M.content_of(n)) for n in range(2)]


@pytest.fixture
def sa_drive():
    with DriveEmulator(service_account=True) as emulator:
        yield emulator


def sa_config(drive, **overrides) -> dict:
    return drive.destination_config(credentials=drive.service_account_credentials(), writes_per_second=50, **overrides)


def private_key(config: dict) -> str:
    return json.loads(config["credentials"]["service_account_info"])["private_key"]


def test_given_service_account_and_shared_drive_parent_when_checked_and_synced_then_receipts_are_filed_there(
        sa_drive, tmp_path):
    drive_id = sa_drive.create_shared_drive("Accounting")
    config = sa_config(sa_drive, parent_folder_id=drive_id)

    check = run_check(tmp_path, config)
    result = run_write(tmp_path, config, M.receipts_messages(ITEMS))

    assert check.connection_status == {"status": "SUCCEEDED"}, check.stderr
    assert result.returncode == 0, result.stderr
    assert sa_drive.counts["token"] >= 1, "the key was exchanged for an access token at the token endpoint"
    files = receipts_in(sa_drive)
    assert {f.drive_id for f in files} == {drive_id}
    by_att = {f.app_properties["att"]: f for f in files}
    assert sorted(by_att) == sorted(meta["attachment_id"] for meta, _ in ITEMS)
    assert all(sa_drive.content(by_att[meta["attachment_id"]].id) == content for meta, content in ITEMS)
    folders = sorted(p.rsplit("/", 1)[0] for p in sa_drive.paths() if p.endswith(".pdf"))
    assert folders == ["Qonto/Main account · FR76…0185/2025-04", "Qonto/Main account · FR76…0185/2025-05"]


def test_given_service_account_when_same_input_synced_again_after_tokens_expired_then_no_new_drive_write(
        sa_drive, tmp_path):
    config = sa_config(sa_drive, parent_folder_id=sa_drive.create_shared_drive("Accounting"))
    assert run_write(tmp_path, config, M.receipts_messages(ITEMS)).returncode == 0
    sa_drive.expire_access_tokens()     # the next run must sign a fresh JWT, not reuse a dead token
    sa_drive.reset_counters()

    again = run_write(tmp_path, config, M.receipts_messages(ITEMS))

    assert again.returncode == 0, again.stderr
    assert sa_drive.counts["write"] == 0
    assert len(receipts_in(sa_drive)) == len(ITEMS)


def _my_drive_folder(drive) -> str:
    folder = drive.create_user_folder("Shared with the robot")
    drive.grant_app_access(folder)
    return folder


PARENTS = {
    "no-parent": (lambda drive: None, "No parent folder is set"),
    "my-drive-folder": (_my_drive_folder, "is not in a shared drive"),
}


@pytest.mark.parametrize("name", list(PARENTS))
def test_given_service_account_outside_a_shared_drive_when_checked_then_failed_naming_shared_drives(
        sa_drive, tmp_path, name, capfd):
    make_parent, _ = PARENTS[name]
    parent = make_parent(sa_drive)
    config = sa_config(sa_drive, **({"parent_folder_id": parent} if parent else {}))

    result = check_in_process(tmp_path, config)

    captured = capfd.readouterr()
    status = result.connection_status
    assert status["status"] == "FAILED"
    assert "shared drive" in status["message"] and "service account" in status["message"].lower()
    assert private_key(config) not in result.stdout + captured.out + captured.err
    assert not [f for f in sa_drive.files.values() if f.app_properties.get("kind") == "root"], \
        "a failed check leaves no root folder behind"


@pytest.mark.parametrize("name", list(PARENTS))
def test_given_service_account_outside_a_shared_drive_when_written_then_config_error_and_nothing_created(
        sa_drive, tmp_path, name):
    make_parent, expected = PARENTS[name]
    parent = make_parent(sa_drive)
    config = sa_config(sa_drive, **({"parent_folder_id": parent} if parent else {}))

    result = run_write(tmp_path, config, M.receipts_messages(ITEMS))

    assert result.returncode != 0
    (error,) = result.errors
    assert error["failure_type"] == "config_error"
    assert expected in error["message"] and "shared drive" in error["message"]
    assert private_key(config) not in result.stdout + result.stderr
    assert result.states == [], "no receipt was filed, so no state is confirmed"
    assert sa_drive.counts["write"] == 0
