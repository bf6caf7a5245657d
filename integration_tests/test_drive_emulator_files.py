"""Drive emulator metadata API, driven by the real google-api-python-client."""
import hashlib
import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.emulators.drive import FOLDER
from integration_tests.drive_client_fixtures import create_folder as _folder, drive, emu  # noqa: F401 (fixtures)


def _file(drive, name, parent, data=b"%PDF receipt", **extra):
    media = MediaIoBaseUpload(io.BytesIO(data), "application/pdf")
    body = {"name": name, "parents": [parent], **extra}
    return drive.files().create(body=body, media_body=media, fields="id", supportsAllDrives=True).execute()["id"]


def _reason(error: HttpError) -> str:
    return error.error_details[0]["reason"]


def _names(drive, q, **params):
    found = drive.files().list(q=q, fields="files(name)", **params).execute()["files"]
    return sorted(f["name"] for f in found)


def test_given_folders_when_listed_by_query_then_only_matching_items_return(drive):
    root = _folder(drive, "Qonto", appProperties={"kind": "root"})
    account = _folder(drive, "Main · FR76…1234", root, appProperties={"acct": "a1"})
    _folder(drive, "Savings · FR76…9999", root, appProperties={"acct": "a2"})
    _file(drive, "r.pdf", account)

    assert _names(drive, f"'{root}' in parents and mimeType = '{FOLDER}'") == ["Main · FR76…1234", "Savings · FR76…9999"]
    assert _names(drive, "appProperties has { key='acct' and value='a1' }") == ["Main · FR76…1234"]
    assert _names(drive, "name = 'qonto' and trashed = false") == ["Qonto"]
    assert _names(drive, f"'{account}' in parents and not mimeType = '{FOLDER}'") == ["r.pdf"]


def test_given_unsupported_query_when_listing_then_400_invalid_on_q(drive):
    with pytest.raises(HttpError) as caught:
        drive.files().list(q="fullText contains 'receipt'").execute()
    assert caught.value.status_code == 400
    assert caught.value.error_details[0] == {"domain": "global", "reason": "invalid", "message": "Invalid Value",
                                             "locationType": "parameter", "location": "q"}


def test_given_more_files_than_a_page_when_listing_then_next_page_tokens_cover_all_once(drive):
    root = _folder(drive, "Qonto")
    created = {_folder(drive, f"f{i:02d}", root) for i in range(7)}
    seen, token, pages = [], None, 0
    while True:
        page = drive.files().list(q=f"'{root}' in parents", pageSize=3, pageToken=token,
                                  fields="nextPageToken,files(id)").execute()
        seen += [f["id"] for f in page["files"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert (sorted(seen), pages) == (sorted(created), 3)


@pytest.mark.parametrize("params", [{"pageSize": 1001}, {"pageToken": "forged"}, {"orderBy": "size"}],
                         ids=["page-size", "page-token", "order-by"])
def test_given_bad_list_parameter_when_listing_then_400(drive, params):
    with pytest.raises(HttpError) as caught:
        drive.files().list(**params).execute()
    assert caught.value.status_code == 400


def test_given_fields_mask_when_getting_then_only_requested_fields_return(drive):
    root = _folder(drive, "Qonto")
    default = drive.files().get(fileId=root).execute()
    masked = drive.files().get(fileId=root, fields="id,trashed,capabilities/canAddChildren").execute()
    assert set(default) == {"kind", "id", "name", "mimeType"}
    assert masked == {"id": root, "trashed": False, "capabilities": {"canAddChildren": True}}
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=root, fields="id,colour").execute()
    assert caught.value.status_code == 400


def test_given_list_fields_without_next_page_token_when_listing_then_token_is_omitted(drive):
    root = _folder(drive, "Qonto")
    for name in ("a", "b"):
        _folder(drive, name, root)
    page = drive.files().list(q=f"'{root}' in parents", pageSize=1, fields="files(id)").execute()
    assert list(page) == ["files"]


def test_given_trashed_file_when_listing_then_visible_unless_filtered_and_delete_removes_it(emu, drive):
    root = _folder(drive, "Qonto")
    kept, trashed, deleted = (_file(drive, n, root) for n in ("kept.pdf", "trashed.pdf", "deleted.pdf"))
    emu.user_trash(trashed)
    emu.user_delete(deleted)
    assert _names(drive, f"'{root}' in parents") == ["kept.pdf", "trashed.pdf"]
    assert _names(drive, f"'{root}' in parents and trashed = false") == ["kept.pdf"]
    assert drive.files().get(fileId=trashed, fields="trashed,explicitlyTrashed").execute() == \
        {"trashed": True, "explicitlyTrashed": True}
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=deleted).execute()
    assert (caught.value.status_code, _reason(caught.value)) == (404, "notFound")
    assert emu.paths() == ["Qonto/kept.pdf"]
    assert emu.paths(include_trashed=True) == ["Qonto/kept.pdf", "Qonto/trashed.pdf"]


