"""Injected faults (by method + path regex, consumed `times` times) and the write-rate token bucket."""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass


@dataclass
class Fault:
    method: str
    pattern: re.Pattern
    status: int | None
    times: int | None            # None = every matching request
    reason: str | None = None
    message: str | None = None
    commit_then_fail: bool = False
    reset: bool = False
    hits: int = 0
    hang_s: float | None = None   # accept the request, answer nothing for this long, then drop it
    released: threading.Event | None = None


class Faults:
    """First match wins. The regex is searched in the request path (anchor it with ^ if needed)."""

    def __init__(self):
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()

    def release(self) -> None:
        """End every hang (the emulator stops)."""
        self._released.set()

    def add(self, method: str, path_regex: str, status: int | None = None, *, times: int | None = 1,
            reason: str | None = None, message: str | None = None, commit_then_fail: bool = False,
            reset: bool = False, hang_s: float | None = None) -> Fault:
        """hang_s: a server that accepts the request and answers nothing (then drops the connection);
        undocumented of Drive, it is the failure only a client's timeout or watchdog can end, and how
        tests block one upload worker. Stopping the emulator ends every hang."""
        reset = reset or hang_s is not None
        if status is None and not reset:
            status = 500 if commit_then_fail else None
        if status is None and not reset:
            raise ValueError("a fault needs a status, or reset=True")
        fault = Fault(method.upper(), re.compile(path_regex), status, times, reason, message, commit_then_fail, reset,
                      hang_s=hang_s, released=self._released)
        with self._lock:
            self._faults.append(fault)
        return fault

    def match(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method in (method, "*") and fault.pattern.search(path):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)


class TokenBucket:
    """`rate` tokens per second, at most `burst` stored; one token per write."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self._tokens, self._last = float(burst), time.monotonic()
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False
