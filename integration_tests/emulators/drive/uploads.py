"""Upload endpoints: multipart, media, and the resumable session state machine.

Resumable protocol (gdrive.md §2.3): initiation → 200 + absolute Location; chunks `PUT` with
`Content-Range: bytes a-b/N` → 308 (+ `Range: bytes=0-last` once something is stored) until the
last byte, then 200 + File; `bytes */N` asks for the state; unknown session → 404.
Non-final chunks must be ≥ 256 KiB; the stored length is kept a multiple of 256 KiB (like Google's
servers, which persist whole 256 KiB blocks and report the rest as missing).
"""
from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field

from .api import DriveApi
from .errors import ApiError, invalid
from .multipart import MultipartError, parse_related
from .wire import Request, Response

CHUNK_GRANULARITY = 256 * 1024
_RANGE = re.compile(r"^bytes (?:(\*)|(\d+)-(\d+))/(\*|\d+)$")


@dataclass
class Session:
    id: str
    meta: dict
    media_type: str
    query: dict
    target_id: str | None = None      # files.update target; None = create
    total: int | None = None
    buffer: bytearray = field(default_factory=bytearray)
    result_id: str | None = None


class UploadApi:
    def __init__(self, api: DriveApi, base_url: str, conversion=None):
        self.api, self.base_url, self.conversion = api, base_url, conversion
        self.sessions: dict[str, Session] = {}
        self.lock = threading.Lock()

    # ---- one-request uploads and initiation
    def upload(self, req: Request, file_id: str | None = None) -> Response:
        kind = req.query.get("uploadType", "media")
        if kind == "resumable":
            return self._initiate(req, file_id)
        if kind == "multipart":
            try:
                raw_meta, media_type, content = parse_related(req.body, req.headers.get("content-type", ""))
            except MultipartError as exc:
                raise ApiError(400, "badContent", f"Malformed multipart body: {exc}") from exc
            meta = Request("POST", req.path, {}, {}, raw_meta).json()
        elif kind == "media":
            meta, media_type, content = {}, req.headers.get("content-type") or "application/octet-stream", req.body
        else:
            raise invalid("uploadType", f"Invalid value for uploadType: {kind}")
        return self.api.file_response(req, self._commit(req, file_id, meta, media_type, content))

    def _commit(self, req: Request, file_id: str | None, meta: dict, media_type: str, content: bytes):
        target = self.api.store.get_visible(file_id, req.all_drives) if file_id is not None else None
        if self.conversion is not None and self.conversion.converts(meta, media_type, target):
            return self.conversion.commit(self.api, req, file_id, meta, media_type, content)  # conversion.py
        if file_id is not None:
            return self.api.update_record(req, file_id, meta, content, media_type)
        return self.api.store.create(meta, content, media_type, req.all_drives)

    def _initiate(self, req: Request, file_id: str | None) -> Response:
        meta = req.json()
        total = req.headers.get("x-upload-content-length")
        total = int(total) if total and total.isdigit() else None
        media_type = req.headers.get("x-upload-content-type") or meta.get("mimeType") or "application/octet-stream"
        if file_id is None:
            self.api.store.validate_create(meta, total, req.all_drives)
        else:
            self.api.store.get_visible(file_id, req.all_drives)
        session = Session(secrets.token_urlsafe(24), meta, media_type, dict(req.query), file_id, total)
        with self.lock:
            self.sessions[session.id] = session
        path = "upload/drive/v3/files" + (f"/{file_id}" if file_id else "")
        location = f"{self.base_url}{path}?uploadType=resumable&upload_id={session.id}"
        return Response(200, b"", {"Location": location, "X-GUploader-UploadID": session.id})

    # ---- chunks
    def chunk(self, req: Request) -> Response:
        session = self.sessions.get(req.query.get("upload_id", ""))
        if session is None:
            raise ApiError(404, "notFound", "Upload session not found or expired.", location="upload_id")
        if session.result_id is not None:
            return self._final_response(session)
        content_range = req.headers.get("content-range")
        if content_range is None:  # the whole body in one request (also: empty file)
            session.buffer += req.body
            session.total = len(session.buffer)
            return self._finish(session)
        match = _RANGE.match(content_range.strip())
        if not match:
            raise ApiError(400, "badRequest", f"Invalid Content-Range: {content_range}")
        query, first, last, total = match.groups()
        self._set_total(session, total)
        if query:
            if session.total is not None and len(session.buffer) == session.total:
                return self._finish(session)
            return self._incomplete(session)
        return self._append(session, int(first), int(last), req.body)

    def _set_total(self, session: Session, total: str) -> None:
        if total == "*":
            return
        if session.total is not None and session.total != int(total) and session.buffer:
            raise ApiError(400, "badRequest", "The total size changed during the upload.")
        session.total = int(total)

    def _append(self, session: Session, first: int, last: int, body: bytes) -> Response:
        if last < first or len(body) != last - first + 1:
            raise ApiError(400, "badRequest", "Content-Range does not match the request body length.")
        if session.total is not None and last >= session.total:
            raise ApiError(400, "badRequest", "Content-Range exceeds the declared total size.")
        received = len(session.buffer)
        if first > received:  # a gap: report what we have, the client resends from there
            return self._incomplete(session)
        final = session.total is not None and last + 1 == session.total
        end = last + 1
        if not final:
            if len(body) < CHUNK_GRANULARITY:
                raise ApiError(400, "badRequest", "Invalid request. The number of bytes uploaded is required to be "
                               f"equal or greater than {CHUNK_GRANULARITY}, except for the final request (it's "
                               f"recommended to be the exact multiple of {CHUNK_GRANULARITY}). The received request "
                               f"contained {len(body)} bytes, which does not meet this requirement.")
            end = end // CHUNK_GRANULARITY * CHUNK_GRANULARITY
        if end > received:
            session.buffer += memoryview(body)[received - first:end - first]
        if final and len(session.buffer) == session.total:
            return self._finish(session)
        return self._incomplete(session)

    def absorb_partial(self, req: Request) -> None:
        """A connection dropped mid-chunk: keep the first whole 256 KiB blocks of the first half."""
        session = self.sessions.get(req.query.get("upload_id", ""))
        match = _RANGE.match(req.headers.get("content-range", "").strip())
        if session is None or session.result_id or not match or match.group(1):
            return
        keep = len(req.body) // 2 // CHUNK_GRANULARITY * CHUNK_GRANULARITY
        first = int(match.group(2))
        if keep and first == len(session.buffer):
            session.buffer += memoryview(req.body)[:keep]

    def _incomplete(self, session: Session) -> Response:
        headers = {"X-GUploader-UploadID": session.id}
        if session.buffer:
            headers["Range"] = f"bytes=0-{len(session.buffer) - 1}"
        return Response(308, b"", headers)

    def _finish(self, session: Session) -> Response:
        req = Request("PUT", "", session.query, {}, b"")
        try:
            content = bytes(session.buffer)
            record = self._commit(req, session.target_id, session.meta, session.media_type, content)
        except ApiError:
            with self.lock:
                self.sessions.pop(session.id, None)  # a failed finalisation ends the session
            raise
        session.result_id = record.id
        session.buffer = bytearray()  # the content now lives in the store
        return self.api.file_response(req, record)

    def _final_response(self, session: Session) -> Response:
        req = Request("PUT", "", session.query, {}, b"")
        return self.api.files_get(req, session.result_id)

