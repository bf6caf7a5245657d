"""`make status` as text, from the run history and the installed schedule (pure)."""

from __future__ import annotations

import datetime as dt

from tools.setup.schedule import Nightly, next_run
from tools.sync_history import RunRecord
from tools.sync_progress import clock_text
from tools.sync_report import outcome_text

SHOWN_RUNS = 7


def run_line(run: RunRecord) -> str:
    when = run.started.replace("T", " ")[:16]
    took = clock_text(run.seconds)
    if run.ok:
        return f"  {when}  ok      {took}  {outcome_text(run.outcomes) if run.outcomes else 'no receipt counts'}"
    return f"  {when}  FAILED  {took}  {run.error or 'no message'}"


def archive_lines(runs: list[RunRecord]) -> list[str]:
    """Receipts and period folders in Drive after the last sync that reached Drive, deleted folders remembered.

    The destination reports what it found at the start of a sync; this adds what that sync did.
    Deleted period folders are remembered by the destination until a reset (a full refresh)."""
    last = next((r for r in reversed(runs) if r.archive.get("receipts_known") is not None), None)
    if last is None:
        return ["  no sync has reached Drive yet"]
    outcomes = last.outcomes
    receipts = last.archive["receipts_known"] + outcomes.get("uploaded", 0) + outcomes.get("restored", 0)
    deleted = last.archive.get("deleted_remembered")
    if deleted is None:             # a destination that does not report it: count the deletions it logged
        deleted = 0
        for run in runs:
            deleted = 0 if run.archive.get("reset") else deleted
            deleted += run.archive.get("deleted_periods_seen", 0)
    when = last.started.replace("T", " ")[:16]
    return [
        f"  receipts in Drive:        {receipts} (after the sync of {when})",
        f"  period folders:           {last.archive.get('periods_known', 0)} at the start of that sync",
        f"  deleted folders remembered: {deleted} (their receipts stay out; newer ones are still filed)",
    ] + _missing_line(runs)


def _missing_line(runs: list[RunRecord]) -> list[str]:
    """Transactions still missing a receipt, per account, as the last sync that wrote ledgers said."""
    last = next((r for r in reversed(runs) if r.archive.get("missing_receipts")), None)
    return [f"  missing receipts:         {last.archive['missing_receipts']}"] if last else []


def schedule_line(schedule: dict | None, now: dt.datetime) -> str:
    if not schedule:
        return "  not scheduled: `make schedule` installs the nightly run (after `make setup`)"
    nightly = Nightly(zone=schedule["zone"], hour=schedule.get("hour", 23), minute=schedule.get("minute", 30))
    upcoming = next_run(nightly, now)
    folders = f"; secrets {schedule['secrets']}" if schedule.get("secrets") else ""
    return (f"  {upcoming:%Y-%m-%d %H:%M} {nightly.zone} ({schedule.get('kind', '?')}{folders}; "
            "`make unschedule` removes it)")


def overdue_line(runs: list[RunRecord], schedule: dict | None, now: dt.datetime) -> str | None:
    """A schedule whose last run is more than two nights old: the machine was off, or the timer stopped."""
    last = runs[-1].started_at if runs else None
    if not schedule or last is None or now - last < dt.timedelta(hours=48):
        return None
    return (f"No sync since {last:%Y-%m-%d %H:%M}: is the machine on at night? "
            "(systemctl --user list-timers, or crontab -l)")


def status_text(runs: list[RunRecord], schedule: dict | None, now: dt.datetime,
                log: str = ".local-sync/sync.log") -> tuple[str, int]:
    """The report and the exit code: 1 when the last sync failed, 0 otherwise (also when none ran)."""
    lines = ["Last syncs:"]
    if not runs:
        lines.append("  no sync has run yet: `make sync` runs one now")
    lines += [run_line(run) for run in reversed(runs[-SHOWN_RUNS:])]
    lines += ["Next run:", schedule_line(schedule, now), "Archive:"] + archive_lines(runs)
    overdue = overdue_line(runs, schedule, now)
    lines += [overdue] if overdue else []
    failed = bool(runs) and not runs[-1].ok
    if failed:
        lines.append(f"The last sync FAILED (its message is above; the whole run in {log}); "
                     "the next run resumes from what is in Drive.")
    return "\n".join(lines) + "\n", 1 if failed else 0
