"""Every Drive call the destination makes, with retries, rate limiting and idempotent creates.

Reads use the client library's own retry (`execute(num_retries=…)`): GETs are idempotent and it
retries exactly Drive's retryable answers. Writes use our loop instead, because (1) each attempt
must take a token from the shared rate limiter and a rate-limit answer must pause every worker,
(2) a create that committed before failing comes back as 409 fileIdInUse on replay and must be
read as success, and (3) the library ignores Retry-After and has no cap on its sleeps.
Resumable chunks have their own loop too: the library does not retry a chunk after a transport
error, and retrying a stream-backed chunk itself resends an empty body (see BEHAVIOR.md).
"""

from __future__ import annotations

import datetime
import io
import logging
import threading
import time
from typing import Any, Callable, Iterator, Mapping

from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseDownload, MediaIoBaseUpload

from destination_gdrive_receipts.drive.service import DriveServices
from destination_gdrive_receipts.drive.rate_limit import (
    FATAL, LIMIT_REASONS, QUOTA, RATE_LIMITED, TRANSPORT_ERRORS, Backoff, TokenBucket, classify, error_reason,
    retry_after_seconds,
)

logger = logging.getLogger("airbyte")

FOLDER_MIME = "application/vnd.google-apps.folder"
FILE_FIELDS = ("id,name,mimeType,parents,appProperties,md5Checksum,size,trashed,explicitlyTrashed,trashedTime,"
               "createdTime,driveId")
LIST_FIELDS = f"nextPageToken,incompleteSearch,files({FILE_FIELDS})"
MULTIPART_MAX_BYTES = 5 * 1024 * 1024     # Drive's advice for one-request uploads
CHUNK_BYTES = 8 * 1024 * 1024             # a multiple of 256 KiB, as Drive requires
READ_RETRIES = 6
ID_BATCH = 250            # ids per generateIds call (Drive allows up to 1000)


class DriveLimitError(Exception):
    """Drive refused because a limit is reached that no retry within this sync can lift."""

    kind = "storage"


class DriveFullError(DriveLimitError):
    """Drive refused to store more bytes (storageQuotaExceeded), or our own count says it would."""


class SharedDriveFullError(DriveLimitError):
    """The shared drive holds its maximum number of items (teamDriveFileLimitExceeded)."""

    kind = "shared_drive_items"


class DailyLimitError(DriveLimitError):
    """The Cloud project's daily Drive API quota is spent (dailyLimitExceeded)."""

    kind = "daily_requests"


LIMIT_ERRORS = {error.kind: error for error in (DriveFullError, SharedDriveFullError, DailyLimitError)}


