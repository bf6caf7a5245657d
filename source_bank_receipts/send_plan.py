"""How many receipts this sync will send, said as early as it is honestly known.

The `receipts` stream reads bank account windows in parallel (streams.py); each window lists its
transactions first and downloads after (partitions.py), so the count of a window is known before
any of its files is sent. The running total is logged as each window's listing completes, and
marked as the sync's total once every window is listed (a nightly sync has one window per
account: within its first seconds). `make sync` turns it into "filed N of M, ETA …"
(tools/sync_report.py parses these lines: keep both in step).

Not from receipt_index: its records carry the short-lived download URLs the destination uses to
restore deleted files, so it is read last.
"""

from __future__ import annotations

import logging
import threading
from typing import Optional

PREFIX = "Receipts to send: "


def plan_line(receipts: int, size: int, size_complete: bool, listed: int, expected: Optional[int]) -> str:
    """'Receipts to send: 40 (1234567 bytes) in all 5 receipt windows: the total of this sync' or,
    while windows remain, 'Receipts to send: 12 (345 bytes) so far, 2 of 5 receipt windows listed'."""
    bytes_text = f"{size} bytes" if size_complete else f"at least {size} bytes"
    if expected is not None and listed >= expected:
        return f"{PREFIX}{receipts} ({bytes_text}) in all {expected} receipt windows: the total of this sync"
    of = f"{listed} of {expected}" if expected is not None else f"{listed}"
    return f"{PREFIX}{receipts} ({bytes_text}) so far, {of} receipt windows listed"


class SendPlan:
    """Running total of the receipts the `receipts` stream will send (thread-safe: windows are
    listed by several workers, the number of windows is set by the partition generator)."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        self.receipts = self.size = self.listed = 0
        self.size_complete = True
        self.expected: Optional[int] = None

    def expect_windows(self, count: int) -> None:
        """Every window of the stream is generated: the total is final once they are all listed."""
        with self._lock:
            self.expected = count
            if self.listed >= count:
                self._log()

    def add_window(self, receipts: int, sizes: list) -> None:
        """One window listed: `sizes` holds each receipt's size from the bank (None when not given)."""
        with self._lock:
            self.listed += 1
            self.receipts += receipts
            self.size += sum(size for size in sizes if size is not None)
            self.size_complete = self.size_complete and None not in sizes
            self._log()

    def _log(self) -> None:
        self._logger.info(plan_line(self.receipts, self.size, self.size_complete, self.listed, self.expected))
