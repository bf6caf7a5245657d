"""Deterministic attachment bytes, produced piece by piece.

An attachment's bytes are a function of (attachment id, size, content type): a header that makes
the file look like a PDF/JPEG/PNG, then pseudo-random bytes. Nothing is stored, so a 100 MB
receipt or 20,000 receipts cost no memory; a download streams ``iter_content`` chunk by chunk.
"""

from __future__ import annotations

import hashlib
import random
from typing import Iterator

CHUNK_SIZE = 64 * 1024

_HEADERS = {
    "application/pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00",
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
}


def header_for(content_type: str) -> bytes:
    return _HEADERS.get(content_type.split(";")[0].strip().lower(), b"")


def _chunk_body(attachment_id: str, index: int, length: int) -> bytes:
    # One independent generator per chunk: any chunk can be produced without the ones before it.
    seed = int.from_bytes(hashlib.sha256(f"{attachment_id}:{index}".encode()).digest()[:8], "big")
    return random.Random(seed).randbytes(length)


def iter_content(attachment_id: str, size: int, content_type: str,
                 chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the attachment's bytes in pieces of at most ``chunk_size`` bytes."""
    header = header_for(content_type)[:size]
    produced = 0
    index = 0
    while produced < size:
        length = min(CHUNK_SIZE, size - produced)
        block = _chunk_body(attachment_id, index, length)
        if index == 0 and header:
            block = header + block[len(header):]
        index += 1
        produced += length
        for start in range(0, length, chunk_size):
            yield block[start:start + chunk_size]


def content_bytes(attachment_id: str, size: int, content_type: str) -> bytes:
    """All bytes at once (for tests and small files)."""
    return b"".join(iter_content(attachment_id, size, content_type))


def iter_bytes(data: bytes, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Explicit content given by a test, served in the same piecewise way."""
    for start in range(0, len(data), chunk_size):
        yield data[start:start + chunk_size]
