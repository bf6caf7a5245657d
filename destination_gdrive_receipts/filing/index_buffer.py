"""Buffer for receipt_index records until the end of input.

Streams may arrive in any order, and reconciliation must see the content-bearing records first,
so index records wait here: JSON lines in a spooled temporary file (on disk past a few MiB), with
only attachment id → offset kept in memory. The last record of an attachment wins.
"""

from __future__ import annotations

import json
import tempfile
from typing import Iterator, Mapping

SPOOL_MAX_BYTES = 4 * 1024 * 1024


class IndexBuffer:
    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES, mode="w+b")
        self._offsets: dict[str, int] = {}

    def add(self, record: Mapping) -> None:
        attachment_id = record.get("attachment_id")
        if not attachment_id:
            return
        self._file.seek(0, 2)
        self._offsets[str(attachment_id)] = self._file.tell()
        self._file.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[dict]:
        for offset in sorted(self._offsets.values()):
            self._file.seek(offset)
            yield json.loads(self._file.readline())

    def close(self) -> None:
        self._file.close()
