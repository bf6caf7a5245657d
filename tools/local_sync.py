"""`make sync`: one incremental sync of your own bank account(s) into your own Drive.

    python -m tools.local_sync [--secrets DIR] [--state-dir DIR] [--full-refresh]

Reads secrets/source.json and secrets/destination.json (see secrets/README.md), keeps its state in
.local-sync/ and is safe to run from cron every night: runs never overlap, a failed run keeps the
state of everything already in Drive and the next run resumes from there.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tools.pyairbyte_sync import run_sync
from tools.sync_history import HISTORY_FILE, RunRecord, one_line
from tools.sync_progress import ProgressDisplay
from tools.sync_report import SyncTally, outcome_text, summary_lines

SOURCE_FILE = "source.json"
DESTINATION_FILE = "destination.json"


class UsageError(Exception):
    """A problem the user fixes by editing a file or a command line; printed without traceback."""


def load_config(path: Path) -> dict:
    if not path.exists():
        raise UsageError(missing_config_message(path.parent))
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise UsageError(f"{path} is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}.")
    if not isinstance(config, dict):
        raise UsageError(f"{path} must hold a JSON object.")
    return config


def missing_config_message(secrets_dir: Path) -> str:
    missing = [name for name in (SOURCE_FILE, DESTINATION_FILE) if not (secrets_dir / name).exists()]
    return (
        f"Nothing to sync yet: {', '.join(str(secrets_dir / name) for name in missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing.\n"
        f"  cp {secrets_dir}/source.template.json {secrets_dir}/source.json\n"
        f"  cp {secrets_dir}/destination.template.json {secrets_dir}/destination.json\n"
        f"then fill them in as {secrets_dir}/README.md explains. To try the connectors without any account: make demo"
    )


@contextmanager
def single_run(state_dir: Path) -> Iterator[None]:
    """Refuse to start while another sync holds the lock (a long backfill still running at 23:30)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "sync.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"Another sync is still running (lock held on {state_dir / 'sync.lock'}); not starting a second one.")
        yield


def say(line: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {line}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("--secrets", type=Path, default=Path("secrets"), help="directory of source.json and destination.json")
    parser.add_argument("--state-dir", type=Path, default=Path(".local-sync"), help="where the sync state is kept")
    parser.add_argument("--full-refresh", action="store_true", help="ignore the saved state and check everything again")
    args = parser.parse_args(argv)
    try:
        source_config = load_config(args.secrets / SOURCE_FILE)
        destination_config = load_config(args.secrets / DESTINATION_FILE)
        with single_run(args.state_dir):
            return sync(source_config, destination_config, args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2


def sync(source_config: dict, destination_config: dict, args: argparse.Namespace) -> int:
    from airbyte.exceptions import PyAirbyteError

    say("sync started" + (" (full refresh)" if args.full_refresh else f" (state in {args.state_dir}/)"))
    started, clock = _now_iso(), time.monotonic()
    tally = SyncTally()
    display = ProgressDisplay(tally, sys.stdout, tty=sys.stdout.isatty())
    try:
        with display.attached():
            run = run_sync(
                source_config, destination_config, state_dir=args.state_dir, full_refresh=args.full_refresh,
                on_progress=display.update, progress_every=0.25, tally=tally,
            )
    except PyAirbyteError as error:
        say(f"sync FAILED: {error.get_message()}")
        if error.log_file:
            say(f"connector log: {error.log_file}")
        say("what was already filed in Drive is saved; the next run resumes from there.")
        _append_history(args.state_dir, f"FAILED {error.get_message()}")
        _record_run(args.state_dir, _run_record(started, time.monotonic() - clock, tally, error=error.get_message()))
        return 1
    for line in summary_lines(run.tally, run.seconds):
        say(line)
    _append_history(
        args.state_dir,
        f"ok {run.tally.receipt_files} receipt files read, {outcome_text(run.tally.outcomes)}, {run.seconds:.0f} s",
    )
    _record_run(args.state_dir, _run_record(started, run.seconds, run.tally))
    return 0


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _run_record(started: str, seconds: float, tally: SyncTally, error: str | None = None) -> RunRecord:
    """What `make status` shows of this run (tools/sync_history.py)."""
    return RunRecord(
        started=started[:-2] + ":" + started[-2:] if started[-5:-4] in "+-" else started,
        seconds=round(seconds, 1), ok=error is None, outcomes=dict(tally.outcomes),
        receipt_files=tally.receipt_files, receipt_bytes=tally.receipt_bytes,
        error=one_line(error) if error else None, archive=dict(tally.archive),
    )


def _record_run(state_dir: Path, record: RunRecord) -> None:
    with open(state_dir / HISTORY_FILE, "a", encoding="utf-8") as history:
        history.write(record.to_line() + "\n")


def _append_history(state_dir: Path, text: str) -> None:
    with open(state_dir / "history.log", "a", encoding="utf-8") as log:
        log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} {text}\n")


if __name__ == "__main__":
    sys.exit(main())
