"""A set of ids held as their 64-bit hashes in a flat array: 8 bytes an id, where a set of str cost
~125 (the str and its slot). An archive's backfill keeps several sets of 20,000 attachment ids for
the whole sync (what was filed, what changed), a few MB each as sets.

Membership only: the ids themselves are not kept (an id may be any hashable, a pair of ids say). hash() of a str is 64-bit SipHash, so two ids of
one sync share a hash with a probability of about n²/2⁶⁵ (1e-10 for 50,000); each caller says
which way such a false "member" errs (always the safe way: a link rebuilt, a file not trashed).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from typing import Hashable, Iterable

_TAIL_MAX = 4096     # recent additions in a small set, merged into the sorted array when it fills


class HashedIds:
    def __init__(self, ids: Iterable[Hashable] = ()) -> None:
        self._sorted = array("q")
        self._tail: set[int] = set()
        self._lock = threading.Lock()     # upload workers add from their threads
        for item in ids:
            self.add(item)

    def add(self, item: Hashable) -> None:
        with self._lock:
            value = hash(item)
            if not self._holds(value):
                self._tail.add(value)
                if len(self._tail) >= _TAIL_MAX:
                    self._merge()

    def discard(self, item: Hashable) -> None:
        with self._lock:
            value = hash(item)
            self._tail.discard(value)
            at = bisect_left(self._sorted, value)
            if at < len(self._sorted) and self._sorted[at] == value:
                del self._sorted[at]      # rare (an id added then taken back): one O(n) move

    def __contains__(self, item: object) -> bool:
        with self._lock:
            return self._holds(hash(item))

    def __len__(self) -> int:
        with self._lock:
            return len(self._sorted) + len(self._tail)

    def __bool__(self) -> bool:
        return len(self) > 0

    def _holds(self, value: int) -> bool:
        if value in self._tail:
            return True
        at = bisect_left(self._sorted, value)
        return at < len(self._sorted) and self._sorted[at] == value

    def _merge(self) -> None:
        merged = array("q", sorted(self._tail))
        merged.extend(self._sorted)
        self._sorted = array("q", sorted(merged))
        self._tail.clear()
