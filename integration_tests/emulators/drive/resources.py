"""JSON representations of Drive resources (full form; `fields` masks select from them)."""
from __future__ import annotations

from .permissions import permission_id
from .store import USER_EMAIL, FileRecord, Store

SA_EMAIL = "receipts@emulator-project.iam.gserviceaccount.com"
FILE_DEFAULT = "kind,id,name,mimeType"
LIST_DEFAULT = "kind,nextPageToken,incompleteSearch,files(kind,id,name,mimeType)"
PERMISSION_DEFAULT = "kind,id,type,role"
PERMISSION_LIST_DEFAULT = "kind,nextPageToken,permissions(kind,id,type,role)"


def user_json(service_account: bool) -> dict:
    email = SA_EMAIL if service_account else USER_EMAIL
    return {"kind": "drive#user", "displayName": "Receipts" if service_account else "Owner", "me": True,
            "permissionId": permission_id(email), "emailAddress": email}


def file_json(store: Store, record: FileRecord) -> dict:
    body = {"kind": "drive#file", "id": record.id, "name": record.name, "mimeType": record.mime_type,
            "starred": record.starred, "trashed": record.trashed, "explicitlyTrashed": record.explicitly_trashed,
            "spaces": ["drive"], "version": str(record.version), "createdTime": record.created_time,
            "modifiedTime": record.modified_time, "modifiedByMe": True, "modifiedByMeTime": record.modified_time,
            "viewedByMe": True, "viewedByMeTime": record.modified_time, "isAppAuthorized": record.app_created,
            "hasThumbnail": False, "thumbnailVersion": "0", "writersCanShare": True,
            "viewersCanCopyContent": True, "copyRequiresWriterPermission": False,
            "webViewLink": _link(record), "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{record.mime_type}",
            "capabilities": capabilities(store, record), "quotaBytesUsed": str(record.size or 0)}
    if record.parents:
        body["parents"] = list(record.parents)
    if record.description is not None:
        body["description"] = record.description
    if record.app_properties:
        body["appProperties"] = dict(record.app_properties)
    if record.properties:
        body["properties"] = dict(record.properties)
    # "Only populated for items in shared drives" (Drive v3 File resource, trashedTime/trashingUser):
    # a trashed My Drive item says that it is trashed, never when.
    if record.trashed_time and record.drive_id:
        body["trashedTime"] = record.trashed_time
    _add_ownership(store, record, body)
    if record.size is not None:
        _add_content_fields(record, body)
    return body


def _link(record: FileRecord) -> str:
    if record.is_folder:
        return f"https://drive.google.com/drive/folders/{record.id}"
    return f"https://drive.google.com/file/d/{record.id}/view?usp=drivesdk"


def _add_ownership(store: Store, record: FileRecord, body: dict) -> None:
    permissions = store.permissions.get(record.id, [])
    body["permissionIds"] = [p["id"] for p in permissions]
    body["shared"] = any(p["role"] not in ("owner", "organizer") for p in permissions)
    if record.drive_id:
        body["driveId"] = body["teamDriveId"] = record.drive_id
        body["ownedByMe"] = False
    else:
        body["ownedByMe"] = True
        body["owners"] = [user_json(store.service_account)]


def _add_content_fields(record: FileRecord, body: dict) -> None:
    body.update(size=str(record.size), md5Checksum=record.md5, sha256Checksum=record.sha256,
                originalFilename=record.name, headRevisionId=f"rev{record.head_revision}",
                webContentLink=f"https://drive.google.com/uc?id={record.id}&export=download")
    if "." in record.name:
        extension = record.name.rsplit(".", 1)[1]
        body.update(fileExtension=extension, fullFileExtension=extension)


def capabilities(store: Store, record: FileRecord) -> dict:
    folder, live, mine = record.is_folder, not record.trashed, record.drive_id is None
    return {"canAddChildren": folder and live, "canListChildren": folder, "canRemoveChildren": folder and live,
            "canEdit": live, "canRename": live, "canTrash": live, "canUntrash": not live, "canDelete": True,
            "canShare": True, "canDownload": not folder, "canCopy": not folder, "canComment": not folder,
            "canModifyContent": live and not folder, "canReadRevisions": not folder,
            "canMoveItemWithinDrive": live, "canAddMyDriveParent": False, "canRemoveMyDriveParent": mine,
            "canChangeViewersCanCopyContent": True, "canReadDrive": not mine}


def root_json(store: Store, record: FileRecord) -> dict:
    body = file_json(store, record)
    body.pop("parents", None)
    return body


def about_json(store: Store, max_upload: int = 5_242_880_000_000) -> dict:
    usage, trash = store.usage()
    quota = {"usage": str(usage), "usageInDrive": str(usage), "usageInDriveTrash": str(trash)}
    if store.service_account:
        quota["limit"] = "0"
    elif store.quota_bytes is not None:
        quota["limit"] = str(store.quota_bytes)
    return {"kind": "drive#about", "user": user_json(store.service_account), "storageQuota": quota,
            "maxUploadSize": str(max_upload), "appInstalled": False, "canCreateDrives": not store.service_account,
            "importFormats": {}, "exportFormats": {}, "maxImportSizes": {}, "folderColorPalette": ["#ac725e"],
            "driveThemes": []}


