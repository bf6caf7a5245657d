"""What a person watching `make sync` sees while it runs.

On a terminal: one line redrawn in place (receipts filed, bytes, rate, and an ETA once the total is
known). In a log (cron, systemd, a pipe): a plain line every `every` seconds, so the log stays
readable. The numbers come from the connectors' own messages (tools/sync_report.SyncTally): the
destination's "Progress:" log lines give what is filed in Drive, the source's `receipt_index`
stream (once complete) how many receipts there are in all.
"""

from __future__ import annotations

import time
from typing import Callable, TextIO

from tools.sync_report import RECEIPT_OUTCOMES, SyncTally, human_bytes


def filed(tally: SyncTally) -> int:
    """Receipts the destination has dealt with so far (uploaded, skipped as in place, moved, …)."""
    return sum(tally.outcomes.get(name, 0) for name in RECEIPT_OUTCOMES)


def clock_text(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def live_line(tally: SyncTally, elapsed: float) -> str:
    """'filed 120 / 4000 receipts · 35.2 MiB read · 2.9 receipts/s · ETA 0:22:10 · 0:00:41'."""
    done = filed(tally)
    total = tally.records.get("receipt_index", 0) if tally.index_complete else 0
    rate = done / elapsed if elapsed > 0 else 0.0
    count = f"{done} / {total}" if total else f"{done}"
    parts = [f"filed {count} receipts", f"{tally.receipt_files} read ({human_bytes(tally.receipt_bytes)})"]
    if tally.outcomes.get("bytes_uploaded"):
        parts.append(f"{human_bytes(tally.outcomes['bytes_uploaded'])} uploaded")
    parts.append(f"{rate:.1f} receipts/s")
    if total and rate > 0 and total > done:
        parts.append(f"ETA {clock_text((total - done) / rate)}")
    parts.append(f"elapsed {clock_text(elapsed)}")
    return " · ".join(parts)


class ProgressDisplay:
    """Feeds `live_line` to a terminal (redrawn) or a log (one line per `every` seconds)."""

    def __init__(self, tally: SyncTally, stream: TextIO, *, tty: bool, every: float = 30.0,
                 clock: Callable[[], float] = time.monotonic, stamp: Callable[[], str] | None = None):
        self.tally, self.stream, self.tty = tally, stream, tty
        self._clock, self._started = clock, clock()
        self._every = 0.5 if tty else every
        self._last = self._started
        self._stamp = stamp or (lambda: time.strftime("%H:%M:%S"))
        self._width = 0

    def update(self, _line: str = "") -> None:
        """Called by the runner on every message it sees; draws at most every 0.5 s / `every` s."""
        now = self._clock()
        if now - self._last < self._every:
            return
        self._last = now
        line = live_line(self.tally, now - self._started)
        if self.tty:
            # \r and padding: the line is redrawn in place, without leftovers of a longer one
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
        else:
            self.stream.write(f"[{self._stamp()}] progress: {line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
