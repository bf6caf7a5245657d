"""Sharing runs after filing, adds missing grants only, and a refusal is a warning, never a failed sync."""

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_check, run_write
from integration_tests.destination.test_write_backfill import receipts_in

ITEMS = [(M.receipt(n, settled_at=f"2025-0{4 + n % 2}-0{1 + n}T10:00:00Z"), M.content_of(n)) for n in range(4)]
NEW = "new-accountant@no-google.example"
ACC = "accountant@example.org"


def root_of(drive):
    (root,) = [f for f in drive.files.values() if f.app_properties.get("kind") == "root" and not f.trashed]
    return root


def grants(drive, file_id) -> list[tuple[str, str]]:
    return sorted((p["emailAddress"], p["role"]) for p in drive.permissions(file_id) if p["role"] != "owner")


def nightly(n: int):
    return M.receipts_messages([(M.receipt(50 + n, settled_at="2025-06-0{}T10:00:00Z".format(n + 1)), M.content_of(50 + n))])


def test_given_no_account_address_and_hand_granted_writer_when_backfill_and_three_nightlies_then_all_filed_and_grants_kept(
        drive, tmp_path):
    config = drive.destination_config(writes_per_second=50, share_with=[
        {"email": NEW, "role": "reader"}, {"email": ACC, "role": "reader"}])
    assert run_check(tmp_path, config).connection_status["status"] == "SUCCEEDED"
    root = root_of(drive)
    drive.user_share(root.id, ACC, "writer")          # the owner made the accountant a writer by hand
    drive.add_address_without_google_account(NEW)

    results = [run_write(tmp_path, config, M.receipts_messages(ITEMS))] + [
        run_write(tmp_path, config, nightly(n)) for n in range(3)]

    assert [r.returncode for r in results] == [0, 0, 0, 0], results[0].stderr
    assert len(receipts_in(drive)) == len(ITEMS) + 3
    assert grants(drive, root.id) == [(ACC, "writer"), (NEW, "reader")]
    assert "invitation e-mail" in results[0].logs
    assert "left as it is" in results[1].logs and drive.counts["permissions.create"] == 2   # refused once, then invited


def test_given_content_manager_in_a_shared_drive_when_sharing_is_refused_then_every_sync_files_and_warns(drive, tmp_path):
    shared = drive.create_shared_drive("Accounting")
    drive.set_shared_drive_member_role("fileOrganizer")
    config = drive.destination_config(writes_per_second=50, parent_folder_id=shared,
                                      share_with=[{"email": ACC, "role": "reader"}])

    first = run_write(tmp_path, config, M.receipts_messages(ITEMS))
    second = run_write(tmp_path, config, nightly(0))

    assert (first.returncode, second.returncode) == (0, 0), first.stderr
    assert len(receipts_in(drive)) == len(ITEMS) + 1
    assert all("could not be shared with accountant@example.org" in r.logs and "Manager role" in r.logs
               for r in (first, second))
    assert not [m for r in (first, second) for m in r.messages if m.get("type") == "TRACE"]


@pytest.mark.parametrize("inherited_role, wanted, expected_direct", [
    ("writer", "reader", []),                    # already has more through the parent: nothing to add, no 403
    ("reader", "writer", [(ACC, "writer")]),     # less through the parent: a direct grant on the root
])
def test_given_root_under_a_folder_shared_by_hand_when_synced_then_inherited_grant_is_respected(
        drive, tmp_path, inherited_role, wanted, expected_direct):
    parent = drive.create_user_folder("Compta")
    drive.grant_app_access(parent)
    drive.user_share(parent, ACC, inherited_role)
    config = drive.destination_config(writes_per_second=50, parent_folder_id=parent,
                                      share_with=[{"email": ACC, "role": wanted}])

    result = run_write(tmp_path, config, M.receipts_messages(ITEMS))

    assert result.returncode == 0, result.stderr
    assert "could not be shared" not in result.logs
    assert grants(drive, root_of(drive).id) == expected_direct
    assert grants(drive, parent) == [(ACC, inherited_role)]
