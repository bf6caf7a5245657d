"""Spooling a download to disk and cutting it into record-sized chunks.

sha256 and size of the whole file travel in every chunk, so the file is written to a temporary
file first (hashed on the way) and read back piece by piece: memory holds one chunk at a time,
whatever the file size.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
from dataclasses import dataclass
from typing import IO, Iterable, Iterator, Tuple

# 3,000,000 raw bytes -> 4,000,000 base64 characters: a record stays under 4 MiB serialized.
CHUNK_BYTES = 3_000_000


@dataclass
class Spool:
    file: IO[bytes]
    size: int
    sha256: str

    def close(self) -> None:
        self.file.close()


def chunk_count(size: int, chunk_bytes: int = CHUNK_BYTES) -> int:
    """Number of chunks for a file; an empty file is one empty chunk."""
    return max(1, -(-size // chunk_bytes))


def spool(pieces: Iterable[bytes]) -> Spool:
    """Write pieces to an anonymous temporary file, hashing and counting on the way."""
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.TemporaryFile(prefix="receipt-")
    try:
        for piece in pieces:
            if piece:
                digest.update(piece)
                handle.write(piece)
                size += len(piece)
        handle.flush()
    except BaseException:
        handle.close()
        raise
    return Spool(handle, size, digest.hexdigest())


def iter_chunks(spooled: Spool, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Tuple[int, int, str]]:
    """(chunk_index, chunk_count, content_base64) in order; reads one chunk at a time."""
    count = chunk_count(spooled.size, chunk_bytes)
    spooled.file.seek(0)
    for index in range(count):
        data = spooled.file.read(chunk_bytes)
        yield index, count, base64.b64encode(data).decode("ascii")
