"""multipart/related (uploads) and multipart/mixed (batch) bodies, LF or CRLF line endings.

google-api-python-client writes bare LF; curl, Go and Google's examples write CRLF. The style is
detected from the bytes right after the first delimiter, so binary payloads are never re-encoded.
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser


class MultipartError(ValueError):
    """Malformed multipart body."""


@dataclass
class Part:
    headers: dict[str, str]   # lower-cased names
    body: bytes


def boundary_of(content_type: str) -> str:
    match = re.search(r'boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))', content_type or "", re.I)
    if not match:
        raise MultipartError("multipart Content-Type without a boundary")
    return match.group(1) or match.group(2)


def split_parts(body: bytes, content_type: str) -> list[Part]:
    delimiter = b"--" + boundary_of(content_type).encode("latin-1")
    start = _first_delimiter(body, delimiter)
    after = start + len(delimiter)
    newline = b"\r\n" if body[after:after + 2] == b"\r\n" else b"\n"
    separator = newline + delimiter
    chunks = body[after:].split(separator)
    parts = []
    for index, chunk in enumerate(chunks):
        if chunk.startswith(b"--"):
            return parts  # closing delimiter
        if index == len(chunks) - 1:
            break
        if not chunk.startswith(newline):
            raise MultipartError("delimiter not followed by a line break")
        parts.append(_part(chunk[len(newline):], newline))
    raise MultipartError("multipart body without a closing delimiter")


def _first_delimiter(body: bytes, delimiter: bytes) -> int:
    if body.startswith(delimiter):
        return 0
    for newline in (b"\r\n", b"\n"):
        index = body.find(newline + delimiter)
        if index >= 0:
            return index + len(newline)
    raise MultipartError("boundary not found in body")


def _part(chunk: bytes, newline: bytes) -> Part:
    blank = newline * 2
    if chunk.startswith(newline):
        return Part({}, chunk[len(newline):])
    end = chunk.find(blank)
    if end < 0:
        raise MultipartError("part headers are not terminated by an empty line")
    return Part(parse_headers(chunk[:end]), chunk[end + len(blank):])


def parse_headers(raw: bytes) -> dict[str, str]:
    message = BytesHeaderParser().parsebytes(raw.replace(b"\r\n", b"\n") + b"\n\n")
    return {name.lower(): value.strip() for name, value in message.items()}


def parse_related(body: bytes, content_type: str) -> tuple[bytes, str, bytes]:
    """Upload body → (metadata JSON bytes, media content type, media bytes)."""
    parts = split_parts(body, content_type)
    if len(parts) != 2:
        raise MultipartError(f"multipart upload needs 2 parts (metadata, media), got {len(parts)}")
    metadata, media = parts
    return metadata.body, media.headers.get("content-type", "application/octet-stream"), media.body


@dataclass
class InnerRequest:
    content_id: str
    method: str
    target: str                 # path?query
    headers: dict[str, str]
    body: bytes


@dataclass
class InnerResponse:
    content_id: str
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


def parse_batch(body: bytes, content_type: str) -> list[InnerRequest]:
    requests = []
    for part in split_parts(body, content_type):
        requests.append(_inner_request(part))
    return requests


def _inner_request(part: Part) -> InnerRequest:
    payload = part.body
    newline = b"\r\n" if b"\r\n" in payload.split(b"\n", 1)[0] + b"\n" else b"\n"
    line, _, rest = payload.partition(newline)
    pieces = line.decode("latin-1").split()
    if len(pieces) < 2:
        raise MultipartError("batch part without a request line")
    method, target = pieces[0].upper(), pieces[1]
    target = re.sub(r"^https?://[^/]+", "", target)
    if rest.startswith(newline):
        raw_headers, body = b"", rest[len(newline):]
    else:
        raw_headers, _, body = rest.partition(newline * 2)
    headers = parse_headers(raw_headers) if raw_headers else {}
    return InnerRequest(part.headers.get("content-id", ""), method, target, headers, body)


def build_batch_response(responses: list[InnerResponse]) -> tuple[bytes, str]:
    """→ (body, content type). CRLF throughout: the client splits inner payloads on CRLF CRLF."""
    boundary = "batch_" + uuid.uuid4().hex
    out = []
    for response in responses:
        content_id = _response_id(response.content_id)
        head = [f"--{boundary}", "Content-Type: application/http", f"Content-ID: {content_id}", "",
                f"HTTP/1.1 {response.status} {response.reason}"]
        head += [f"{name}: {value}" for name, value in response.headers.items()]
        head += [f"Content-Length: {len(response.body)}", "", ""]
        out.append("\r\n".join(head).encode("latin-1") + response.body + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode("latin-1"))
    return b"".join(out), f"multipart/mixed; boundary={boundary}"


def _response_id(content_id: str) -> str:
    inner = content_id.strip()
    if inner.startswith("<") and inner.endswith(">"):
        inner = inner[1:-1]
    return f"<response-{inner}>"
