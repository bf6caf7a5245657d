"""Drive emulator: the documented behaviours the destination must live with (trash dates, search lag,
sharing refusals, the shared-drive item cap), driven by the real google-api-python-client."""
import json

import pytest
from googleapiclient.errors import HttpError

from integration_tests.emulators.drive import FOLDER
from integration_tests.drive_client_fixtures import create_folder as _folder, drive, emu  # noqa: F401 (fixtures)


def _reason(error: HttpError) -> str:
    return json.loads(error.content)["error"]["errors"][0]["reason"]


def _names(drive, q, **extra):
    files = drive.files().list(q=q, fields="files(id,name)", supportsAllDrives=True, **extra).execute()["files"]
    return sorted(f["name"] for f in files)


def test_given_trashed_items_when_read_then_trashed_time_only_in_shared_drives(emu, drive):
    shared = emu.create_shared_drive("Team")
    mine, theirs = _folder(drive, "mine"), _folder(drive, "theirs", shared)
    emu.user_trash(mine)
    emu.user_trash(theirs)
    fields = "trashed,trashedTime"
    assert drive.files().get(fileId=mine, fields=fields).execute() == {"trashed": True}
    shared_item = drive.files().get(fileId=theirs, fields=fields, supportsAllDrives=True).execute()
    assert shared_item["trashed"] is True and shared_item["trashedTime"].endswith("Z")


def test_given_search_lag_when_listing_then_name_and_property_queries_miss_new_items_until_caught_up(emu, drive):
    parent = _folder(drive, "parent")
    emu.set_search_lag(True)
    _folder(drive, "fresh", parent, appProperties={"k": "v"})
    by_name, by_property = "name = 'fresh'", "appProperties has { key='k' and value='v' }"
    consistent = f"'{parent}' in parents and mimeType = '{FOLDER}' and trashed = false"
    assert _names(drive, by_name) == [] and _names(drive, by_property) == []
    assert _names(drive, consistent) == ["fresh"]
    emu.catch_up_search()
    assert _names(drive, by_name) == ["fresh"] and _names(drive, by_property) == ["fresh"]


def test_given_address_without_google_account_when_shared_without_notification_then_400_and_with_it_ok(emu, drive):
    folder = _folder(drive, "shared")
    emu.add_address_without_google_account("accountant@example.org")
    body = {"type": "user", "role": "reader", "emailAddress": "accountant@example.org"}
    with pytest.raises(HttpError) as refused:
        drive.permissions().create(fileId=folder, body=body, sendNotificationEmail=False).execute()
    assert refused.value.resp.status == 400 and _reason(refused.value) == "invalidSharingRequest"
    assert "Notify people" in json.loads(refused.value.content)["error"]["message"]
    drive.permissions().create(fileId=folder, body=body, sendNotificationEmail=True).execute()
    assert [p["emailAddress"] for p in emu.permissions(folder)][-1] == "accountant@example.org"


def test_given_a_grant_on_the_parent_when_child_listed_and_reduced_then_inherited_and_403(emu, drive):
    parent = _folder(drive, "parent")
    child = _folder(drive, "child", parent)
    emu.user_share(parent, "accountant@example.org", "writer")
    listed = drive.permissions().list(
        fileId=child, fields="permissions(emailAddress,role,permissionDetails)").execute()["permissions"]
    accountant = next(p for p in listed if p["emailAddress"] == "accountant@example.org")
    assert accountant["role"] == "writer" and accountant["permissionDetails"][0]["inherited"] is True
    body = {"type": "user", "role": "reader", "emailAddress": "accountant@example.org"}
    with pytest.raises(HttpError) as refused:
        drive.permissions().create(fileId=child, body=body, sendNotificationEmail=False).execute()
    assert refused.value.resp.status == 403 and _reason(refused.value) == "cannotModifyInheritedPermission"


def test_given_many_permissions_when_listed_by_pages_then_every_one_once(emu, drive):
    folder = _folder(drive, "f")
    for n in range(7):
        emu.user_share(folder, f"p{n}@example.org", "reader")
    seen, token = [], None
    while True:
        page = drive.permissions().list(fileId=folder, pageSize=3, pageToken=token,
                                        fields="nextPageToken,permissions(id)").execute()
        seen += [p["id"] for p in page["permissions"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(seen) == len(set(seen)) == 8


def test_given_content_manager_in_shared_drive_when_sharing_a_folder_then_403(emu, drive):
    shared = emu.create_shared_drive("Team")
    emu.set_shared_drive_member_role("fileOrganizer")
    folder = _folder(drive, "f", shared)
    body = {"type": "user", "role": "reader", "emailAddress": "a@example.org"}
    with pytest.raises(HttpError) as refused:
        drive.permissions().create(fileId=folder, body=body, supportsAllDrives=True).execute()
    assert refused.value.resp.status == 403 and _reason(refused.value) == "insufficientFilePermissions"


def test_given_full_shared_drive_when_creating_then_403_team_drive_file_limit(emu, drive):
    shared = emu.create_shared_drive("Team")
    emu.set_shared_drive_item_limit(1)
    _folder(drive, "one", shared)
    with pytest.raises(HttpError) as refused:
        _folder(drive, "two", shared)
    assert refused.value.resp.status == 403 and _reason(refused.value) == "teamDriveFileLimitExceeded"
