"""Records kept until the end of input: JSON lines in a spooled temporary file (on disk past a few
MiB), with only key → offset in memory. The last record of a key wins."""

from __future__ import annotations

import json
import tempfile
from typing import Any, Iterator, Mapping

SPOOL_MAX_BYTES = 4 * 1024 * 1024


class KeyedSpool:
    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES, mode="w+b")
        self._offsets: dict[str, int] = {}

    def put(self, key: str, record: Mapping[str, Any]) -> None:
        self._file.seek(0, 2)
        self._offsets[key] = self._file.tell()
        self._file.write(json.dumps(record, separators=(",", ":"), default=str).encode() + b"\n")

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[dict]:
        for offset in self.offsets():
            yield self.at(offset)

    def offsets(self) -> list[int]:
        """Positions of the latest record of every key, in arrival order."""
        return sorted(self._offsets.values())

    def at(self, offset: int) -> dict:
        self._file.seek(offset)
        return json.loads(self._file.readline())

    def close(self) -> None:
        self._file.close()
