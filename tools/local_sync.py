"""`make sync`: one incremental sync of your own bank account(s) into your own Drive.

    python -m tools.local_sync [--secrets DIR] [--state-dir DIR] [--full-refresh]

Reads secrets/source.json and secrets/destination.json (see secrets/README.md), keeps its state in
.local-sync/ and is safe to run from cron every night: runs never overlap, a failed run keeps the
state of everything already in Drive and the next run resumes from there.

Whoever runs it (a person, systemd, cron), its log is <state-dir>/sync.log and the connectors' own
logs are under <state-dir>/logs/ (folder 0700, files 0600: they may name accounts and files).
PyAirbyte's own chatter goes to that log, not to the screen. A failed run records the connector's
own error message (its TRACE error), which `make status` shows.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

from tools.pyairbyte_sync import run_sync
from tools.sync_history import HISTORY_FILE, RunRecord, one_line
from tools.sync_progress import ProgressDisplay
from tools.sync_report import SyncTally, outcome_text, summary_lines

SOURCE_FILE = "source.json"
DESTINATION_FILE = "destination.json"
LOG_FILE = "sync.log"
_log: TextIO | None = None   # the state folder's sync.log while a sync runs


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


def private_dir(path: Path) -> Path:
    """A folder only its owner reads (an existing one is narrowed too: it holds logs and state)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def open_log(state_dir: Path) -> TextIO:
    """<state>/sync.log, appended, readable by the owner only."""
    descriptor = os.open(state_dir / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "a", encoding="utf-8", buffering=1)


@contextmanager
def single_run(state_dir: Path) -> Iterator[None]:
    """Refuse to start while another sync holds the lock (a long backfill still running at 23:30)."""
    private_dir(state_dir)
    with open(state_dir / "sync.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"Another sync is still running (lock held on {state_dir / 'sync.lock'}); not starting a second one.")
        yield


def say(line: str) -> None:
    stamped = f"[{time.strftime('%H:%M:%S')}] {line}"
    print(stamped, flush=True)
    if _log is not None:
        _log.write(f"{time.strftime('%Y-%m-%d')} {stamped}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("--secrets", type=Path, default=Path("secrets"), help="directory of source.json and destination.json")
    parser.add_argument("--state-dir", type=Path, default=Path(".local-sync"), help="where the sync state is kept")
    parser.add_argument("--full-refresh", action="store_true", help="ignore the saved state and check everything again")
    args = parser.parse_args(argv)
    try:
        source_config = load_config(args.secrets / SOURCE_FILE)
        destination_config = load_config(args.secrets / DESTINATION_FILE)
        with single_run(args.state_dir), logging_to(args.state_dir):
            return sync(source_config, destination_config, args)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2


@contextmanager
def logging_to(state_dir: Path) -> Iterator[None]:
    """This run's lines in <state>/sync.log; PyAirbyte's and the connectors' logs under <state>/logs/."""
    global _log
    # read by PyAirbyte when it is first imported (below, in sync): not the shared temporary folder
    os.environ["AIRBYTE_LOGGING_ROOT"] = str(private_dir(state_dir / "logs").resolve())
    os.environ["COLUMNS"] = "1000"   # rich, PyAirbyte's printer, wraps a log at 80 columns otherwise
    _log = open_log(state_dir)
    try:
        yield
    finally:
        _log.close()
        _log = None


def sync(source_config: dict, destination_config: dict, args: argparse.Namespace) -> int:
    from airbyte.exceptions import PyAirbyteError

    say("sync started" + (" (full refresh)" if args.full_refresh else f" (state in {args.state_dir}/)"))
    started, clock = _now_iso(), time.monotonic()
    tally = SyncTally()
    display = ProgressDisplay(tally, sys.stdout, tty=sys.stdout.isatty(), chatter=_log)
    try:
        with display.attached():
            run = run_sync(
                source_config, destination_config, state_dir=args.state_dir, full_refresh=args.full_refresh,
                on_progress=display.update, progress_every=0.25, tally=tally,
            )
            display.update(final=True)   # the last frame shows the same counts as the summary
    except PyAirbyteError as error:
        cause = tally.cause or error.get_message()   # the connector's own words before PyAirbyte's wrapper
        say(f"sync FAILED: {cause}")
        _log_other_errors(tally)
        say(f"logs: {args.state_dir / LOG_FILE}, {args.state_dir / 'logs'}/")
        say("what was already filed in Drive is saved; the next run resumes from there.")
        _append_history(args.state_dir, f"FAILED {one_line(cause)}")
        _record_run(args.state_dir, _run_record(started, time.monotonic() - clock, tally, error=cause))
        return 1
    for line in summary_lines(run.tally, run.seconds):
        say(line)
    _append_history(
        args.state_dir,
        f"ok {run.tally.receipt_files} receipt files read, {outcome_text(run.tally.outcomes)}, {run.seconds:.0f} s",
    )
    _record_run(args.state_dir, _run_record(started, run.seconds, run.tally))
    return 0


def _log_other_errors(tally: SyncTally) -> None:
    """Errors after the first (often its consequences) go to the log only: the cause is the first."""
    for side, message in tally.errors[1:]:
        if _log is not None:
            _log.write(f"{time.strftime('%Y-%m-%d [%H:%M:%S]')} also reported by the {side}: {one_line(message)}\n")


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
    with _private_append(state_dir / HISTORY_FILE) as history:
        history.write(record.to_line() + "\n")


def _append_history(state_dir: Path, text: str) -> None:
    with _private_append(state_dir / "history.log") as log:
        log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} {text}\n")


def _private_append(path: Path) -> TextIO:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
