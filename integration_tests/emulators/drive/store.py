"""In-memory Drive: the file tree, drive.file visibility, trash/delete, quota, properties, permissions."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass, field

from .errors import ApiError, not_found
from .permissions import permission_id

FOLDER = "application/vnd.google-apps.folder"
USER_EMAIL = "owner@example.com"
PROPERTY_BYTES = 124        # key + value, UTF-8
PROPERTIES_PER_APP = 30     # per visibility (public / private)
SA_QUOTA_MESSAGE = ("Service Accounts do not have storage quota. Leverage shared drives "
                    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), "
                    "or use OAuth delegation (http://support.google.com/a/answer/7281227) instead.")
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@dataclass
class FileRecord:
    id: str
    name: str
    mime_type: str
    parents: list[str]
    app_properties: dict = field(default_factory=dict)
    properties: dict = field(default_factory=dict)
    description: str | None = None
    trashed: bool = False
    explicitly_trashed: bool = False
    size: int | None = None
    md5: str | None = None
    sha256: str | None = None
    created_time: str = ""
    modified_time: str = ""
    drive_id: str | None = None
    content: bytes | None = None
    starred: bool = False
    version: int = 1
    # Content revisions: the head's number, and (revision id, content) of those replaced by a later
    # upload, which Drive keeps as earlier revisions of the same file; a blob revision not marked
    # keepForever is "typically preserved for 30 days" (https://developers.google.com/drive/api/guides/manage-revisions).
    head_revision: int = 1
    previous: list = field(default_factory=list)
    kept_forever: set = field(default_factory=set)
    app_created: bool = True      # made through the API: visible under drive.file
    trashed_time: str | None = None

    @property
    def is_folder(self) -> bool:
        return self.mime_type == FOLDER

    def set_content(self, content: bytes) -> None:
        self.content = content
        self.size = len(content)
        self.md5 = hashlib.md5(content).hexdigest()
        self.sha256 = hashlib.sha256(content).hexdigest()


def new_file_id() -> str:
    return "1" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def check_properties(app_properties: dict, properties: dict) -> None:
    """Drive's limits: 124 UTF-8 bytes per key+value; 30 per visibility per app."""
    for mapping in (app_properties, properties):
        if len(mapping) > PROPERTIES_PER_APP:
            raise ApiError(403, "propertyLimitExceeded", "The limit for properties per app has been exceeded.")
        for key, value in mapping.items():
            if len(key.encode()) + len(value.encode()) > PROPERTY_BYTES:
                raise ApiError(403, "propertyLengthLimitExceeded",
                               f"The property key and value exceeds the allowed limit of {PROPERTY_BYTES} bytes: {key}")


def merge_properties(current: dict, patch, location: str) -> dict:
    """Patch semantics: null removes a key; values must be strings."""
    if not isinstance(patch, dict):
        raise ApiError(400, "invalid", f"Invalid value for {location}", location=location)
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, (str, int, float, bool)):
            merged[key] = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
        else:
            raise ApiError(400, "invalid", f"Invalid value for {location}.{key}", location=location)
    return merged


