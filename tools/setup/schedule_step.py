"""Choosing and installing the nightly schedule: step 5 of `make setup`, and `make schedule`.

    python -m tools.setup.schedule_step [--secrets DIR] [--state-dir DIR] [--schedule systemd|cron|none]
                                        [--dry-run-schedule]                              (make schedule)
    python -m tools.setup.schedule_step --remove [--state-dir DIR]                        (make unschedule)

Says which schedulers this machine offers (and why not the others), installs the chosen one, and
only then says it is installed; a refusal is explained, asked again in a terminal, and always ends
with where the configs are and how to schedule later.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.setup import validate as v
from tools.setup.prompts import Prompter, SetupStopped
from tools.setup.schedule import Nightly, SyncCommand
from tools.setup.scheduler import KINDS, ScheduleError, Scheduler

LATER = "Schedule it later with `make schedule` (or run `make sync` yourself whenever you like)."


def sync_command(repo: Path, secrets: Path, state_dir: Path) -> SyncCommand:
    """The schedule runs with the same secrets and state folders setup used, as absolute paths."""
    return SyncCommand(repo=str(repo.resolve()), python=str(Path(sys.executable)), secrets=str(secrets.resolve()),
                       state=str(state_dir.resolve()))


def choose_and_install(prompter: Prompter, scheduler: Scheduler, zone: str, sync: SyncCommand, machine_zone: str,
                       dry_run: bool = False) -> bool:
    """True once a schedule is installed (or printed, dry_run); False when none is."""
    say = prompter.say
    usable = scheduler.probe()
    for kind in KINDS:
        say(f"  {kind}: {'available' if usable[kind] is None else 'not usable here — ' + usable[kind]}")
    offered = [kind for kind in KINDS if usable[kind] is None]
    default = offered[0] if offered else "none"
    offered = list(KINDS) if dry_run else offered   # only printed: every kind can be shown
    while True:
        kind = prompter.ask("schedule", f"Schedule with {', '.join(offered + ['none'])}", _kind(default),
                            default=default)
        if kind == "none":
            say("  No schedule installed. " + LATER)
            return False
        try:
            if kind not in offered and not dry_run:
                raise ScheduleError(usable[kind])
            scheduler.install(Nightly(zone=zone), kind, sync, machine_zone, dry_run=dry_run)
            return True
        except ScheduleError as refusal:
            say(f"  ✗ {kind} cannot schedule the sync: {refusal}. Nothing of it was left installed.")
            if not prompter.interactive:
                say("  " + LATER)
                return False
            prompter.used.add("schedule")     # a refused answer from the file: ask the person now


def _kind(default: str):
    def check(text: str) -> str:
        value = text.strip().lower() or default
        value = default if value == "auto" else value
        if value not in KINDS + ("none",):
            raise v.Invalid("Choose systemd, cron or none.")
        return value
    return check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make schedule", description="Install or remove the nightly sync.")
    parser.add_argument("--remove", action="store_true", help="remove the schedule (make unschedule)")
    parser.add_argument("--secrets", type=Path, default=Path("secrets"))
    parser.add_argument("--state-dir", type=Path, default=Path(".local-sync"))
    parser.add_argument("--schedule", choices=["auto", *KINDS, "none"])
    parser.add_argument("--dry-run-schedule", action="store_true")
    args = parser.parse_args(argv)
    scheduler = Scheduler(repo=Path.cwd(), state_dir=args.state_dir, home=Path.home())
    if args.remove:
        return _remove(scheduler)
    from tools.setup.__main__ import machine_zone

    try:
        destination = json.loads((args.secrets / "destination.json").read_text(encoding="utf-8"))
        zone = v.time_zone(str(destination.get("timezone", "Europe/Paris")))
    except (OSError, ValueError) as error:
        print(f"Cannot schedule yet: {args.secrets / 'destination.json'} is missing or unreadable "
              f"({getattr(error, 'strerror', None) or error}); run `make setup` first.", file=sys.stderr)
        return 2
    answers = {"schedule": args.schedule} if args.schedule else {}
    prompter = Prompter(answers, interactive=sys.stdin.isatty())
    try:
        installed = choose_and_install(prompter, scheduler, zone, sync_command(Path.cwd(), args.secrets,
                                                                              args.state_dir),
                                       machine_zone(), args.dry_run_schedule)
    except SetupStopped as stop:
        print(f"Not scheduled: {stop}", file=sys.stderr)
        return 2
    return 0 if installed or args.schedule == "none" else 1


def _remove(scheduler: Scheduler) -> int:
    try:
        removed = scheduler.remove()
    except (ScheduleError, OSError) as error:
        print(f"Could not remove the schedule: {error}", file=sys.stderr)
        return 1
    print("Removed: " + "; ".join(removed) if removed else "No schedule was installed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
