"""Free-space guard: read Drive's quota once before the first upload, then count down.

Stopping before Drive refuses a file keeps the sync's end clean: every STATE before the file was
already echoed, and the message says how much space is missing.
"""

from __future__ import annotations

import threading

from destination_gdrive_receipts.drive.gateway import DriveFullError


def free_bytes(storage_quota: dict) -> int | None:
    """Free bytes from about.storageQuota; None when unlimited (no `limit`)."""
    limit = storage_quota.get("limit")
    if limit is None:
        return None
    return int(limit) - int(storage_quota.get("usage") or 0)


def human(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


class QuotaGuard:
    def __init__(self, about, *, shared_drive: bool) -> None:
        self._about = about          # callable returning about.get's answer
        self._shared = shared_drive  # a shared drive's space is not the user's quota
        self._free: int | None = None
        self._loaded = False
        self._lock = threading.Lock()

    def reserve(self, size: int) -> None:
        if self._shared:
            return
        with self._lock:
            if not self._loaded:
                self._free = free_bytes(self._about().get("storageQuota", {}))
                self._loaded = True
            if self._free is None:
                return
            if size > self._free:
                raise DriveFullError(f"a {human(size)} receipt does not fit in the {human(max(self._free, 0))} left")
            self._free -= size