def test_given_trashed_folder_when_child_read_then_trashed_is_inherited_not_explicit(emu, drive):
    root = _folder(drive, "Qonto")
    period = _folder(drive, "2025-04", root)
    receipt = _file(drive, "r.pdf", period)
    emu.user_trash(period)
    child = drive.files().get(fileId=receipt, fields="trashed,explicitlyTrashed").execute()
    folder = drive.files().get(fileId=period, fields="capabilities/canAddChildren").execute()
    assert child == {"trashed": True, "explicitlyTrashed": False}
    assert folder["capabilities"]["canAddChildren"] is False
    assert emu.paths() == ["Qonto/"]


def test_given_untrash_through_api_when_read_then_descendants_are_back(emu, drive):
    root = _folder(drive, "Qonto")
    receipt = _file(drive, "r.pdf", root)
    emu.user_trash(root)
    drive.files().update(fileId=root, body={"trashed": False}).execute()
    assert drive.files().get(fileId=receipt, fields="trashed").execute() == {"trashed": False}


def test_given_user_deleted_folder_when_creating_inside_then_404(emu, drive):
    root = _folder(drive, "Qonto")
    period = _folder(drive, "2025-04", root)
    emu.user_delete(period)
    with pytest.raises(HttpError) as caught:
        _file(drive, "r.pdf", period)
    assert (caught.value.status_code, _reason(caught.value)) == (404, "notFound")
    assert emu.paths() == ["Qonto/"]


def test_given_add_and_remove_parents_when_updating_then_file_moves(emu, drive):
    root = _folder(drive, "Qonto")
    april, may = _folder(drive, "2025-04", root), _folder(drive, "2025-05", root)
    receipt = _file(drive, "r.pdf", april)
    moved = drive.files().update(fileId=receipt, addParents=may, removeParents=april, body={"name": "s.pdf"},
                                 fields="parents,name").execute()
    assert moved == {"parents": [may], "name": "s.pdf"}
    assert emu.paths() == ["Qonto/2025-04/", "Qonto/2025-05/s.pdf"]


def test_given_second_parent_when_updating_then_403_cannot_add_parent(drive):
    root = _folder(drive, "Qonto")
    other = _folder(drive, "Other", root)
    receipt = _file(drive, "r.pdf", root)
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=receipt, addParents=other, body={}).execute()
    assert (caught.value.status_code, _reason(caught.value)) == (403, "cannotAddParent")


def test_given_app_properties_when_patched_then_null_deletes_and_limit_is_enforced(emu, drive):
    root = _folder(drive, "Qonto", appProperties={"a": "1", "b": "2"})
    drive.files().update(fileId=root, body={"appProperties": {"a": None, "c": "3"}}).execute()
    assert emu.files[root].app_properties == {"b": "2", "c": "3"}
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=root, body={"appProperties": {"k": "v" * 124}}).execute()
    assert (caught.value.status_code, _reason(caught.value)) == (403, "propertyLengthLimitExceeded")
    drive.files().update(fileId=root, body={"appProperties": {"k": "v" * 123}}).execute()


def test_given_media_update_when_patching_upload_endpoint_then_content_and_checksum_change(emu, drive):
    root = _folder(drive, "Qonto")
    receipt = _file(drive, "r.pdf", root, b"old")
    media = MediaIoBaseUpload(io.BytesIO(b"new content"), "application/pdf")
    updated = drive.files().update(fileId=receipt, media_body=media, body={}, fields="size,md5Checksum").execute()
    assert updated == {"size": "11", "md5Checksum": hashlib.md5(b"new content").hexdigest()}
    assert emu.content(receipt) == b"new content"
    assert emu.counts["upload.update"] == 1


def test_given_new_versions_when_uploaded_then_head_revision_changes_only_with_content_and_earlier_ones_can_be_kept(
        emu, drive):
    root = _folder(drive, "Qonto")
    receipt = _file(drive, "r.pdf", root, b"bank", appProperties={"att": "a1"})
    first = drive.files().get(fileId=receipt, fields="headRevisionId").execute()["headRevisionId"]
    drive.files().update(fileId=receipt, body={"name": "renamed.pdf"}).execute()
    assert drive.files().get(fileId=receipt, fields="headRevisionId").execute()["headRevisionId"] == first
    emu.user_new_version(receipt, b"annotated")          # the user's "Upload new version"
    head = drive.files().get(fileId=receipt, fields="headRevisionId,appProperties").execute()
    assert head["headRevisionId"] != first and head["appProperties"] == {"att": "a1"}
    kept = drive.revisions().update(fileId=receipt, revisionId=head["headRevisionId"], body={"keepForever": True},
                                    fields="id,keepForever").execute()
    assert kept == {"id": head["headRevisionId"], "keepForever": True}
    media = MediaIoBaseUpload(io.BytesIO(b"bank v2"), "application/pdf")
    drive.files().update(fileId=receipt, media_body=media, body={}).execute()
    assert emu.previous_versions(receipt) == [b"bank", b"annotated"] and emu.kept_forever(receipt) == [b"annotated"]
    with pytest.raises(HttpError) as caught:
        drive.revisions().update(fileId=receipt, revisionId="nope", body={"keepForever": True}).execute()
    assert caught.value.status_code == 404


