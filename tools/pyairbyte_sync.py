"""One sync of source-bank-receipts → destination-gdrive-receipts through PyAirbyte.

PyAirbyte is the engine on one machine: it runs both connectors as processes, pipes the source's
records into the destination (`cache=False`: nothing is copied into a local database) and keeps the
state the destination confirms in a DuckDB file, so the next run resumes where this one stopped.
Used by `make sync` (tools/local_sync.py), `make demo` (tools/demo.py) and the end-to-end tests.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

# PyAirbyte reads these when it is imported: no registry look-up, no telemetry, plain output.
os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("NO_LIVE_PROGRESS", "1")
# Google's client libraries (pulled in by PyAirbyte) warn about Python 3.11's end of life in 2027.
warnings.filterwarnings("ignore", message=r"\s*You are using a Python version", category=FutureWarning)

from tools.sync_report import SyncTally, Throttle  # noqa: E402
from tools.catalog import FILED_STREAMS  # noqa: E402

SOURCE_NAME = "source-bank-receipts"
DESTINATION_NAME = "destination-gdrive-receipts"
STATE_FILE = "state.duckdb"


def connector_executable(name: str) -> Path:
    """The console script installed next to the running interpreter (the project's venv)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: install the project first (`make test` or `.venv/bin/pip install -e .`)."
        )
    return path


@dataclass
class SyncRun:
    tally: SyncTally
    seconds: float


def strip_notes(config: dict[str, Any]) -> dict[str, Any]:
    """Drop the `_comment`-style keys our config templates carry (JSON has no comments)."""
    return {
        key: strip_notes(value) if isinstance(value, dict) else value
        for key, value in config.items()
        if not key.startswith("_")
    }


def run_sync(
    source_config: dict[str, Any],
    destination_config: dict[str, Any],
    *,
    state_dir: Path,
    full_refresh: bool = False,
    on_progress: Callable[[str], None] | None = None,
    progress_every: float = 5.0,
    tally: SyncTally | None = None,
) -> SyncRun:
    """Run one sync; raises PyAirbyte's errors (the state of what was written is already saved)."""
    import airbyte as ab
    from airbyte.caches import DuckDBCache

    state_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    source = ab.get_source(
        SOURCE_NAME,
        config=strip_notes(source_config),
        local_executable=connector_executable(SOURCE_NAME),
    )
    destination = ab.get_destination(
        DESTINATION_NAME,
        config=strip_notes(destination_config),
        local_executable=connector_executable(DESTINATION_NAME),
    )
    state_cache = DuckDBCache(db_path=state_dir / STATE_FILE, cache_dir=state_dir / "cache")

    tally = tally if tally is not None else SyncTally()  # a caller's own tally: it draws a live line from it
    throttle = Throttle(on_progress or (lambda _line: None), every=progress_every)
    _tap(source, lambda message: (tally.observe_source(message), throttle.maybe(tally.progress_line)))
    _tap(destination, lambda message: (tally.observe_destination(message), throttle.maybe(tally.progress_line)))
    # after the taps: selecting streams runs the source's discover, whose TRACE error is a cause too
    source.select_streams(list(FILED_STREAMS))  # transactions included: it feeds the ledgers

    destination.write(source, cache=False, state_cache=state_cache, force_full_refresh=full_refresh)
    return SyncRun(tally=tally, seconds=time.monotonic() - started)


def _tap(connector: Any, observe: Callable[[dict], Any]) -> None:
    """Show every message a connector emits to `observe`, before PyAirbyte handles it.

    PyAirbyte passes each parsed message through the connector's `_peek_airbyte_message`; wrapping
    it on the instance is the one place that sees source records and destination logs as they
    stream (PyAirbyte only writes connector logs to its log file).
    """
    original = connector._peek_airbyte_message

    def peek(message: Any, *args: Any, **kwargs: Any) -> Any:
        observe(_as_dict(message))
        return original(message, *args, **kwargs)

    connector._peek_airbyte_message = peek


def _as_dict(message: Any) -> dict:
    """The few fields `SyncTally` reads, without serialising a record's (large) content."""
    kind = getattr(message.type, "value", message.type)
    if kind == "RECORD":
        return {"type": kind, "record": {"stream": message.record.stream, "data": message.record.data}}
    if kind == "LOG":
        return {"type": kind, "log": {"message": message.log.message}}
    trace = getattr(message, "trace", None) if kind == "TRACE" else None
    error = getattr(trace, "error", None)
    if error is not None:  # the connector's own words on why it stopped (PyAirbyte only wraps them)
        return {"type": kind, "trace": {"error": {"message": error.message or ""}}}
    status = getattr(trace, "stream_status", None)
    if status is not None:  # the source finishing receipt_index gives the total for an ETA
        name, value = status.stream_descriptor.name, getattr(status.status, "value", status.status)
        return {"type": kind, "trace": {"stream_status": {"name": name, "status": value}}}
    return {"type": kind}
