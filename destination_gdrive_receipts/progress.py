"""Counters for the sync's progress lines and final summary."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter

logger = logging.getLogger("airbyte")
LOG_EVERY_SECONDS = 15.0
KEYS = ("uploaded", "updated", "restored", "moved", "skipped", "skipped_deleted_folder", "skipped_expired_url",
        "skipped_unsealed", "trashed")


class Progress:
    def __init__(self, clock=time.monotonic) -> None:
        self.counts: Counter = Counter()
        self.bytes_uploaded = 0
        self._lock = threading.Lock()
        self._clock = clock
        self._last_log = clock()

    def add(self, key: str, uploaded_bytes: int = 0) -> None:
        with self._lock:
            self.counts[key] += 1
            self.bytes_uploaded += uploaded_bytes
            due = self._clock() - self._last_log >= LOG_EVERY_SECONDS
            if due:
                self._last_log = self._clock()
        if due:
            logger.info("Progress: %s", self.line())

    def line(self) -> str:
        parts = [f"{key.replace('_', ' ')} {self.counts[key]}" for key in KEYS]
        return ", ".join(parts) + f", {self.bytes_uploaded} bytes uploaded"
