"""What a running connector is doing, for its stall watchdog: progress made and waits announced.

Progress is work that moved: a record read or emitted, a request answered, a chunk uploaded.
A wait is announced by the code that chose to wait (a Retry-After, the bank's rate window, a storm
of 429s, the source's next message), with the moment it should end (None: no known end). The
watchdog (watchdog.py) counts a stall only from the later of the last progress and the end of the
announced waits, and logs long waits every minute; code that merely hangs announces nothing.

One process-wide instance, `LIVENESS`: progress comes from many threads and modules, and the
watchdog of whichever connector runs in the process reads it. No CDK imports here.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, List, Optional


@dataclass
class Wait:
    what: str
    started: float  # monotonic
    until: Optional[float]  # monotonic; None: no known end
    threads: int = 1


class Liveness:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._waits: Dict[str, Wait] = {}
        self._doing: Dict[int, Wait] = {}  # per thread: work under way (a request sent), for the stall report
        self.counts: Counter = Counter()
        self.last_progress = clock()
        self.last_kind = "start"

    def reset(self) -> None:
        """A new sync starts: nothing waited, progress counted from now."""
        with self._lock:
            self._waits.clear()
            self._doing.clear()
            self.counts.clear()
            self.last_progress, self.last_kind = self._clock(), "start"

    def progress(self, kind: str, amount: int = 1) -> None:
        now = self._clock()
        with self._lock:
            self.last_progress, self.last_kind = now, kind
            self.counts[kind] += amount

    def begin_wait(self, key: str, what: str, seconds: Optional[float]) -> None:
        """Announce (or extend) a wait; a key already waited on keeps its start."""
        now = self._clock()
        until = None if seconds is None else now + max(0.0, seconds)
        with self._lock:
            known = self._waits.get(key)
            self._waits[key] = Wait(what, known.started if known else now, until)

    def doing(self, what: Optional[str]) -> None:
        """What this thread is doing now (None: done). Not a wait: it does not delay a stall, it
        only tells the stall report what each thread was busy with."""
        with self._lock:
            if what is None:
                self._doing.pop(threading.get_ident(), None)
            else:
                self._doing[threading.get_ident()] = Wait(what, self._clock(), None)

    def under_way(self) -> List[Wait]:
        with self._lock:
            return list(self._doing.values())

    def end_wait(self, key: str) -> None:
        with self._lock:
            self._waits.pop(key, None)

    @contextmanager
    def waiting(self, what: str, seconds: Optional[float]) -> Iterator[None]:
        """Announce a wait for the time of the block (one entry per thread)."""
        key = f"{what}@{threading.get_ident()}"
        self.begin_wait(key, what, seconds)
        try:
            yield
        finally:
            self.end_wait(key)

    def waits(self) -> List[Wait]:
        """Current waits, those with the same text merged (several threads waiting on one thing)."""
        with self._lock:
            merged: Dict[str, Wait] = {}
            for wait in self._waits.values():
                known = merged.get(wait.what)
                if known is None:
                    merged[wait.what] = Wait(wait.what, wait.started, wait.until)
                    continue
                known.threads += 1
                known.started = min(known.started, wait.started)
                known.until = None if known.until is None or wait.until is None else max(known.until, wait.until)
            return list(merged.values())

    def stall_deadline(self, limit_s: float) -> Optional[float]:
        """When no progress becomes a stall: `limit_s` after the last progress or after the end of
        the last announced wait, whichever is later; None while a wait has no known end."""
        waits = self.waits()
        if any(w.until is None for w in waits):
            return None
        with self._lock:
            latest = max([self.last_progress, *(w.until for w in waits if w.until is not None)])
        return latest + limit_s


LIVENESS = Liveness()
