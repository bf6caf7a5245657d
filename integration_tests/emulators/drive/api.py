"""Metadata endpoints: files.*, about.get, permissions.*, drives.* — over the in-memory store."""
from __future__ import annotations

import base64
import hashlib
import json

from . import fields as masks
from .errors import ApiError, invalid
from .permissions import effective_permissions, make_permission, sharing_refusal, upsert
from .query import QueryError, compile_query, uses_search_index
from .resources import (FILE_DEFAULT, LIST_DEFAULT, PERMISSION_DEFAULT, PERMISSION_LIST_DEFAULT, about_json,
                        file_json, root_json, user_json)
from .store import FileRecord, Store, check_properties, merge_properties
from .wire import Request, Response

_ORDER_KEYS = {
    "createdTime": lambda r: r.created_time, "modifiedTime": lambda r: r.modified_time,
    "modifiedByMeTime": lambda r: r.modified_time, "viewedByMeTime": lambda r: r.modified_time,
    "recency": lambda r: r.modified_time, "sharedWithMeTime": lambda r: r.created_time,
    "name": lambda r: r.name.casefold(), "name_natural": lambda r: r.name.casefold(),
    "folder": lambda r: 0 if r.is_folder else 1, "quotaBytesUsed": lambda r: r.size or 0,
    "starred": lambda r: r.starred,
}


def select(body: dict, req: Request, resource: str, default: str) -> dict:
    try:
        return masks.select(body, req.query.get("fields"), resource, default)
    except masks.FieldsError as exc:
        raise invalid("fields", str(exc)) from exc


def int_param(req: Request, name: str, default: int, low: int, high: int) -> int:
    raw = req.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise invalid(name, f"Invalid value '{raw}'. Values must be within the range: [{low}, {high}]") from exc
    if not low <= value <= high:
        raise invalid(name, f"Invalid value '{raw}'. Values must be within the range: [{low}, {high}]")
    return value


def parse_order(order_by: str | None) -> list[tuple[str, bool]]:
    keys = []
    for item in (order_by or "").split(","):
        words = item.split()
        if not words:
            continue
        if words[0] not in _ORDER_KEYS or len(words) > 2 or (len(words) == 2 and words[1].lower() != "desc"):
            raise invalid("orderBy", f"Invalid Value: orderBy '{item.strip()}'")
        keys.append((words[0], len(words) == 2))
    return keys


def sort_records(records: list[FileRecord], keys: list[tuple[str, bool]]) -> list[FileRecord]:
    out = sorted(records, key=lambda r: (r.created_time, r.id))
    for name, desc in reversed(keys):
        out.sort(key=_ORDER_KEYS[name], reverse=desc)  # stable sorts, last key first
    return out


