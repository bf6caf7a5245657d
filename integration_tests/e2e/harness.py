"""Both connectors as real processes, `source read | destination write`, the way a platform runs them.

A `Pipeline` keeps what a platform keeps between syncs: the configured catalog and the state the
destination confirmed (the last STATE per stream it echoed), which becomes the `--state` file of
the next `read`. Like the platform's orchestrator, a relay between the two processes reads every
line the source prints (and passes it on unchanged), so tests can check what the source sent:
records per stream, receipt ids, and lines that are not valid Airbyte messages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

BIN = Path(sys.executable).parent
SOURCE = BIN / "source-bank-receipts"
DESTINATION = BIN / "destination-gdrive-receipts"
TIMEOUT_S = 300


@dataclass
class RunResult:
    source_returncode: int
    destination_returncode: int
    messages: list[dict]  # what the destination printed, parsed
    source_log: str
    destination_log: str
    sent: "SourceOutput"
    killed: bool = False

    @property
    def states(self) -> list[dict]:
        return [m["state"] for m in self.messages if m.get("type") == "STATE"]

    @property
    def errors(self) -> list[str]:
        return [
            m["trace"]["error"]["message"]
            for m in self.messages
            if m.get("type") == "TRACE" and m["trace"].get("type") == "ERROR"
        ]

    @property
    def succeeded(self) -> bool:
        return (
            self.source_returncode == 0
            and self.destination_returncode == 0
            and not self.errors
            and not self.sent.invalid_lines
        )

    def explain(self) -> str:
        """What to print when a run was expected to succeed and did not."""
        return (
            f"source exit {self.source_returncode}, destination exit {self.destination_returncode}, "
            f"errors {self.errors}, {len(self.sent.invalid_lines)} invalid lines from the source "
            f"{self.sent.invalid_lines[:3]}\n--- source stderr (tail)\n{self.source_log[-3000:]}"
            f"\n--- destination stderr (tail)\n{self.destination_log[-3000:]}"
        )


@dataclass
class SourceOutput:
    """What the source printed, as the relay saw it."""

    records: Counter = field(default_factory=Counter)  # per stream
    receipt_ids: set = field(default_factory=set)  # attachment ids carried by `receipts` records
    invalid_lines: list[str] = field(default_factory=list)  # start of each line that is not a JSON message
    warnings: list[str] = field(default_factory=list)  # the source's WARN log messages


def relay(source_stdout, destination_stdin, seen: SourceOutput) -> None:
    """Copy the source's lines to the destination, noting what they are.

    If the destination goes away, the rest of the source's output is still read (and dropped), so
    the source is never stuck on a full pipe.
    """
    open_ = True
    for line in source_stdout:
        _note(line, seen)
        if open_:
            try:
                destination_stdin.write(line)
            except (BrokenPipeError, ValueError):  # the destination died or closed its input
                open_ = False
    try:
        destination_stdin.close()
    except (BrokenPipeError, ValueError):
        pass


def _note(line: bytes, seen: SourceOutput) -> None:
    try:
        message = json.loads(line)
    except ValueError:
        seen.invalid_lines.append(line[:200].decode(errors="replace"))
        return
    if message.get("type") == "LOG" and message["log"].get("level") == "WARN":
        seen.warnings.append(message["log"].get("message", ""))
    if message.get("type") == "RECORD":
        record = message["record"]
        seen.records[record["stream"]] += 1
        if record["stream"] == "receipts":
            seen.receipt_ids.add(record["data"]["attachment_id"])


def latest_states(previous: list[dict], echoed: list[dict]) -> list[dict]:
    """The state to resume from: per stream, the last STATE the destination confirmed.

    States of streams that were not touched by this run are kept from `previous`. A GLOBAL or
    LEGACY state replaces everything (one object describes the whole source).
    """
    by_key: dict[str, dict] = {_state_key(state): state for state in previous}
    for state in echoed:
        key = _state_key(state)
        if key in ("GLOBAL", "LEGACY"):
            by_key = {}
        by_key[key] = state
    return list(by_key.values())


def _state_key(state: dict) -> str:
    kind = state.get("type") or "LEGACY"
    if kind == "STREAM":
        descriptor = state["stream"]["stream_descriptor"]
        return f"STREAM:{descriptor.get('namespace') or ''}:{descriptor['name']}"
    return kind


@dataclass
class Pipeline:
    workdir: Path
    catalog: dict
    state: list[dict] = field(default_factory=list)
    runs: int = 0

    def run(
        self,
        source_config: dict,
        destination_config: dict,
        *,
        kill_destination_when: Callable[[], bool] | None = None,
    ) -> RunResult:
        """One sync; on success or kill, the confirmed states become the next run's input state."""
        self.runs += 1
        files = self._write_inputs(source_config, destination_config)
        result = run_pair(files, kill_destination_when=kill_destination_when)
        self.state = latest_states(self.state, result.states)
        return result

    def _write_inputs(self, source_config: dict, destination_config: dict) -> dict[str, Path]:
        run_dir = self.workdir / f"run-{self.runs}"
        run_dir.mkdir(parents=True, exist_ok=True)
        files = {
            "source": run_dir / "source.json",
            "destination": run_dir / "destination.json",
            "catalog": run_dir / "catalog.json",
            "state": run_dir / "state.json",
            "dir": run_dir,
        }
        files["source"].write_text(json.dumps(source_config))
        files["destination"].write_text(json.dumps(destination_config))
        files["catalog"].write_text(json.dumps(self.catalog))
        files["state"].write_text(json.dumps(self.state))
        return files


def run_pair(files: dict[str, Path], *, kill_destination_when: Callable[[], bool] | None = None) -> RunResult:
    read = [str(SOURCE), "read", "--config", str(files["source"]), "--catalog", str(files["catalog"])]
    if json.loads(files["state"].read_text()):
        read += ["--state", str(files["state"])]
    write = [str(DESTINATION), "write", "--config", str(files["destination"]), "--catalog", str(files["catalog"])]
    source_err = open(files["dir"] / "source.stderr", "w+")
    destination_err = open(files["dir"] / "destination.stderr", "w+")
    source = subprocess.Popen(read, stdout=subprocess.PIPE, stderr=source_err)
    destination = subprocess.Popen(write, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=destination_err)
    sent = SourceOutput()
    relaying = threading.Thread(target=relay, args=(source.stdout, destination.stdin, sent), daemon=True)
    relaying.start()
    killed = threading.Event()
    watcher = _start_killer(destination, kill_destination_when, killed) if kill_destination_when else None
    timer = threading.Timer(TIMEOUT_S, lambda: (destination.kill(), source.kill()))
    timer.start()
    try:
        messages = [json.loads(line) for line in destination.stdout if line.startswith(b"{")]
        destination.wait()
        if killed.is_set():
            source.kill()  # the platform stops the source of a failed attempt as well
        source.wait()
        relaying.join()
    finally:
        timer.cancel()
        if watcher:
            watcher.join()
    return RunResult(
        source_returncode=source.returncode,
        destination_returncode=destination.returncode,
        messages=messages,
        source_log=_read(source_err),
        destination_log=_read(destination_err),
        sent=sent,
        killed=killed.is_set(),
    )


def _start_killer(process: subprocess.Popen, condition: Callable[[], bool], killed: threading.Event) -> threading.Thread:
    def watch() -> None:
        while process.poll() is None:
            if condition():
                os.kill(process.pid, signal.SIGKILL)
                killed.set()
                return
            threading.Event().wait(0.005)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def _read(handle) -> str:
    handle.seek(0)
    text = handle.read()
    handle.close()
    return text
