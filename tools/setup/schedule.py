"""The nightly schedule as text: systemd user units, or crontab lines; pure, so every zone is testable.

systemd takes a time zone in OnCalendar (systemd.time(7), "Calendar Events": an optional time zone
at the end) and `Persistent=true` runs a missed night at the next boot (systemd.timer(5)).
cron has no portable time zone: cronie honours CRON_TZ but Debian's cron runs in the system zone
(crontab(5) of each). So the crontab gets one line per machine-local time that 23:30 in the chosen
zone falls on during the year (two where the offsets between the zones change with daylight saving
time), each guarded by a test of the zone's clock, so exactly one of them runs each night.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UNIT_NAME = "bank-receipts-gdrive-sync"
CRON_MARKER = "# bank-receipts-gdrive nightly sync (make unschedule removes it)"


@dataclass(frozen=True)
class Nightly:
    zone: str
    hour: int = 23
    minute: int = 30

    @property
    def on_calendar(self) -> str:
        return f"*-*-* {self.hour:02d}:{self.minute:02d}:00 {self.zone}"


@dataclass(frozen=True)
class SyncCommand:
    """What the schedule runs: `make sync` with the secrets and state folders setup used (absolute)."""

    repo: str
    python: str
    secrets: str
    state: str

    def words(self) -> list[str]:
        return [self.python, "-m", "tools.local_sync", "--secrets", self.secrets, "--state-dir", self.state]


def systemd_service(command: SyncCommand) -> str:
    # No StandardOutput: `make sync` keeps its own log in the state folder (0600) whoever runs it;
    # what it prints goes to the journal (journalctl --user -u bank-receipts-gdrive-sync).
    return (
        "[Unit]\n"
        "Description=Bank receipts to Google Drive: nightly sync\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={_systemd_quote(command.repo)}\n"
        f"ExecStart={' '.join(_systemd_quote(word) for word in command.words())}\n"
    )


def systemd_timer(nightly: Nightly) -> str:
    return (
        "[Unit]\n"
        "Description=Bank receipts to Google Drive: every night\n\n"
        "[Timer]\n"
        f"OnCalendar={nightly.on_calendar}\n"
        # a night the machine was off or asleep is caught up at the next start
        "Persistent=true\n"
        f"Unit={UNIT_NAME}.service\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def _systemd_quote(path: str) -> str:
    return f'"{path}"' if any(c.isspace() for c in path) else path


def machine_times(nightly: Nightly, machine_zone: str, year: int) -> list[tuple[int, int]]:
    """The machine-local (hour, minute) of the nightly time, over every day of `year`, sorted."""
    target, machine = ZoneInfo(nightly.zone), ZoneInfo(machine_zone)
    day, times = dt.date(year, 1, 1), set()
    while day.year == year:
        local = dt.datetime(day.year, day.month, day.day, nightly.hour, nightly.minute, tzinfo=target)
        there = local.astimezone(machine)
        times.add((there.hour, there.minute))
        day += dt.timedelta(days=1)
    return sorted(times)


def crontab_lines(nightly: Nightly, machine_zone: str, sync: SyncCommand, year: int) -> list[str]:
    """The marker comment and the line(s) to add to the user's crontab."""
    # stdout is in the state folder's sync.log already; stderr keeps what fails before that log opens
    words = " ".join(shlex.quote(word) for word in sync.words())
    errors = shlex.quote(f"{sync.state}/cron-errors.log")
    command = f"cd {shlex.quote(sync.repo)} && {words} > /dev/null 2>> {errors}".replace("%", "\\%")
    times = machine_times(nightly, machine_zone, year)
    lines = [CRON_MARKER]
    if len(times) == 1 and machine_zone == nightly.zone:
        hour, minute = times[0]
        return lines + [f"{minute} {hour} * * * {command}"]
    # '%' ends a crontab command unless escaped (crontab(5)); the guard keeps one run a night
    clock = f"{nightly.hour:02d}:{nightly.minute:02d}"
    guard = f'[ "$(TZ={nightly.zone} date +\\%H:\\%M)" = {clock} ]'
    return lines + [f"{minute} {hour} * * * {guard} && {command}" for hour, minute in times]


def strip_schedule(crontab: str) -> str:
    """The crontab without our marker and the lines that follow it (make unschedule)."""
    kept, skipping = [], False
    for line in crontab.splitlines():
        if line.strip() == CRON_MARKER:
            skipping = True
            continue
        ours = "make sync" in line or "tools.local_sync" in line   # older setups ran `make sync`
        if skipping and ours and not line.lstrip().startswith("#"):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept) + ("\n" if kept else "")


def add_schedule(crontab: str, lines: list[str]) -> str:
    """The crontab with our lines replacing any earlier ones."""
    return strip_schedule(crontab) + "\n".join(lines) + "\n"


def valid_cron_fields(line: str) -> bool:
    """Whether the five time fields of a crontab line are plain numbers or '*' in range."""
    fields = line.split()
    if len(fields) < 6:
        return False
    ranges = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
    for text, (low, high) in zip(fields[:5], ranges):
        if text != "*" and not (text.isdigit() and low <= int(text) <= high):
            return False
    return True


def next_run(nightly: Nightly, now: dt.datetime) -> dt.datetime:
    """The next nightly time strictly after `now` (an aware datetime), in the schedule's zone."""
    zone = ZoneInfo(nightly.zone)
    local_now = now.astimezone(zone)
    candidate = local_now.replace(hour=nightly.hour, minute=nightly.minute, second=0, microsecond=0)
    if candidate <= local_now:
        day = local_now.date() + dt.timedelta(days=1)
        candidate = dt.datetime(day.year, day.month, day.day, nightly.hour, nightly.minute, tzinfo=zone)
    return candidate
