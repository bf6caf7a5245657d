"""Emulator clock and the bank's timestamp format.

The clock is real UTC time plus an offset that tests move forward; it drives the expiry of
download URLs and OAuth tokens only. Timestamps are kept as integer epoch milliseconds so that
filters and sorting compare numbers, and are rendered the way the bank does ("...T10:35:09.027Z").
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class Clock:
    """Real UTC now plus an offset that only moves forward (``advance``)."""

    def __init__(self) -> None:
        self._offset_s = 0.0
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset_s += float(seconds)

    @property
    def offset_s(self) -> float:
        return self._offset_s

    def now(self) -> float:
        """Emulator time in epoch seconds."""
        return time.time() + self._offset_s


def real_now_ms() -> int:
    return int(time.time() * 1000)


def to_iso(ms: int | None) -> str | None:
    """Epoch ms -> "2024-08-01T10:35:09.027Z" (None stays None)."""
    if ms is None:
        return None
    dt = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_iso_us(text: str) -> int:
    """ISO-8601 text -> epoch microseconds (naive means UTC). Raises ValueError when malformed."""
    value = text.strip()
    if not value or len(value) < 10:
        raise ValueError(f"not an ISO 8601 date: {text!r}")
    dt = datetime.fromisoformat(value.replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def year_of_us(us: int) -> int:
    return datetime.fromtimestamp(us / 1_000_000, tz=timezone.utc).year


def date_to_ms(day: str, end_of_day: bool = False) -> int:
    """"2025-01-01" (or a full ISO timestamp) -> epoch ms; end_of_day gives 23:59:59.999."""
    us = parse_iso_us(day)
    ms = us // 1000
    if end_of_day and len(day.strip()) == 10:
        ms += 86_400_000 - 1
    return ms