class DriveGateway:
    def __init__(self, services: DriveServices, bucket: TokenBucket, *, backoff: Backoff = Backoff(),
                 sleep: Callable[[float], None] = time.sleep, read_retries: int = READ_RETRIES) -> None:
        self._services, self._bucket, self._backoff, self._sleep = services, bucket, backoff, sleep
        self._read_retries = read_retries
        self._ids: list[str] = []
        self._ids_lock = threading.Lock()
        self.drive_id: str | None = None     # set when the root folder lives in a shared drive
        self.created: list[str] = []         # ids of items this sync created (kept in the manifest)
        self.filed_into: dict[str, str] = {} # folder id -> when this sync last put an item in it (UTC)

    @property
    def writes(self) -> int:
        """Write requests sent: each one takes a token from the bucket first (upload pool threads too)."""
        return self._bucket.taken

    # ---- reads -------------------------------------------------------------------------------
    def _read(self, build: Callable[[Any], Any]) -> Any:
        return build(self._services.get()).execute(num_retries=self._read_retries)

    def get(self, file_id: str, fields: str = FILE_FIELDS) -> dict | None:
        """The file's metadata, or None when it is gone or invisible to the app."""
        try:
            return self._read(lambda s: s.files().get(fileId=file_id, fields=fields, supportsAllDrives=True))
        except HttpError as error:
            if error.resp.status == 404:
                return None
            raise

    def list(self, q: str, fields: str = LIST_FIELDS) -> Iterator[dict]:
        """Every file matching `q`, 1000 per call."""
        scope: dict[str, Any] = {"corpora": "user"}
        if self.drive_id:
            scope = {"corpora": "drive", "driveId": self.drive_id, "includeItemsFromAllDrives": True}
        token = None
        while True:
            page = self._read(lambda s: s.files().list(
                q=q, fields=fields, pageSize=1000, pageToken=token, spaces="drive", supportsAllDrives=True, **scope))
            yield from page.get("files", [])
            token = page.get("nextPageToken")
            if not token:
                return

    def about(self) -> dict:
        return self._read(lambda s: s.about().get(fields="storageQuota,user(emailAddress,displayName)"))

    def download(self, file_id: str) -> bytes:
        buffer = io.BytesIO()
        request = self._services.get().files().get_media(fileId=file_id, supportsAllDrives=True)
        downloader = MediaIoBaseDownload(buffer, request, chunksize=CHUNK_BYTES)
        done = False
        while not done:
            _, done = downloader.next_chunk(num_retries=self._read_retries)
        return buffer.getvalue()

    def reserve_id(self) -> str:
        """An id from files.generateIds: replaying a create with it cannot make a duplicate."""
        with self._ids_lock:
            if not self._ids:
                answer = self._read(lambda s: s.files().generateIds(count=ID_BATCH, space="drive", type="files"))
                self._ids = list(answer["ids"])
            return self._ids.pop()

    # ---- writes ------------------------------------------------------------------------------
    def _write(self, build: Callable[[Any], Any]) -> Any:
        attempt = 0
        while True:
            self._bucket.acquire()
            try:
                return build(self._services.get()).execute(num_retries=0)
            except HttpError as error:
                attempt = self._backoff_or_raise(error, attempt)
            except TRANSPORT_ERRORS as error:
                attempt = self._backoff_or_raise(error, attempt)

    def _backoff_or_raise(self, error: Exception, attempt: int) -> int:
        """Sleep before the next attempt, or raise when the error is final."""
        retry_after = None
        if isinstance(error, HttpError):
            kind = classify(error.resp.status, error_reason(error.content))
            if kind == QUOTA:
                reason = error_reason(error.content) or "storageQuotaExceeded"
                raise LIMIT_ERRORS[LIMIT_REASONS.get(reason, "storage")](reason) from error
            if kind == FATAL:
                raise error
            retry_after = retry_after_seconds(error.resp)
        else:
            kind = "transport"
        if attempt + 1 >= self._backoff.attempts:
            raise error
        delay = self._backoff.delay(attempt, retry_after)
        if kind == RATE_LIMITED:
            self._bucket.pause(delay)
        logger.info("Drive answered %s; retrying in %.1fs (attempt %d)", _describe(error), delay, attempt + 2)
        self._sleep(delay)
        return attempt + 1

    def create_folder(self, name: str, parent: str | None, app_properties: Mapping[str, str]) -> dict:
        """A folder under `parent` (None: My Drive's root)."""
        body = {"id": self.reserve_id(), "name": name, "mimeType": FOLDER_MIME, "appProperties": dict(app_properties)}
        if parent:
            body["parents"] = [parent]
        return self._create(body, None)

    def create_file(self, body: Mapping[str, Any], media: "Media") -> dict:
        """Create a file with a reserved id; a replay that finds it already created is success."""
        full = {"id": self.reserve_id(), **body}
        return self._create(full, media)

    def _create(self, body: dict, media: "Media | None") -> dict:
        created = self._create_once(body, media)
        self.created.append(created["id"])    # list.append is atomic: upload threads share the list
        for parent in body.get("parents") or ():
            self.filed_into[parent] = utc_stamp()
        return created

    def _create_once(self, body: dict, media: "Media | None") -> dict:
        try:
            if media is not None and media.size > media.one_request_max:
                return self._resumable(lambda s, m: s.files().create(
                    body=body, media_body=m, fields=FILE_FIELDS, supportsAllDrives=True), media)
            return self._write(lambda s: s.files().create(
                body=body, media_body=media.upload(resumable=False) if media else None,
                fields=FILE_FIELDS, supportsAllDrives=True))
        except HttpError as error:
            if error.resp.status != 409:
                raise
            # fileIdInUse: an earlier attempt of this very create committed.
            existing = self.get(body["id"])
            if existing is None:
                raise
            if media is not None and existing.get("md5Checksum") != media.md5:
                return self.update(existing["id"], {}, media=media)
            return existing

    def update(self, file_id: str, body: Mapping[str, Any], *, media: "Media | None" = None,
               add_parents: str | None = None, remove_parents: str | None = None) -> dict:
        """Patch metadata (rename, move, untrash) and, with media, the content (a new revision)."""
        params: dict[str, Any] = {"fileId": file_id, "body": dict(body), "fields": FILE_FIELDS,
                                  "supportsAllDrives": True}
        if add_parents:
            params.update(addParents=add_parents, removeParents=remove_parents)
            self.filed_into[add_parents] = utc_stamp()
        if media is not None and media.size > media.one_request_max:
            return self._resumable(lambda s, m: s.files().update(media_body=m, **params), media)
        if media is not None:
            return self._write(lambda s: s.files().update(media_body=media.upload(resumable=False), **params))
        return self._write(lambda s: s.files().update(**params))

    def _resumable(self, build: Callable[[Any, MediaIoBaseUpload], Any], media: "Media") -> dict:
        """Resumable upload in 8 MiB chunks; after a failed chunk the session is asked where to resume."""
        request, attempt = None, 0
        while True:
            try:
                if request is None:
                    request = build(self._services.get(), media.upload(resumable=True))
                    self._bucket.acquire()    # the initiation is the write; chunks ride on it
                while True:
                    _, response = request.next_chunk(num_retries=0)
                    if response is not None:
                        return response
                    attempt = 0               # progress made: the next failure starts a fresh back-off
            except HttpError as error:
                if error.resp.status in (404, 410) and request is not None and request.resumable_uri:
                    logger.info("Upload session expired; starting the upload again")
                    request = None
                    continue
                if request is not None and request.resumable_uri is None:
                    request = None            # the initiation itself failed
                attempt = self._backoff_or_raise(error, attempt)
            except TRANSPORT_ERRORS as error:
                if request is not None and request.resumable_uri is None:
                    request = None
                attempt = self._backoff_or_raise(error, attempt)

    def keep_revision(self, file_id: str, revision_id: str) -> dict:
        """Mark a blob file's revision keepForever: Drive never purges it (earlier ones go after ~30 days)."""
        return self._write(lambda s: s.revisions().update(
            fileId=file_id, revisionId=revision_id, body={"keepForever": True}, fields="id,keepForever"))

    def list_permissions(self, file_id: str) -> list[dict]:
        """Every permission of the item, own and inherited (permissionDetails tells which), page by page."""
        fields = "nextPageToken,permissions(id,type,role,emailAddress,permissionDetails(inherited,role))"
        out, token = [], None
        while True:
            page = self._read(lambda s: s.permissions().list(
                fileId=file_id, fields=fields, pageSize=100, pageToken=token, supportsAllDrives=True))
            out += page.get("permissions", [])
            token = page.get("nextPageToken")
            if not token:
                return out

    def create_permission(self, file_id: str, email: str, role: str, *, notify: bool = False) -> dict:
        body = {"type": "user", "role": role, "emailAddress": email}
        return self._write(lambda s: s.permissions().create(
            fileId=file_id, body=body, sendNotificationEmail=notify, fields="id", supportsAllDrives=True))


class Media:
    """Content to upload: a seekable file with its size and MD5 (to compare with md5Checksum)."""

    def __init__(self, file: Any, size: int, md5: str, mime_type: str, *,
                 one_request_max: int = MULTIPART_MAX_BYTES) -> None:
        self.file, self.size, self.md5, self.mime_type = file, size, md5, mime_type or "application/octet-stream"
        # Above this size a resumable upload: the client builds a multipart request whole in memory
        # (several copies of the content), a resumable one reads it a chunk at a time.
        self.one_request_max = one_request_max

    def upload(self, *, resumable: bool) -> MediaIoBaseUpload:
        self.file.seek(0)
        return MediaIoBaseUpload(self.file, mimetype=self.mime_type, chunksize=CHUNK_BYTES, resumable=resumable)


def utc_stamp() -> str:
    """Now as comparable RFC 3339 UTC text, the manifest's format ('YYYY-MM-DDTHH:MM:SS.ffffffZ')."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _describe(error: Exception) -> str:
    if isinstance(error, HttpError):
        return f"{error.resp.status} {error_reason(error.content) or ''}".strip()
    return type(error).__name__
