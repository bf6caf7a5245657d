"""The stall watchdog both connectors run during a sync: no silent hang, ever.

A thread looks at the process's liveness (liveness.py) every second or so:
- **heartbeat**: a wait that has lasted a minute is logged every minute (what is awaited, until
  when); with no progress and nothing announced, so is the silence itself;
- **stall**: when nothing moved for `limit_s` after the last progress or the end of the last
  announced wait, it logs what the connector was waiting on and the stack of every thread (log
  only), hands one readable sentence to the connector (`on_stall`: one TRACE error), and ends the
  process with a non-zero code. Nothing else is emitted after it, so the state the platform holds
  is the last one the connector committed, and the next attempt resumes from it.

The process is ended with `os._exit`: threads asleep in a library call (the cause of the stall)
cannot be interrupted, and a normal exit would wait for them forever.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Mapping, Optional

from .liveness import LIVENESS, Liveness

DEFAULT_LIMIT_MINUTES = 30.0
HEARTBEAT_S = 60.0
STALL_EXIT_CODE = 1
REPORT_TIMEOUT_S = 15.0


def stall_limit_s(config: Mapping[str, Any]) -> float:
    """`stall_timeout_minutes` of a connector's config (validated by its spec), in seconds."""
    minutes = config.get("stall_timeout_minutes") if isinstance(config, Mapping) else None
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
        minutes = DEFAULT_LIMIT_MINUTES
    return float(minutes) * 60.0


def duration(seconds: float) -> str:
    """'45 s', '3 min', '2 h 5 min' (pure)."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s" if seconds >= 1 else f"{seconds:.1f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"


def thread_stacks() -> str:
    """The current stack of every thread, by name (for the log only)."""
    names = {t.ident: t.name for t in threading.enumerate()}
    parts = []
    for ident, frame in sys._current_frames().items():
        if ident == threading.get_ident():
            continue
        stack = "".join(traceback.format_stack(frame))
        parts.append(f'Thread "{names.get(ident, ident)}":\n{stack}')
    return "\n".join(parts)


class StallWatchdog:
    def __init__(
        self,
        limit_s: float,
        on_stall: Callable[[str], None],
        logger: logging.Logger,
        *,
        what_moves: str,
        liveness: Liveness = LIVENESS,
        heartbeat_s: float = HEARTBEAT_S,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        exit_process: Callable[[int], None] = os._exit,
    ) -> None:
        self.limit_s = limit_s
        self._on_stall = on_stall
        self._logger = logger
        self._what_moves = what_moves  # e.g. "no record read or emitted, no bank request answered"
        self._liveness = liveness
        self._heartbeat_s = heartbeat_s
        self._clock, self._wall = clock, wall
        self._exit = exit_process
        self._logged: Dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.stalled = False

    def start(self) -> "StallWatchdog":
        self._liveness.reset()
        self._thread = threading.Thread(target=self._run, name="stall-watchdog", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        poll = max(0.05, min(1.0, self.limit_s / 20, self._heartbeat_s / 4))
        while not self._stop.wait(poll):
            if self.step():
                return

    def _at(self, monotonic: float) -> str:
        moment = self._wall() + (monotonic - self._clock())
        return datetime.fromtimestamp(moment, timezone.utc).strftime("%H:%M:%S UTC")

    def step(self) -> bool:
        """One look: heartbeat lines, and the stall when it is one. True once stalled."""
        now = self._clock()
        self._heartbeat(now)
        deadline = self._liveness.stall_deadline(self.limit_s)
        if deadline is None or now < deadline or self.stalled:
            return self.stalled
        self.stalled = True
        self._stall(now)
        return True

    def _heartbeat(self, now: float) -> None:
        waits = self._liveness.waits()
        for wait in waits:
            if now - wait.started >= self._heartbeat_s and now - self._logged.get(wait.what, wait.started) >= self._heartbeat_s:
                self._logged[wait.what] = now
                until = "until it comes" if wait.until is None else f"until {self._at(wait.until)}"
                threads = f" ({wait.threads} threads)" if wait.threads > 1 else ""
                self._logger.info(f"Waiting for {wait.what}{threads} {until}: {duration(now - wait.started)} so far.")
        quiet = now - self._liveness.last_progress
        if not waits and quiet >= self._heartbeat_s and now - self._logged.get("", 0.0) >= self._heartbeat_s:
            self._logged[""] = now
            deadline = self._liveness.stall_deadline(self.limit_s)
            self._logger.info(
                f"No progress for {duration(quiet)} (last: {self._liveness.last_kind}); nothing announced to wait for. "
                f"The sync stops at {self._at(deadline or now)} if nothing moves (stall_timeout_minutes)."
            )
        for what in [w for w in self._logged if w and w not in {x.what for x in waits}]:
            del self._logged[what]

    def _stall(self, now: float) -> None:
        """Report from a helper thread: the output may be what is stuck (a full pipe holds the
        print lock), and the process must end all the same."""
        reporter = threading.Thread(target=self._report, name="stall-report", daemon=True)
        reporter.start()
        reporter.join(REPORT_TIMEOUT_S)
        self._exit(STALL_EXIT_CODE)

    def _report(self) -> None:
        waits = self._liveness.waits()
        waited = "; ".join(
            f"{w.what} (since {self._at(w.started)}{', due ' + self._at(w.until) if w.until is not None else ''})" for w in waits
        )
        under_way = self._liveness.under_way()
        busy = "; ".join(f"{w.what} (since {self._at(w.started)})" for w in under_way)
        counts = ", ".join(f"{kind}: {n}" for kind, n in sorted(self._liveness.counts.items())) or "none"
        last = f"{self._liveness.last_kind} at {self._at(self._liveness.last_progress)}"
        self._logger.error(
            f"Stall: no progress for {duration(self.limit_s)} ({self._what_moves}). Last progress: {last}. "
            f"Progress so far: {counts}. Announced waits: {waited or 'none'}. Under way: {busy or 'nothing known'}. Stacks of the threads:\n{thread_stacks()}"
        )
        message = (
            f"The sync made no progress for {duration(self.limit_s)} ({self._what_moves}; last: {last}) and was stopped"
            + (f" while waiting for {waits[0].what}" if waits else f" during {under_way[0].what}" if under_way else "")
            + ". Everything up to the last saved state is kept and the next sync resumes from there. "
            "If this happens again, send the sync's log (it holds what each thread was doing) with a bug report, "
            "or raise stall_timeout_minutes if the bank or Drive is known to be this slow."
        )
        self._on_stall(message)
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # a closed pipe: the exit code still says it
                pass
