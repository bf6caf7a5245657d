"""Injected failures and the per-client request limit.

A fault matches a request when its regex is found in the path or in "METHOD path"; the first
match wins and is consumed (``times`` uses; ``times=None`` never runs out). A fault with
``duration_s`` answers every matching request for that long after its first match (a storm).

A fault with ``hang_s`` accepts the request and answers nothing for that long (then closes the
connection), as a server or proxy that stalls does; stopping the emulator ends every hang.
Nothing documents this of the bank: it is the failure a client cannot tell from slowness, which
only its read timeout and its own watchdog can end, and it is how tests block one worker.
"""

from __future__ import annotations

import collections
import re
import threading
import time
from dataclasses import dataclass


@dataclass
class Fault:
    pattern: re.Pattern
    status: int | None = None
    retry_after: float | int | None = None
    reset: bool = False
    html: bool = False
    method: str | None = None
    remaining: int | None = 1
    hits: int = 0
    duration_s: float | None = None
    ends_at: float | None = None
    hang_s: float | None = None
    released: threading.Event | None = None

    def hang(self) -> None:
        """Hold the request for hang_s seconds, or until the emulator stops."""
        if self.released is not None and self.hang_s:
            self.released.wait(self.hang_s)

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return bool(self.pattern.search(path) or self.pattern.search(f"{method} {path}"))


class FaultSet:
    """Faults to inject, thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()

    def add(self, pattern: str, *, status: int | None = None, times: int | None = 1,
            retry_after: float | int | None = None, reset: bool = False, html: bool = False,
            method: str | None = None, duration_s: float | None = None,
            hang_s: float | None = None) -> Fault:
        """Inject a failure. Exactly one of status / reset / html / hang_s; ``times=None`` = forever."""
        if sum([status is not None, reset, html, hang_s is not None]) != 1:
            raise ValueError("a fault needs exactly one of status=..., reset=True, html=True, hang_s=...")
        fault = Fault(re.compile(pattern), status=status, retry_after=retry_after, reset=reset or hang_s is not None,
                      html=html, method=method, remaining=None if duration_s else times,
                      duration_s=duration_s, hang_s=hang_s, released=self._released)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def release(self) -> None:
        """End every hang (the emulator stops)."""
        self._released.set()

    def take(self, method: str, path: str) -> Fault | None:
        """The first matching fault, consumed once; None when the request should go through."""
        with self._lock:
            now = time.monotonic()
            for fault in self._faults:
                if fault.remaining is not None and fault.remaining <= 0:
                    continue
                if fault.ends_at is not None and now >= fault.ends_at:
                    continue
                if fault.matches(method, path):
                    if fault.duration_s and fault.ends_at is None:
                        fault.ends_at = now + fault.duration_s
                    fault.hits += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for f in self._faults if f.remaining is None or f.remaining > 0)


class RateLimiter:
    """Sliding window: at most ``limit`` requests per ``window_s`` seconds per client address."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._seen: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self._lock = threading.Lock()

    def peek(self, client: str) -> float:
        """Seconds until this client may send again (0: now), without counting a request."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen[client]
            while seen and seen[0] <= now - self.window_s:
                seen.popleft()
            return max(0.0, seen[0] + self.window_s - now) if len(seen) >= self.limit else 0.0

    def allow(self, client: str) -> tuple[bool, float]:
        """(allowed, seconds until a slot frees up)."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen[client]
            while seen and seen[0] <= now - self.window_s:
                seen.popleft()
            if len(seen) >= self.limit:
                return False, max(0.0, seen[0] + self.window_s - now)
            seen.append(now)
            return True, 0.0


# Documented limits: 1,000 requests / 10 s and 10,000 / 10 min per IP, answered 429; nothing
# documents a Retry-After (https://docs.qonto.com/get-started/general/rate-limitations).
DOCUMENTED_WINDOWS = ((1000, 10.0), (10_000, 600.0))


class RateWindows:
    """Several sliding windows per client address; a request counts in all of them when allowed.

    ``time_scale`` shrinks every window (0.01: the 10-minute window lasts 6 s) so tests can
    exhaust and recover from the long window without waiting for it.
    """

    def __init__(self, windows: tuple[tuple[int, float], ...], time_scale: float = 1.0) -> None:
        self.limiters = [RateLimiter(limit, window_s * time_scale) for limit, window_s in windows]
        self._lock = threading.Lock()

    def allow(self, client: str) -> tuple[bool, float]:
        with self._lock:
            waits = [limiter.peek(client) for limiter in self.limiters]
            blocked = [wait for wait in waits if wait > 0]
            if blocked:
                return False, max(blocked)
            for limiter in self.limiters:
                limiter.allow(client)
            return True, 0.0
