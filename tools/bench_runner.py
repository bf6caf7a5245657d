"""Runs connectors as processes, the way the platform does, and measures each one.

`source read | destination write` is a real OS pipe between the two processes (the benchmark
does not sit in the middle). Each process is reaped with os.wait4, whose rusage is that one
child's own: ru_maxrss is its peak resident set size, measured by the kernel, not sampled.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from tools.bench_protocol import parse_messages


@dataclass
class ProcessStats:
    name: str
    returncode: int
    wall_s: float
    peak_rss_mb: float
    cpu_s: float
    stderr_tail: str = ""


@dataclass
class SyncRun:
    wall_s: float
    source: ProcessStats
    destination: ProcessStats
    messages: list[dict] = field(default_factory=list)   # what the destination printed

    @property
    def ok(self) -> bool:
        return self.source.returncode == 0 and self.destination.returncode == 0


@dataclass
class ReadRun:
    wall_s: float
    process: ProcessStats
    records: dict[str, int]
    first_record_s: float | None   # seconds after start
    last_record_s: float | None


class _Reaper(threading.Thread):
    """Waits for one child with os.wait4 and keeps its own rusage and the time it ended."""

    def __init__(self, name: str, popen: subprocess.Popen, started: float, stderr_path: Path):
        super().__init__(daemon=True)
        self.label, self.popen, self.started, self.stderr_path = name, popen, started, stderr_path
        self.stats: ProcessStats | None = None

    def run(self) -> None:
        _, status, usage = os.wait4(self.popen.pid, 0)
        ended = time.monotonic()
        code = os.waitstatus_to_exitcode(status)
        self.popen.returncode = code   # reaped here; keep Popen from waiting again
        self.stats = ProcessStats(
            name=self.label, returncode=code, wall_s=ended - self.started,
            peak_rss_mb=usage.ru_maxrss * 1024 / 1e6,   # ru_maxrss is in KiB on Linux; MB = 10^6 bytes
            cpu_s=usage.ru_utime + usage.ru_stime)

    def result(self) -> ProcessStats:
        self.join()
        assert self.stats is not None
        self.stats.stderr_tail = _tail(self.stderr_path)
        return self.stats


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return data[-limit:].decode("utf-8", "replace")


def write_json(path: Path, value: object) -> Path:
    path.write_text(json.dumps(value))
    return path


def _args(command: list[str], verb: str, workdir: Path, prefix: str, config: dict,
          catalog: dict, state: list[dict] | None) -> list[str]:
    args = [*command, verb,
            "--config", str(write_json(workdir / f"{prefix}-config.json", config)),
            "--catalog", str(write_json(workdir / f"{prefix}-catalog.json", catalog))]
    if state:
        args += ["--state", str(write_json(workdir / f"{prefix}-state.json", state))]
    return args


def _kill(popens: list[subprocess.Popen]) -> None:
    for p in popens:
        if p.returncode is None:
            try:
                p.kill()
            except ProcessLookupError:
                pass


def _watchdog(timeout_s: float, popens: list[subprocess.Popen]) -> threading.Timer:
    timer = threading.Timer(timeout_s, _kill, args=(popens,))
    timer.daemon = True
    timer.start()
    return timer


def run_sync(source_cmd: list[str], destination_cmd: list[str], workdir: Path,
             source_config: dict, destination_config: dict, catalog: dict,
             state: list[dict] | None = None, timeout_s: float = 1800,
             env: dict | None = None) -> SyncRun:
    """One sync: source read piped into destination write; returns what the destination echoed."""
    workdir.mkdir(parents=True, exist_ok=True)
    src_err, dst_err = workdir / "source.stderr", workdir / "destination.stderr"
    started = time.monotonic()
    with open(src_err, "wb") as se, open(dst_err, "wb") as de:
        source = subprocess.Popen(
            _args(source_cmd, "read", workdir, "source", source_config, catalog, state),
            stdout=subprocess.PIPE, stderr=se, env=env)
        destination = subprocess.Popen(
            _args(destination_cmd, "write", workdir, "destination", destination_config, catalog, None),
            stdin=source.stdout, stdout=subprocess.PIPE, stderr=de, env=env)
    source.stdout.close()   # the destination holds the only read end: a dead reader stops the writer
    reapers = [_Reaper("source", source, started, src_err), _Reaper("destination", destination, started, dst_err)]
    for reaper in reapers:
        reaper.start()
    timer = _watchdog(timeout_s, [source, destination])
    try:
        with destination.stdout as out:
            messages = parse_messages(out)
        src_stats, dst_stats = (r.result() for r in reapers)
    finally:   # interrupted benchmark: leave no connector behind
        timer.cancel()
        _kill([source, destination])
    return SyncRun(wall_s=time.monotonic() - started, source=src_stats, destination=dst_stats,
                   messages=messages)


def _count_records(stream: IO[bytes], started: float, counts: dict[str, int]) -> tuple[float | None, float | None]:
    first = last = None
    for line in stream:
        if b'"RECORD"' not in line[:40]:
            continue
        try:
            name = json.loads(line)["record"]["stream"]
        except (ValueError, KeyError):
            continue
        counts[name] = counts.get(name, 0) + 1
        last = time.monotonic() - started
        if first is None:
            first = last
    return first, last


def run_read(source_cmd: list[str], workdir: Path, config: dict, catalog: dict,
             label: str = "source", timeout_s: float = 1800, env: dict | None = None,
             on_output: Callable[[], None] | None = None) -> ReadRun:
    """A source alone: `read` with its records counted as they arrive."""
    workdir.mkdir(parents=True, exist_ok=True)
    err = workdir / f"{label}.stderr"
    started = time.monotonic()
    with open(err, "wb") as se:
        process = subprocess.Popen(_args(source_cmd, "read", workdir, label, config, catalog, None),
                                   stdout=subprocess.PIPE, stderr=se, env=env)
    reaper = _Reaper(label, process, started, err)
    reaper.start()
    timer = _watchdog(timeout_s, [process])
    counts: dict[str, int] = {}
    try:
        with process.stdout as out:
            first, last = _count_records(out, started, counts)
        stats = reaper.result()
    finally:
        timer.cancel()
        _kill([process])
    return ReadRun(wall_s=time.monotonic() - started, process=stats, records=counts,
                   first_record_s=first, last_record_s=last)


def run_command(command: list[str], timeout_s: float = 120, env: dict | None = None) -> list[dict]:
    """A short connector command (spec, discover); its Airbyte messages, or an error with its output."""
    done = subprocess.run(command, capture_output=True, timeout=timeout_s, env=env)
    messages = parse_messages(done.stdout.splitlines())
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:2])} failed ({done.returncode}): "
                           f"{done.stderr[-1500:].decode('utf-8', 'replace')}")
    return messages
