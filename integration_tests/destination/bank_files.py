"""A tiny loopback HTTP server standing in for the bank's presigned download URLs."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class BankFiles:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.expired: set[str] = set()
        self.downloads = 0
        files = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                key = self.path.rsplit("/", 1)[-1]
                files.downloads += 1
                if key in files.expired or key not in files.files:
                    self._send(403, b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")
                    return
                self._send(200, files.files[key])

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/files/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def serve(self, key: str, content: bytes) -> str:
        self.files[key] = content
        return self.url + key

    def __enter__(self) -> "BankFiles":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
