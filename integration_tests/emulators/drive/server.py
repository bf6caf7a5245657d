"""HTTP plumbing: routing, auth, write-rate limit, faults, counters, batch; a ThreadingHTTPServer.

HTTP/1.1 with Content-Length on every answer (httplib2 keeps connections alive).
"""
from __future__ import annotations

import collections
import re
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from .api import DriveApi
from .auth import OAuth
from .conversion import Conversion
from .errors import ApiError
from .faults import Faults, TokenBucket
from .sheets.api import SheetsApi
from .multipart import InnerResponse, MultipartError, build_batch_response, parse_batch
from .store import Store
from .uploads import UploadApi
from .wire import REASONS, Request, Response

MAX_BATCH_CALLS = 100
_FILE = r"([^/]+)"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    key: str
    kind: str | None           # "read" | "write" | None
    handler: Callable
    auth: bool = True


class DriveService:
    """Everything but the socket: handle(Request) -> Response."""

    def __init__(self, store: Store, oauth: OAuth, base_url: str, bucket: TokenBucket | None):
        self.store, self.oauth, self.bucket = store, oauth, bucket
        self.api = DriveApi(store)
        self.conversion = Conversion()
        self.sheets = SheetsApi(store)
        self.conversion.sheets = self.sheets
        self.uploads = UploadApi(self.api, base_url, self.conversion)
        self.faults = Faults()
        self.counts: collections.Counter = collections.Counter()
        self._count_lock = threading.Lock()
        self.routes = self._routes()

    def _routes(self) -> list[Route]:
        api, up = self.api, self.uploads
        table = [
            ("POST", r"/token", "token", None, self.oauth.token_endpoint, False),
            ("GET", r"/o/oauth2/auth", "oauth.consent", None, self.oauth.installed_app.authorize, False),
            ("POST", r"/o/oauth2/approve", "oauth.approve", None, self.oauth.installed_app.approve, False),
            ("GET", r"/drive/v3/about", "about.get", "read", api.about_get, True),
            ("GET", r"/drive/v3/files/generateIds", "files.generateIds", "read", api.generate_ids, True),
            ("GET", r"/drive/v3/files", "files.list", "read", api.files_list, True),
            ("POST", r"/drive/v3/files", "files.create", "write", api.files_create, True),
            ("GET", rf"/drive/v3/files/{_FILE}", "files.get", "read", api.files_get, True),
            ("PATCH", rf"/drive/v3/files/{_FILE}", "files.update", "write", api.files_update, True),
            ("DELETE", rf"/drive/v3/files/{_FILE}", "files.delete", "write", api.files_delete, True),
            ("GET", rf"/drive/v3/files/{_FILE}/export", "files.export", "read",
             lambda req, file_id: self.conversion.export(api, req, file_id), True),
            ("GET", rf"/drive/v3/files/{_FILE}/permissions", "permissions.list", "read", api.permissions_list, True),
            ("POST", rf"/drive/v3/files/{_FILE}/permissions", "permissions.create", "write",
             api.permissions_create, True),
            ("PATCH", rf"/drive/v3/files/{_FILE}/revisions/{_FILE}", "revisions.update", "write",
             api.revisions_update, True),
            ("GET", rf"/drive/v3/drives/{_FILE}", "drives.get", "read", api.drives_get, True),
            ("PATCH", rf"/upload/drive/v3/files/{_FILE}", "upload.update", "write", up.upload, True),
            ("POST", r"/batch/drive/v3", "batch", None, self.batch, True),
        ] + self._sheets_routes()
        return [Route(m, re.compile(f"^{p}/?$"), k, kind, h, a) for m, p, k, kind, h, a in table]

    def _sheets_routes(self) -> list[tuple]:
        sh, book = self.sheets, r"/v4/spreadsheets/([^/:]+)"
        return [
            ("POST", r"/v4/spreadsheets", "sheets.create", "write", sh.create, True),
            ("POST", rf"{book}:batchUpdate", "sheets.batchUpdate", "write", sh.batch_update, True),
            ("GET", book, "sheets.get", "read", sh.get, True),
            ("POST", rf"{book}/values:batchGetByDataFilter", "sheets.values.batchGetByDataFilter", "read",
             sh.values_by_filter, True),
            ("GET", rf"{book}/values:batchGet", "sheets.values.batchGet", "read", sh.values_batch_get, True),
            ("POST", rf"{book}/developerMetadata:search", "sheets.developerMetadata.search", "read",
             sh.metadata_search, True),
            ("POST", rf"{book}/values/(.+):append", "sheets.values.append", "write", sh.values_append, True),
            ("GET", rf"{book}/values/(.+)", "sheets.values.get", "read", sh.values_get, True),
            ("PUT", rf"{book}/values/(.+)", "sheets.values.update", "write", sh.values_update, True),
        ]

    def route_for(self, req: Request) -> tuple[Route, tuple] | None:
        if req.path.startswith("/upload/drive/v3/files") and "upload_id" in req.query:
            if req.method in ("PUT", "POST"):
                return Route(req.method, re.compile(""), "upload.chunk", None, self.uploads.chunk, False), ()
        if req.method == "POST" and re.match(r"^/upload/drive/v3/files/?$", req.path):
            kind = req.query.get("uploadType", "media")
            return Route("POST", re.compile(""), f"upload.{kind}", "write", self.uploads.upload), ()
        for route in self.routes:
            match = route.pattern.match(req.path)
            if match and route.method == req.method:
                return route, match.groups()
        return None

    def count(self, *keys: str | None) -> None:
        with self._count_lock:
            for key in keys:
                if key:
                    self.counts[key] += 1

    def handle(self, req: Request, *, inner: bool = False) -> Response:
        found = self.route_for(req)
        if found is None:
            return Response.error(ApiError(404, "notFound", f"Unknown route: {req.method} {req.path}"))
        route, args = found
        sheets = route.key.startswith("sheets.")     # Sheets calls apart: "read"/"write" count Drive's alone
        self.count(route.key, f"sheets.{route.kind}" if sheets else route.kind)
        fault = self.faults.match(req.method, req.path)
        if fault is not None and not fault.commit_then_fail:
            return self._fault_response(req, route, fault, inner)
        try:
            response = self._authorised_call(req, route, args)
        except ApiError as error:
            return Response.error(error)
        if fault is not None:  # commit_then_fail: the change happened, the answer is lost
            return Response.error(ApiError(fault.status, fault.reason, fault.message))
        return response

    def _authorised_call(self, req: Request, route: Route, args: tuple) -> Response:
        if route.auth:
            self.oauth.check(req)
        if route.key.startswith("sheets."):
            self.sheets.admit(route.kind)            # Sheets' own scopes and per-minute quotas
            with self.store.lock:
                return route.handler(req, *args)
        if route.kind == "write" and self.bucket is not None and not self.bucket.take():
            raise ApiError(403, "userRateLimitExceeded")
        if route.key == "batch":
            return route.handler(req, *args)
        with self.store.lock:
            return route.handler(req, *args)

    def _fault_response(self, req: Request, route: Route, fault, inner: bool) -> Response:
        if fault.hang_s and fault.released is not None:
            fault.released.wait(fault.hang_s)
        if fault.reset and not inner:
            if route.key == "upload.chunk":
                with self.store.lock:
                    self.uploads.absorb_partial(req)
            return Response(0, drop_connection=True)
        return Response.error(ApiError(fault.status or 503, fault.reason, fault.message))

    def batch(self, req: Request) -> Response:
        try:
            parts = parse_batch(req.body, req.headers.get("content-type", ""))
        except MultipartError as exc:
            raise ApiError(400, "badRequest", f"Malformed batch body: {exc}") from exc
        if len(parts) > MAX_BATCH_CALLS:
            raise ApiError(400, "batchSizeTooLarge", f"A batch may hold at most {MAX_BATCH_CALLS} calls.")
        answers = []
        for part in parts:
            headers = dict(part.headers)
            headers.setdefault("authorization", req.headers.get("authorization", ""))
            inner = Request.from_target(part.method, part.target, headers, part.body)
            if inner.path.startswith("/upload/") or inner.path.startswith("/batch/"):
                response = Response.error(ApiError(400, "badRequest", "Media and batch calls cannot be batched."))
            else:
                response = self.handle(inner, inner=True)
            answers.append(InnerResponse(part.content_id, response.status, REASONS.get(response.status, "Unknown"),
                                         {k: v for k, v in response.headers.items()}, response.body))
        body, content_type = build_batch_response(answers)
        return Response(200, body, {"Content-Type": content_type})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DriveEmulator/1.0"

    def setup(self) -> None:
        super().setup()
        # headers and body leave in separate writes: without NODELAY, Nagle + delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self): self._dispatch()        # noqa: E704
    def do_POST(self): self._dispatch()       # noqa: E704
    def do_PUT(self): self._dispatch()        # noqa: E704
    def do_PATCH(self): self._dispatch()      # noqa: E704
    def do_DELETE(self): self._dispatch()     # noqa: E704

    def _dispatch(self) -> None:
        try:
            body = self._read_body()
        except (TimeoutError, ValueError):
            # e.g. httplib2 re-sending a chunk whose stream is already consumed: headers, no body
            self._send(Response.error(ApiError(400, "badRequest", "Incomplete request body.")))
            self.close_connection = True
            return
        req = Request.from_target(self.command, self.path, dict(self.headers.items()), body)
        response = self.server.service.handle(req)
        if self.server.latency_s:
            time.sleep(self.server.latency_s)
        if response.drop_connection:
            self._reset()
            return
        self._send(response)

    def _reset(self) -> None:
        """Abort with RST: the client sees ECONNRESET (a clean FIN would make httplib2 resend silently)."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _send(self, response: Response) -> None:
        self.send_response(response.status, REASONS.get(response.status))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if response.body and self.command != "HEAD":
            self.wfile.write(response.body)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if not length:
            return b""
        self.connection.settimeout(self.server.body_timeout_s)
        try:
            body = self.rfile.read(length)
        finally:
            self.connection.settimeout(None)
        if len(body) != length:
            raise ValueError("short body")
        return body

    def log_message(self, format, *args):  # quiet: tests and demos read their own output
        pass


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int):
        super().__init__(("127.0.0.1", port), _Handler)
        self.service: DriveService | None = None
        self.latency_s = 0.0
        self.body_timeout_s = 2.0

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            return  # a client hanging up is not the emulator's problem
        super().handle_error(request, client_address)
