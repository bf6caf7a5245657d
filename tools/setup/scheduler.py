"""Installing and removing the nightly schedule (I/O around tools/setup/schedule.py).

    python -m tools.setup.scheduler remove        (make unschedule)

Commands go through `run`, and files under `home`, so tests use a temporary home and fake
`systemctl` / `crontab` commands; `dry_run` prints what would be installed and touches nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tools.setup import schedule as sched

Runner = Callable[..., subprocess.CompletedProcess]
SCHEDULE_FILE = "schedule.json"


def default_runner(command: list[str], input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, input=input, capture_output=True, text=True, timeout=60)


@dataclass
class Scheduler:
    repo: Path
    state_dir: Path
    home: Path
    run: Runner = default_runner
    out: Callable[[str], None] = print

    @property
    def unit_dir(self) -> Path:
        config = os.environ.get("XDG_CONFIG_HOME") if self.home == Path.home() else None
        return Path(config or self.home / ".config") / "systemd" / "user"

    def has_systemd(self) -> bool:
        """A user systemd is running (not merely installed: containers often have the binary only)."""
        if not shutil.which("systemctl"):
            return False
        try:
            return self.run(["systemctl", "--user", "is-system-running"]).stdout.strip() in (
                "running", "degraded", "starting")
        except (OSError, subprocess.SubprocessError):
            return False

    def install(self, nightly: sched.Nightly, kind: str, python: str, machine_zone: str, dry_run: bool) -> list[str]:
        """Install (or, dry_run, print) the schedule; returns how to remove it."""
        if not dry_run:  # both the unit's log and the crontab redirection need the directory to exist
            (self.repo / ".local-sync").mkdir(parents=True, exist_ok=True)
            earlier = self.remove()  # one schedule only, even when switching between systemd and cron
            if earlier:
                self.out("removed the earlier schedule: " + "; ".join(earlier))
        if kind == "systemd":
            self._install_systemd(nightly, python, dry_run)
        else:
            self._install_cron(nightly, machine_zone, dry_run)
        removal = ["make unschedule"]
        if not dry_run:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            record = {"kind": kind, "zone": nightly.zone, "hour": nightly.hour, "minute": nightly.minute}
            (self.state_dir / SCHEDULE_FILE).write_text(json.dumps(record) + "\n", encoding="utf-8")
        return removal

    def _install_systemd(self, nightly: sched.Nightly, python: str, dry_run: bool) -> None:
        files = {
            self.unit_dir / f"{sched.UNIT_NAME}.service": sched.systemd_service(str(self.repo), python),
            self.unit_dir / f"{sched.UNIT_NAME}.timer": sched.systemd_timer(nightly),
        }
        commands = [["systemctl", "--user", "daemon-reload"],
                    ["systemctl", "--user", "enable", "--now", f"{sched.UNIT_NAME}.timer"]]
        for path, text in files.items():
            self.out(f"{'would write' if dry_run else 'wrote'} {path}:\n{text}")
            if not dry_run:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        for command in commands:
            self.out(("would run: " if dry_run else "ran: ") + " ".join(command))
            if not dry_run:
                self._checked(command)
        self.out(f"The timer runs {nightly.on_calendar} (a night missed while the machine was off runs at the "
                 "next start). Check it: systemctl --user list-timers. Remove it: make unschedule.\n"
                 "On a server, `loginctl enable-linger $USER` lets it run while you are logged out.")

    def _install_cron(self, nightly: sched.Nightly, machine_zone: str, dry_run: bool) -> None:
        lines = sched.crontab_lines(nightly, machine_zone, str(self.repo), dt.date.today().year)
        self.out(("would add" if dry_run else "added") + " to your crontab (crontab -l shows it):")
        for line in lines:
            self.out(f"  {line}")
        if not dry_run:
            self._checked(["crontab", "-"], input=sched.add_schedule(self._crontab(), lines))
        self.out("Remove it: make unschedule.")

    def _crontab(self) -> str:
        result = self.run(["crontab", "-l"])
        return result.stdout if result.returncode == 0 else ""  # 1: "no crontab for user"

    def _checked(self, command: list[str], input: str | None = None) -> None:
        result = self.run(command, input=input) if input is not None else self.run(command)
        if result.returncode != 0:
            raise RuntimeError(f"`{' '.join(command)}` failed: {(result.stderr or result.stdout).strip()[:300]}")

    def _quietly(self, command: list[str]) -> None:
        """Best effort: the unit files go away even where systemd is not running."""
        try:
            self.run(command)
        except (OSError, subprocess.SubprocessError):
            pass

    def remove(self) -> list[str]:
        """Remove whatever schedule this project installed; returns what was removed."""
        removed = []
        timer = self.unit_dir / f"{sched.UNIT_NAME}.timer"
        if timer.exists():
            self._quietly(["systemctl", "--user", "disable", "--now", timer.name])
            for path in (timer, self.unit_dir / f"{sched.UNIT_NAME}.service"):
                path.unlink(missing_ok=True)
                removed.append(str(path))
            self._quietly(["systemctl", "--user", "daemon-reload"])
        try:
            current = self._crontab()
        except OSError:  # no cron on this machine: nothing of ours there either
            current = ""
        if sched.CRON_MARKER in current:
            self._checked(["crontab", "-"], input=sched.strip_schedule(current))
            removed.append("the crontab lines after " + sched.CRON_MARKER)
        (self.state_dir / SCHEDULE_FILE).unlink(missing_ok=True)
        return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make unschedule", description="Remove the nightly sync schedule.")
    parser.add_argument("action", choices=["remove"])
    parser.add_argument("--state-dir", type=Path, default=Path(".local-sync"))
    args = parser.parse_args(argv)
    scheduler = Scheduler(repo=Path.cwd(), state_dir=args.state_dir, home=Path.home())
    try:
        removed = scheduler.remove()
    except (RuntimeError, OSError) as error:
        print(f"Could not remove the schedule: {error}", file=sys.stderr)
        return 1
    print("Removed: " + "; ".join(removed) if removed else "No schedule was installed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