class DriveApi:
    def __init__(self, store: Store):
        self.store = store

    # ---- query context (see query.QueryContext)
    def resolve_id(self, file_id: str) -> str:
        return self.store.resolve(file_id)

    def owner_emails(self, record: FileRecord) -> list[str]:
        return ["me", user_json(self.store.service_account)["emailAddress"]] if record.drive_id is None else []

    # ---- files
    def file_response(self, req: Request, record: FileRecord) -> Response:
        body = root_json(self.store, record) if record.id in self.store.roots else file_json(self.store, record)
        return Response.json(select(body, req, "File", FILE_DEFAULT))

    def files_get(self, req: Request, file_id: str) -> Response:
        record = self.store.get_visible(file_id, req.all_drives)
        if req.query.get("alt") == "media":
            if record.content is None:
                raise ApiError(403, "fileNotDownloadable", "Only files with binary content can be downloaded.")
            return Response(200, record.content, {"Content-Type": record.mime_type})
        return self.file_response(req, record)

    def files_create(self, req: Request) -> Response:
        record = self.store.create(req.json(), None, None, req.all_drives)
        return self.file_response(req, record)

    def files_update(self, req: Request, file_id: str) -> Response:
        return self.file_response(req, self.update_record(req, file_id, req.json()))

    def update_record(self, req: Request, file_id: str, meta: dict, content: bytes | None = None,
                      media_type: str | None = None) -> FileRecord:
        record = self.store.get_visible(file_id, req.all_drives)
        if content is not None and record.is_folder:
            raise ApiError(400, "badRequest", "Folders have no content.")
        self.apply_update(req, record, meta)
        if content is not None:
            self.store.set_content(record, content, meta.get("mimeType") or media_type)
        return record

    def apply_update(self, req: Request, record: FileRecord, meta: dict) -> None:
        if "parents" in meta:
            raise ApiError(403, "fieldNotWritable", "The resource body includes fields which are not directly "
                           "writable. Use the addParents and removeParents parameters instead.")
        app_props = merge_properties(record.app_properties, meta.get("appProperties", {}) or {}, "appProperties")
        props = merge_properties(record.properties, meta.get("properties", {}) or {}, "properties")
        check_properties(app_props, props)
        add = [p for p in req.query.get("addParents", "").split(",") if p]
        remove = [p for p in req.query.get("removeParents", "").split(",") if p]
        if add or remove:
            self.store.move(record, add, remove, req.all_drives)
        record.app_properties, record.properties = app_props, props
        for key, attr in (("name", "name"), ("description", "description"), ("mimeType", "mime_type"),
                          ("starred", "starred")):
            if key in meta and meta[key] is not None:
                setattr(record, attr, meta[key])
        if meta.get("trashed") is True and not record.explicitly_trashed:
            self.store.trash(record)
        elif meta.get("trashed") is False and record.trashed:
            self.store.untrash(record)
        self.store.touch(record)
        if meta.get("modifiedTime"):
            record.modified_time = meta["modifiedTime"]

    def files_delete(self, req: Request, file_id: str) -> Response:
        record = self.store.get_visible(file_id, req.all_drives)
        if record.id in self.store.roots:
            raise ApiError(403, "insufficientFilePermissions", "The user does not have sufficient permissions for this file.")
        self.store.delete(record)
        return Response(204)

    def files_list(self, req: Request) -> Response:
        records = self._matching(req)
        keys = parse_order(req.query.get("orderBy"))
        page_size = int_param(req, "pageSize", 100, 1, 1000)
        fingerprint = hashlib.sha256(json.dumps([req.query.get(k) for k in ("q", "orderBy", "corpora", "driveId")])
                                     .encode()).hexdigest()[:12]
        offset = _decode_token(req.query.get("pageToken"), fingerprint)
        ordered = sort_records(records, keys)
        page = ordered[offset:offset + page_size]
        body = {"kind": "drive#fileList", "incompleteSearch": False,
                "files": [file_json(self.store, r) for r in page]}
        if offset + page_size < len(ordered):
            body["nextPageToken"] = _encode_token(offset + page_size, fingerprint)
        return Response.json(select(body, req, "FileList", LIST_DEFAULT))

    def _matching(self, req: Request) -> list[FileRecord]:
        try:
            predicate = compile_query(req.query["q"]) if req.query.get("q") else None
        except QueryError as exc:
            raise ApiError(400, "invalid", "Invalid Value", location="q") from exc
        corpus = self._corpus(req)
        hidden = self.store.unindexed if predicate is not None and uses_search_index(req.query["q"]) else set()
        return [r for r in list(self.store.files.values())
                if r.id not in hidden and self.store.is_visible(r, req.all_drives) and corpus(r)
                and (predicate is None or predicate(self, r))]

    def _corpus(self, req: Request):
        include_all = req.all_drives and (req.flag("includeItemsFromAllDrives") or req.flag("includeTeamDriveItems"))
        corpora, drive_id = req.query.get("corpora", "user"), req.query.get("driveId")
        if corpora not in ("user", "drive", "allDrives", "domain"):
            raise invalid("corpora")
        if corpora == "drive" or drive_id:
            if not drive_id or not include_all:
                raise ApiError(403, "teamDriveIncludeItemsRequired" if drive_id else "required",
                               "The includeItemsFromAllDrives parameter must be set to true when driveId is "
                               "specified." if drive_id else "driveId is required for corpora=drive.")
            return lambda r: r.drive_id == drive_id
        if corpora == "allDrives" and not include_all:
            raise ApiError(403, "teamDriveIncludeItemsRequired",
                           "The includeItemsFromAllDrives parameter must be set to true when corpora=allDrives.")
        return (lambda r: True) if include_all else (lambda r: r.drive_id is None)

    def generate_ids(self, req: Request) -> Response:
        count = int_param(req, "count", 10, 1, 1000)
        if req.query.get("space", "drive") not in ("drive", "appDataFolder"):
            raise invalid("space")
        body = {"kind": "drive#generatedIds", "space": req.query.get("space", "drive"),
                "ids": self.store.generate_ids(count)}
        return Response.json(select(body, req, "GeneratedIds", "kind,space,ids"))

    # ---- about, permissions, drives
    def about_get(self, req: Request) -> Response:
        if not req.query.get("fields"):
            raise ApiError(400, "required", "The 'fields' parameter is required for this method.", location="fields")
        return Response.json(select(about_json(self.store), req, "About", ""))

    def permissions_create(self, req: Request, file_id: str) -> Response:
        record = self.store.get_visible(file_id, req.all_drives)
        permission = make_permission(req.json())
        sharing_refusal(self.store, record, permission, notify=req.query.get("sendNotificationEmail", "true") != "false")
        upsert(self.store.permissions.setdefault(record.id, []), permission)
        return Response.json(select(permission, req, "Permission", PERMISSION_DEFAULT))

    def permissions_list(self, req: Request, file_id: str) -> Response:
        record = self.store.get_visible(file_id, req.all_drives)
        everything = effective_permissions(self.store, record)
        page_size = int_param(req, "pageSize", 100, 1, 100)
        offset = _decode_token(req.query.get("pageToken"), record.id)
        body = {"kind": "drive#permissionList", "permissions": everything[offset:offset + page_size]}
        if offset + page_size < len(everything):
            body["nextPageToken"] = _encode_token(offset + page_size, record.id)
        return Response.json(select(body, req, "PermissionList", PERMISSION_LIST_DEFAULT))

    def revisions_update(self, req: Request, file_id: str, revision_id: str) -> Response:
        """keepForever on a blob file's revision (revisions.update; only blob files have it)."""
        record = self.store.get_visible(file_id, req.all_drives)
        known = {rev for rev, _ in record.previous} | {f"rev{record.head_revision}"}
        if record.content is None or revision_id not in known:
            raise ApiError(404, "notFound", f"Revision not found: {revision_id}.", location="revisionId")
        keep = req.json().get("keepForever")
        if keep is True:
            record.kept_forever.add(revision_id)
        elif keep is False:
            record.kept_forever.discard(revision_id)
        body = {"kind": "drive#revision", "id": revision_id, "keepForever": revision_id in record.kept_forever,
                "mimeType": record.mime_type}
        return Response.json(select(body, req, "Revision", "kind,id,mimeType"))

    def drives_get(self, req: Request, drive_id: str) -> Response:
        root = self.store.roots.get(drive_id)
        if root is None or drive_id == self.store.root_id:
            raise ApiError(404, "notFound", f"Shared drive not found: {drive_id}", location="driveId")
        return Response.json(select({"kind": "drive#drive", "id": root.id, "name": root.name,
                                     "createdTime": root.created_time}, req, "Drive", "kind,id,name"))


def _encode_token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{fingerprint}".encode()).decode().rstrip("=")


def _decode_token(token: str | None, fingerprint: str) -> int:
    if not token:
        return 0
    try:
        offset, found = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
        if found == fingerprint:
            return int(offset)
    except ValueError:
        pass
    raise invalid("pageToken", "Invalid Value")

