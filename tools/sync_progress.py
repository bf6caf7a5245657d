"""What a person watching `make sync` sees while it runs.

On a terminal: one line redrawn in place (receipts filed, bytes, rate, and an ETA once the total is
known). In a log (cron, systemd, a pipe): a plain line every `every` seconds, so the log stays
readable. The numbers come from the connectors' own messages (tools/sync_report.SyncTally): the
destination's "Progress:" log lines give what is filed in Drive, the source's "Receipts to send:"
log lines how many receipts it will send (a running total as its windows are listed, then the
total: "filed N of M", then an ETA). Without them (older sources), the `receipt_index` stream once
complete gives the total.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TextIO

from tools.sync_report import RECEIPT_OUTCOMES, SyncTally, human_bytes


def filed(tally: SyncTally) -> int:
    """Receipts the destination has dealt with so far (uploaded, skipped as in place, moved, …)."""
    return sum(tally.outcomes.get(name, 0) for name in RECEIPT_OUTCOMES)


def clock_text(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def eta_seconds(done: int, total: int, elapsed: float) -> float | None:
    """Time left at the average pace so far; None while there is no pace or nothing left to do."""
    if done <= 0 or elapsed <= 0 or total <= done:
        return None
    return (total - done) / (done / elapsed)


def known_total(tally: SyncTally) -> tuple[int, bool]:
    """(receipts in all, final?): the source's running total as soon as it says one, else the
    count of receipt_index once complete (sources before 0.3.0 say none), else (0, False)."""
    if tally.to_send is not None:
        return tally.to_send.receipts, tally.to_send.final
    if tally.index_complete:
        return tally.records.get("receipt_index", 0), True
    return 0, False


def to_send_text(tally: SyncTally) -> str:
    """'42 receipts to send (3.4 MiB)', '12+ receipts to send so far (…)', or '' before the source says."""
    plan = tally.to_send
    if plan is None:
        return ""
    size = human_bytes(plan.size) + ("" if plan.size_exact else "+")
    return f"{plan.receipts} receipts to send ({size})" if plan.final else f"{plan.receipts}+ receipts to send so far ({size})"


def live_line(tally: SyncTally, elapsed: float) -> str:
    """'filed 120 of 4000 receipts · 35.2 MiB read · 2.9 receipts/s · ETA 0:22:10 · elapsed 0:00:41'."""
    done = filed(tally)
    total, final = known_total(tally)
    if not done and not tally.receipt_files:   # the first seconds: the bank's accounts and transactions
        read = ", ".join(f"{tally.records[name]} {name.replace('_', ' ')}" for name in sorted(tally.records))
        planned = f" · {to_send_text(tally)}" if tally.to_send is not None else ""
        return f"reading the bank: {read or 'starting'}{planned} · elapsed {clock_text(elapsed)}"
    count = f"{done} of {max(total, done)}{'' if final else '+'}" if total else f"{done}"
    rate = done / elapsed if elapsed > 0 else 0.0
    parts = [f"filed {count} receipts", f"{tally.receipt_files} read ({human_bytes(tally.receipt_bytes)})"]
    if tally.outcomes.get("bytes_uploaded"):
        parts.append(f"{human_bytes(tally.outcomes['bytes_uploaded'])} uploaded")
    parts.append(f"{rate:.1f} receipts/s")
    eta = eta_seconds(done, total, elapsed) if final else None
    if eta is not None:
        parts.append(f"ETA {clock_text(eta)}")
    parts.append(f"elapsed {clock_text(elapsed)}")
    return " · ".join(parts)


class ProgressDisplay:
    """Feeds `live_line` to a terminal (redrawn) or a log (one line per `every` seconds)."""

    def __init__(self, tally: SyncTally, stream: TextIO, *, tty: bool, every: float = 30.0,
                 clock: Callable[[], float] = time.monotonic, stamp: Callable[[], str] | None = None,
                 chatter: TextIO | None = None):
        self.tally, self.stream, self.tty = tally, stream, tty
        self.chatter = chatter   # where other libraries' prints go while syncing (a log); None: the screen
        self._clock, self._started = clock, clock()
        self._every = 0.5 if tty else every
        self._last = self._started
        self._stamp = stamp or (lambda: time.strftime("%H:%M:%S"))
        self._width = 0
        self.pending = False  # a live line is drawn and the cursor is still on it

    def update(self, _line: str = "", final: bool = False) -> None:
        """Called by the runner on every message it sees; draws at most every 0.5 s / `every` s
        (`final`: now, with the final counts, so the last frame matches the summary)."""
        now = self._clock()
        if now - self._last < self._every and not final:
            return
        self._last = now
        line = live_line(self.tally, now - self._started)
        if self.tty:
            # \r and padding: the line is redrawn in place, without leftovers of a longer one
            self.stream.write("\r" + line.ljust(self._width))
            self._width, self.pending = len(line), True
        else:
            self.stream.write(f"[{self._stamp()}] progress: {line}\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.pending:
            self.stream.write("\n")
            self.stream.flush()
        self.pending, self._width = False, 0

    @contextmanager
    def attached(self) -> Iterator[None]:
        """While syncing, whatever else prints (PyAirbyte's own messages) goes to the log when there
        is one, else starts on a fresh line below the live one."""
        real_out, real_err = sys.stdout, sys.stderr
        if self.chatter is not None:
            sys.stdout = sys.stderr = _Unwrapped(self.chatter)
        else:
            sys.stdout = _AfterLiveLine(self, real_out)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = real_out, real_err
            self.finish()


class _AfterLiveLine:
    """sys.stdout stand-in: ends the live line before anyone else's text."""

    def __init__(self, display: ProgressDisplay, real: TextIO):
        self._display, self._real = display, real

    def write(self, text: str) -> int:
        if text and self._display.pending:
            self._display.finish()
        return self._real.write(text)

    def __getattr__(self, name: str):
        return getattr(self._real, name)


class _Unwrapped:
    """A log as a terminal of unlimited width: rich (PyAirbyte's printer) wraps at 80 columns where
    it sees no terminal, unless told a width (rich's Console reads $COLUMNS; `width` here)."""

    def __init__(self, log: TextIO):
        self._log = log

    def write(self, text: str) -> int:
        return self._log.write(text)

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str):
        return getattr(self._log, name)
