"""One shared write-rate limiter and the back-off policy for Drive requests.

Drive sustains about 3 writes per second per user; beyond that it answers 403
userRateLimitExceeded or 429. Every write of every upload worker takes a token from one bucket,
and a rate-limit answer pauses the whole bucket, not just the worker that received it.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Callable

import httplib2

from connector_runtime.liveness import LIVENESS

RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded"})
# Three different limits, none of which a retry within the sync can lift:
# storageQuotaExceeded: the owner's storage is full; teamDriveFileLimitExceeded: the shared drive holds
# its maximum number of items; dailyLimitExceeded: the Cloud project's daily request quota is spent.
LIMIT_REASONS = {"storageQuotaExceeded": "storage", "teamDriveFileLimitExceeded": "shared_drive_items",
                 "dailyLimitExceeded": "daily_requests"}
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Transport failures worth another attempt: resets, refused/aborted connections, timeouts,
# truncated answers and DNS hiccups.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException, httplib2.HttpLib2Error)

RETRY, RATE_LIMITED, QUOTA, FATAL = "retry", "rate_limited", "quota", "fatal"   # QUOTA: see LIMIT_REASONS


def error_reason(content: bytes | str | None) -> str | None:
    """First `reason` of Drive's error envelope, or None when the body is not one."""
    try:
        body = json.loads(content or b"{}")
        errors = body["error"].get("errors") or []
        return errors[0].get("reason") if errors else body["error"].get("status")
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None


def classify(status: int, reason: str | None) -> str:
    """What to do with an HTTP error from Drive (pure; see BEHAVIOR.md §3)."""
    if status == 403 and reason in RATE_LIMIT_REASONS:
        return RATE_LIMITED
    if status == 429:
        return RATE_LIMITED
    if status == 403 and reason in LIMIT_REASONS:
        return QUOTA
    if status in RETRYABLE_STATUSES:
        return RETRY
    return FATAL


@dataclass(frozen=True)
class Backoff:
    """Exponential back-off with full jitter: uniform(0, min(cap, base * 2**attempt))."""

    base: float = 0.5
    cap: float = 32.0
    attempts: int = 8

    def delay(self, attempt: int, retry_after: float | None = None, rand: Callable[[], float] = random.random) -> float:
        jittered = rand() * min(self.cap, self.base * (2**attempt))
        return max(jittered, min(retry_after or 0.0, self.cap))


class TokenBucket:
    """Thread-safe token bucket; a caller that finds it empty reserves a token and sleeps."""

    def __init__(self, rate: float, burst: float | None = None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate)
        self._tokens = self.burst
        self._clock, self._sleep = clock, sleep
        self._stamp = clock()
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.taken = 0      # tokens taken so far: every write request, counted under the lock

    def acquire(self) -> float:
        """Take one token; returns the seconds slept."""
        with self._lock:
            self.taken += 1
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            wait = max(-self._tokens / self.rate, self._paused_until - now, 0.0)
        if wait > 0:
            with LIVENESS.waiting("Drive's pace (writes per second, or Drive's own slow-down)", wait):
                self._sleep(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """Drive said "slow down": nobody writes for `seconds`, and the burst is spent."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
            self._tokens = min(self._tokens, 0.0)


def retry_after_seconds(headers) -> float | None:
    value = (headers or {}).get("retry-after")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
