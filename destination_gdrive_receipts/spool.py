"""Records kept until the end of input: JSON lines in a spooled temporary file (on disk past a few
MiB). The last record of a key wins.

In memory, per record, only a 64-bit hash of its key and its position in the file: 16 bytes in two
flat arrays, where a dict of str keys cost ~160 bytes a record (8 MB of an archive's 50,000
transactions). Each line holds its key too, so keys whose hashes collide are told apart by reading
them back: lookups are exact.
"""

from __future__ import annotations

import json
import tempfile
from array import array
from bisect import bisect_left, bisect_right
from itertools import groupby
from typing import Any, Callable, Iterator, Mapping

SPOOL_MAX_BYTES = 4 * 1024 * 1024


class KeyedSpool:
    def __init__(self, hash_key: Callable[[str], int] = hash) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES, mode="w+b")
        self._hash = hash_key                  # a parameter so tests can force collisions
        self._hashes, self._starts = array("q"), array("q")     # one per put, in arrival order
        self._latest: tuple[array, array] | None = None         # by hash: the latest start of every key

    def put(self, key: str, record: Mapping[str, Any]) -> None:
        self._file.seek(0, 2)
        self._starts.append(self._file.tell())
        self._hashes.append(self._hash(key))
        self._file.write(json.dumps([key, record], separators=(",", ":"), default=str).encode() + b"\n")
        self._latest = None

    def __len__(self) -> int:
        return len(self._index()[0])

    def __bool__(self) -> bool:
        return len(self._starts) > 0

    def __iter__(self) -> Iterator[dict]:
        for offset in self.offsets():
            yield self.at(offset)

    def keys(self) -> Iterator[str]:
        """Every key, read back from the file, in the arrival order of its latest record."""
        for offset in self.offsets():
            yield self._key_at(offset)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._find(key) is not None

    def offsets(self) -> list[int]:
        """Positions of the latest record of every key, in arrival order."""
        return sorted(self._index()[1])

    def offset_of(self, key: str) -> int | None:
        """Position of the key's latest record, or None when it was never put."""
        found = self._find(key)
        return found[0] if found else None

    def get(self, key: str) -> dict | None:
        """The key's latest record, or None when it was never put (one read of the file)."""
        found = self._find(key)
        return found[1] if found else None

    def _find(self, key: str) -> tuple[int, dict] | None:
        hashes, starts = self._index()
        h = self._hash(key)
        for at in range(bisect_left(hashes, h), bisect_right(hashes, h)):
            stored, record = self._line(starts[at])
            if stored == key:
                return starts[at], record
        return None

    def at(self, offset: int) -> dict:
        return self._line(offset)[1]

    def close(self) -> None:
        self._file.close()

    def _line(self, offset: int) -> list:
        self._file.seek(offset)
        return json.loads(self._file.readline())

    def _key_at(self, offset: int) -> str:
        return self._line(offset)[0]

    def _index(self) -> tuple[array, array]:
        """Sorted hashes and, for each, the latest start of its key (several entries when keys collide)."""
        if self._latest is None:
            order = sorted(range(len(self._hashes)), key=self._hashes.__getitem__)   # stable: arrival order kept
            hashes, starts = array("q"), array("q")
            for h, group in groupby(order, key=self._hashes.__getitem__):
                for start in self._latest_of(list(group)):
                    hashes.append(h)
                    starts.append(start)
            self._latest = (hashes, starts)
        return self._latest

    def _latest_of(self, group: list[int]) -> list[int]:
        """The latest start per key among puts sharing one hash (keys read back only when several)."""
        if len(group) == 1:
            return [self._starts[group[0]]]
        latest: dict[str, int] = {}
        for i in group:
            latest[self._key_at(self._starts[i])] = self._starts[i]
        return list(latest.values())