class Store:
    def __init__(self, *, quota_bytes: int | None = None, service_account: bool = False):
        self.lock = threading.RLock()
        self.quota_bytes, self.service_account = quota_bytes, service_account
        self.files: dict[str, FileRecord] = {}
        self.roots: dict[str, FileRecord] = {}
        self.granted: set[str] = set()
        self.reserved_ids: set[str] = set()
        self.used_ids: set[str] = set()
        self.permissions: dict[str, list[dict]] = {}
        # Realism switches (see emulator.py): search index lag, sharing refusals, shared-drive cap.
        self.search_lag = False
        self.unindexed: set[str] = set()        # ids the name/property search does not see yet
        self.addresses_without_account: set[str] = set()
        self.member_role = "organizer"          # the app's role in shared drives
        self.sharing_folders_requires_organizer = True
        self.shared_drive_item_limit: int | None = None
        self._last_ms = 0
        self._user = threading.local()  # set while acting as the person in the Drive UI
        self.root_id = new_file_id()
        self.roots[self.root_id] = FileRecord(self.root_id, "My Drive", FOLDER, [], created_time=self.now(),
                                              modified_time=self.now())

    # ---- clock and ids
    def now(self) -> str:
        """RFC 3339 with milliseconds, strictly increasing so ordering by time is deterministic."""
        ms = max(int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000), self._last_ms + 1)
        self._last_ms = ms
        moment = dt.datetime.fromtimestamp(ms / 1000, dt.timezone.utc)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"

    def create_root(self, name: str) -> FileRecord:
        """A shared drive: its id is also the id of its top folder."""
        drive_id = "0A" + new_file_id()[1:18]
        stamp = self.now()
        record = FileRecord(drive_id, name, FOLDER, [], created_time=stamp, modified_time=stamp, drive_id=drive_id)
        self.roots[drive_id] = record
        return record

    def generate_ids(self, count: int) -> list[str]:
        ids = [new_file_id() for _ in range(count)]
        self.reserved_ids.update(ids)
        return ids

    # ---- lookup and visibility
    def resolve(self, file_id: str) -> str:
        return self.root_id if file_id == "root" else file_id

    def lookup(self, file_id: str) -> FileRecord | None:
        file_id = self.resolve(file_id)
        return self.files.get(file_id) or self.roots.get(file_id)

    def acting_as_user(self, active: bool) -> None:
        self._user.active = active

    def is_visible(self, record: FileRecord, all_drives: bool) -> bool:
        if getattr(self._user, "active", False):
            return True
        in_shared_drive = record.drive_id is not None
        if in_shared_drive and not all_drives:
            return False
        if record.id in self.roots:
            return True
        return record.app_created or record.id in self.granted

    def get_visible(self, file_id: str, all_drives: bool, location: str = "fileId") -> FileRecord:
        record = self.lookup(file_id)
        if record is None or not self.is_visible(record, all_drives):
            raise not_found(file_id, location)
        return record

    def children(self, folder_id: str) -> list[FileRecord]:
        return [r for r in self.files.values() if folder_id in r.parents]

    def descendants(self, folder_id: str) -> list[FileRecord]:
        out, stack = [], [folder_id]
        while stack:
            for child in self.children(stack.pop()):
                out.append(child)
                stack.append(child.id)
        return out

    def path_of(self, record: FileRecord) -> str:
        names, current = [], record
        while current is not None and current.id not in self.roots:
            names.append(current.name)
            current = self.lookup(current.parents[0]) if current.parents else None
        return "/".join(reversed(names))

    # ---- quota
    def usage(self) -> tuple[int, int]:
        """(bytes owned in My Drive incl. trash, bytes in trash); shared drives don't count."""
        owned = [r for r in self.files.values() if r.drive_id is None and not r.is_folder]
        return sum(r.size or 0 for r in owned), sum(r.size or 0 for r in owned if r.trashed)

    def check_quota(self, drive_id: str | None, is_folder: bool, added_bytes: int) -> None:
        if drive_id is not None or is_folder:
            return
        if self.service_account:
            raise ApiError(403, "storageQuotaExceeded", SA_QUOTA_MESSAGE)
        if self.quota_bytes is not None and self.usage()[0] + added_bytes > self.quota_bytes:
            raise ApiError(403, "storageQuotaExceeded")

    # ---- create
    def claim_id(self, file_id: str | None) -> str:
        if file_id is None:
            return new_file_id()
        self._check_id(file_id)
        return file_id

    def parent_for(self, parents, all_drives: bool) -> FileRecord:
        if parents is None:
            parents = [self.root_id]
        if not isinstance(parents, list) or not parents:
            raise ApiError(400, "invalid", "Invalid value for parents", location="parents")
        if len(parents) > 1:
            raise ApiError(403, "cannotAddParent", "Increasing the number of parents is not allowed. "
                           "A file can only have one parent.")
        parent = self.get_visible(parents[0], all_drives, location="parents")
        if not parent.is_folder:
            raise ApiError(400, "badRequest", f"The specified parent is not a folder: {parents[0]}.")
        return parent

    def validate_create(self, meta: dict, size: int | None, all_drives: bool) -> FileRecord:
        """Everything a create can fail on, without side effects; returns the parent."""
        file_id = meta.get("id")
        if file_id is not None:
            self._check_id(file_id)
        parent = self.parent_for(meta.get("parents"), all_drives)
        check_properties(merge_properties({}, meta.get("appProperties") or {}, "appProperties"),
                         merge_properties({}, meta.get("properties") or {}, "properties"))
        self.check_quota(self._drive_of(parent), meta.get("mimeType") == FOLDER, size or 0)
        self.check_item_limit(self._drive_of(parent))
        return parent

    def check_item_limit(self, drive_id: str | None) -> None:
        """A shared drive holds at most 400,000 items, trash included (Drive help "Shared drive limits";
        reason teamDriveFileLimitExceeded, handled as fatal by rclone backend/drive/drive.go)."""
        limit = self.shared_drive_item_limit
        if drive_id is None or limit is None:
            return
        if sum(1 for r in self.files.values() if r.drive_id == drive_id) >= limit:
            raise ApiError(403, "teamDriveFileLimitExceeded",
                           "The file limit for this shared drive has been exceeded.")

    def _check_id(self, file_id: str) -> None:
        if file_id in self.used_ids or file_id in self.files:
            raise ApiError(409, "fileIdInUse", "A file already exists with the provided ID.", location="file.id")
        if file_id not in self.reserved_ids:
            raise ApiError(400, "invalid", "The provided file ID is not usable.", location="file.id")

    def _drive_of(self, parent: FileRecord) -> str | None:
        if parent.id in self.roots:
            return None if parent.id == self.root_id else parent.id
        return parent.drive_id

    def create(self, meta: dict, content: bytes | None, media_type: str | None, all_drives: bool,
               *, app_created: bool = True) -> FileRecord:
        parent = self.validate_create(meta, len(content) if content is not None else 0, all_drives)
        file_id = self.claim_id(meta.get("id"))
        mime = meta.get("mimeType") or media_type or "application/octet-stream"
        stamp = self.now()
        record = FileRecord(
            id=file_id, name=str(meta.get("name") or "Untitled"), mime_type=mime, parents=[parent.id],
            app_properties=merge_properties({}, meta.get("appProperties") or {}, "appProperties"),
            properties=merge_properties({}, meta.get("properties") or {}, "properties"),
            description=meta.get("description"), starred=bool(meta.get("starred", False)),
            created_time=stamp, modified_time=meta.get("modifiedTime") or stamp,
            drive_id=self._drive_of(parent), app_created=app_created)
        if not record.is_folder and not mime.startswith("application/vnd.google-apps."):
            record.set_content(content or b"")
        self.files[file_id] = record
        if self.search_lag:
            self.unindexed.add(file_id)
        self.used_ids.add(file_id)
        self.reserved_ids.discard(file_id)
        role = "owner" if record.drive_id is None else self.member_role
        self.permissions[file_id] = [{"kind": "drive#permission", "id": permission_id(USER_EMAIL), "type": "user",
                                      "role": role, "emailAddress": USER_EMAIL, "displayName": "Owner"}]
        return record

    # ---- update
    def move(self, record: FileRecord, add: list[str], remove: list[str], all_drives: bool) -> None:
        parents = [p for p in record.parents if p not in {self.resolve(r) for r in remove}]
        for new_id in add:
            parent = self.parent_for([new_id], all_drives)
            if parent.id == record.id or any(d.id == parent.id for d in self.descendants(record.id)):
                raise ApiError(400, "badRequest", "A folder cannot be moved into itself or its descendants.")
            if parent.id not in parents:
                parents.append(parent.id)
        if not parents:
            raise ApiError(400, "badRequest", "A file must keep exactly one parent: add one when removing the last.")
        if len(parents) != 1:
            raise ApiError(403, "cannotAddParent", "Increasing the number of parents is not allowed. "
                           "A file can only have one parent.")
        record.parents = parents
        drive_id = self._drive_of(self.lookup(parents[0]))
        for item in [record] + self.descendants(record.id):
            item.drive_id = drive_id

    def set_content(self, record: FileRecord, content: bytes, media_type: str | None) -> None:
        if record.is_folder:
            raise ApiError(400, "badRequest", "Folders have no content.")
        self.check_quota(record.drive_id, False, len(content) - (record.size or 0))
        if record.content is not None:
            record.previous.append((f"rev{record.head_revision}", record.content))
            record.head_revision += 1
        record.set_content(content)
        if media_type:
            record.mime_type = media_type
        self.touch(record)

    def touch(self, record: FileRecord) -> None:
        record.modified_time = self.now()
        record.version += 1

    def trash(self, record: FileRecord) -> None:
        record.trashed, record.explicitly_trashed, record.trashed_time = True, True, self.now()
        for item in self.descendants(record.id):
            item.trashed = True

    def untrash(self, record: FileRecord) -> None:
        record.trashed, record.explicitly_trashed, record.trashed_time = False, False, None
        for item in self.descendants(record.id):
            if not item.explicitly_trashed:
                item.trashed = False

    def delete(self, record: FileRecord) -> None:
        for item in [record] + self.descendants(record.id):
            self.files.pop(item.id, None)
            self.permissions.pop(item.id, None)
            self.granted.discard(item.id)
