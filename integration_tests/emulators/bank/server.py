"""The HTTP layer: a threading HTTP/1.1 server on loopback that hands every request to an app.

Every answer carries Content-Length (keep-alive clients rely on it); a streamed body is written
piece by piece as the app's iterator produces it, so large downloads are never held in memory.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str                       # raw (still percent-encoded) path
    query: dict[str, list[str]]
    headers: dict[str, str]         # lower-cased names
    body: bytes
    client: str
    header_names: tuple[str, ...] = ()   # as sent (case kept): some gates compare names exactly


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterable[bytes] | None = None   # when set, body is ignored and ``length`` bytes stream
    length: int | None = None
    reset: bool = False                      # drop the connection without an answer
    row_ids: tuple[str, ...] = ()            # not sent: which rows a listing served (request log)


def json_bytes(obj: object) -> bytes:
    # The bank serialises like Rails: '&' inside strings (URLs) becomes \u0026.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("&", "\\u0026").encode()


def json_response(status: int, obj: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json_bytes(obj), headers=dict(headers or {}))


App = Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "EmulatedBank/1.0"
    timeout = 120   # idle keep-alive connections end on their own

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in separate writes when streaming; without TCP_NODELAY, Nagle
        # plus the client's delayed ACK would add ~40 ms to every kept-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def log_message(self, format: str, *args: object) -> None:  # quiet: the app keeps its own log
        pass

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=method, path=split.path, query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
            client=self.client_address[0], header_names=tuple(self.headers.keys()),
        )
        response = self.server.app(request)  # type: ignore[attr-defined]
        if response.reset:
            self._reset()
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        size = response.length if response.stream is not None else len(response.body)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(size))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if response.stream is None:
                self.wfile.write(response.body)
                return
            for piece in response.stream:
                self.wfile.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True   # the client went away mid-body

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send a TCP RST: the client sees a reset, not an answer.
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[no-untyped-def]
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Stopping the emulator also ends kept-alive connections (clients see it go away)."""
        with self.connections_lock:
            open_now = list(self.connections)
        for connection in open_now:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class HttpServer:
    """Serve ``app`` on host:port (0 = a free port) from a daemon thread."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.app = app  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, name="bank-emulator",
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.close_connections()
        if self._thread:
            self._thread.join(timeout=5)