def test_given_folder_moved_by_the_user_into_their_own_folder_when_searched_by_property_then_found_but_not_by_parent(
        emu, drive):
    root = _folder(drive, "Qonto", appProperties={"kind": "root"})
    accounting = emu.create_user_folder("Comptabilité")
    emu.user_move(root, accounting)
    assert emu.paths() == ["Comptabilité/Qonto/"]
    q_top = "'root' in parents and mimeType = 'application/vnd.google-apps.folder'"
    assert _names(drive, q_top) == []                                  # the user's folder is invisible too
    assert _names(drive, "appProperties has { key='kind' and value='root' }") == ["Qonto"]
    assert drive.files().get(fileId=root, fields="parents").execute() == {"parents": [accounting]}


def test_given_permission_when_created_then_listed_once_with_last_role(emu, drive):
    root = _folder(drive, "Qonto")
    for role in ("reader", "writer"):
        drive.permissions().create(fileId=root, sendNotificationEmail=False, supportsAllDrives=True,
                                   body={"role": role, "type": "user", "emailAddress": "accountant@example.com"}
                                   ).execute()
    listed = drive.permissions().list(fileId=root, fields="permissions(role,emailAddress)").execute()
    assert sorted((p["emailAddress"], p["role"]) for p in listed["permissions"]) == \
        [("accountant@example.com", "writer"), ("owner@example.com", "owner")]
    assert [p["role"] for p in emu.permissions(root) if p.get("emailAddress") == "accountant@example.com"] == ["writer"]


def test_given_shared_drive_when_called_without_supports_all_drives_then_items_look_missing(emu, drive):
    drive_id = emu.create_shared_drive("Accounting")
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "Qonto", "mimeType": FOLDER, "parents": [drive_id]}).execute()
    assert caught.value.status_code == 404
    root = _folder(drive, "Qonto", drive_id)
    with pytest.raises(HttpError):
        drive.files().get(fileId=root).execute()
    assert drive.files().get(fileId=root, supportsAllDrives=True, fields="driveId").execute() == {"driveId": drive_id}
    assert _names(drive, f"'{drive_id}' in parents") == []
    assert _names(drive, f"'{drive_id}' in parents", supportsAllDrives=True, includeItemsFromAllDrives=True,
                  corpora="drive", driveId=drive_id) == ["Qonto"]


def test_given_user_folder_under_drive_file_scope_when_accessed_then_404_until_granted(emu, drive):
    inbox = emu.create_user_folder("Inbox")
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=inbox).execute()
    assert caught.value.status_code == 404
    with pytest.raises(HttpError):
        _folder(drive, "Qonto", inbox)
    assert _names(drive, "name = 'Inbox'") == []
    emu.grant_app_access(inbox)
    _folder(drive, "Qonto", inbox)
    assert emu.paths() == ["Inbox/Qonto/"]


def test_given_batch_of_metadata_calls_when_executed_then_each_answer_arrives(emu, drive):
    root = _folder(drive, "Qonto")
    results = {}
    batch = drive.new_batch_http_request(callback=lambda rid, resp, exc: results.__setitem__(rid, (resp, exc)))
    for name in ("2025-04", "2025-05"):
        batch.add(drive.files().create(body={"name": name, "mimeType": FOLDER, "parents": [root]}, fields="name"),
                  request_id=name)
    batch.add(drive.files().get(fileId="missing"), request_id="missing")
    emu.reset_counters()
    batch.execute()
    assert results["2025-04"] == ({"name": "2025-04"}, None)
    assert results["2025-05"][0] == {"name": "2025-05"}
    assert results["missing"][1].status_code == 404
    assert (emu.counts["batch"], emu.counts["files.create"], emu.counts["write"], emu.counts["read"]) == (1, 2, 2, 1)
    assert emu.paths() == ["Qonto/2025-04/", "Qonto/2025-05/"]


def test_given_user_rename_when_listed_by_old_name_then_not_found(emu, drive):
    root = _folder(drive, "Qonto")
    emu.user_rename(root, "Receipts")
    assert _names(drive, "name = 'Qonto'") == []
    assert emu.find(name="Receipts")[0].id == root


def test_given_query_longer_than_a_url_when_listing_then_client_posts_override_and_gets_answer(emu, drive):
    roots = [_folder(drive, f"r{i}") for i in range(3)]
    for index, root in enumerate(roots):
        _folder(drive, f"child{index}", root)
    padding = [f"'{'x' * 33}' in parents" for _ in range(60)]  # > 2048 chars: the client switches to POST
    q = " or ".join(padding + [f"'{root}' in parents" for root in roots])
    assert len(q) > 2048
    assert _names(drive, q) == ["child0", "child1", "child2"]
    assert (emu.counts["files.list"], emu.counts["files.create"]) == (1, 6)


def test_given_name_with_quote_and_backslash_when_queried_escaped_then_found(drive):
    root = _folder(drive, "Qonto")
    _file(drive, "O'Brien \\ Co.pdf", root)
    assert _names(drive, "name = 'O\\'Brien \\\\ Co.pdf'") == ["O'Brien \\ Co.pdf"]
