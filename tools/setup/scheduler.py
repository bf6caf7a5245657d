"""Installing and removing the nightly schedule (I/O around tools/setup/schedule.py).

    python -m tools.setup.scheduler install [--secrets DIR] [--state-dir DIR] [--kind auto|systemd|cron]
    python -m tools.setup.scheduler remove                                       (make schedule / unschedule)

Probe first (is a user systemd reachable on its bus? is `crontab` there and does it accept us?),
install, then verify; a schedule is reported installed only once it is, and a half-written one is
rolled back. Commands go through `run`, and files under `home`, so tests use a temporary home and
fake `systemctl` / `crontab`; `dry_run` prints what would be installed and touches nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from tools.setup import schedule as sched

Runner = Callable[..., subprocess.CompletedProcess]
SCHEDULE_FILE = "schedule.json"
KINDS = ("systemd", "cron")
_REFUSED = re.compile(r"not allowed|permission denied|not permitted|access denied", re.IGNORECASE)


class ScheduleError(Exception):
    """The schedule could not be installed; nothing of it is left behind. The message says why."""


def default_runner(command: list[str], input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, input=input, capture_output=True, text=True, timeout=60)


@dataclass
class Scheduler:
    repo: Path
    state_dir: Path
    home: Path
    run: Runner = default_runner
    out: Callable[[str], None] = print
    which: Callable[[str], str | None] = shutil.which

    @property
    def unit_dir(self) -> Path:
        config = os.environ.get("XDG_CONFIG_HOME") if self.home == Path.home() else None
        return Path(config or self.home / ".config") / "systemd" / "user"

    # -- probing -------------------------------------------------------------------------------
    def probe(self) -> dict[str, str | None]:
        """{kind: None when usable, else why not}, asking each tool without changing anything."""
        return {"systemd": self._systemd_problem(), "cron": self._cron_problem()}

    def _systemd_problem(self) -> str | None:
        if not self.which("systemctl"):
            return "systemctl is not installed"
        result = self._try(["systemctl", "--user", "is-system-running"])
        state = result.stdout.strip() if result else ""
        if state in ("running", "degraded", "starting"):
            return None
        reason = (result.stderr.strip().splitlines() or [state])[0] if result else "systemctl did not answer"
        return f"no user systemd is reachable ({reason or state or 'no answer'})"

    def _cron_problem(self) -> str | None:
        if not self.which("crontab"):
            return "crontab is not installed (no cron on this machine)"
        result = self._try(["crontab", "-l"])
        if result is None:
            return "crontab did not answer"
        said = (result.stderr or result.stdout or "").strip()
        if result.returncode == 0 or not _REFUSED.search(said):
            # an empty crontab exits 1: "no crontab for <user>" (Vixie/Debian, cronie), "can't open"
            # (busybox); only a refusal (cron.allow / cron.deny, PAM) makes cron unusable
            return None
        return f"crontab refuses: {said[:200]}"

    def _try(self, command: list[str]) -> subprocess.CompletedProcess | None:
        try:
            return self.run(command)
        except (OSError, subprocess.SubprocessError):
            return None

    # -- installing ----------------------------------------------------------------------------
    def install(self, nightly: sched.Nightly, kind: str, sync: sched.SyncCommand, machine_zone: str,
                dry_run: bool) -> None:
        """Install (or, dry_run, print) the schedule; raises ScheduleError with nothing left behind."""
        if kind == "systemd":
            self._install_systemd(nightly, sync, dry_run)
        else:
            self._install_cron(nightly, machine_zone, sync, dry_run)
        if dry_run:
            return
        other = self.remove(only="cron" if kind == "systemd" else "systemd")   # one schedule only
        if other:
            self.out("  removed the earlier schedule: " + "; ".join(other))
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        record = {"kind": kind, "zone": nightly.zone, "hour": nightly.hour, "minute": nightly.minute,
                  "secrets": sync.secrets, "state_dir": sync.state}
        (self.state_dir / SCHEDULE_FILE).write_text(json.dumps(record) + "\n", encoding="utf-8")

    def _install_systemd(self, nightly: sched.Nightly, sync: sched.SyncCommand, dry_run: bool) -> None:
        files = {self.unit_dir / f"{sched.UNIT_NAME}.service": sched.systemd_service(sync),
                 self.unit_dir / f"{sched.UNIT_NAME}.timer": sched.systemd_timer(nightly)}
        commands = [["systemctl", "--user", "daemon-reload"],
                    ["systemctl", "--user", "enable", "--now", f"{sched.UNIT_NAME}.timer"]]
        if dry_run:
            for path, text in files.items():
                self.out(f"would write {path}:\n{text}")
            self.out("\n".join("would run: " + " ".join(command) for command in commands))
            return
        earlier = {path: path.read_text(encoding="utf-8") for path in files if path.exists()}
        try:
            for path, text in files.items():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            for command in commands:
                self._checked(command)
        except (ScheduleError, OSError) as error:
            self._roll_back(files, earlier)
            raise ScheduleError(f"{error}; the unit files were removed again" if not earlier else
                                f"{error}; the earlier unit files were put back") from None
        self.out(f"  ✓ installed the systemd user timer {sched.UNIT_NAME}.timer ({nightly.on_calendar}; a night "
                 "missed while the machine was off runs at the next start).\n"
                 "    Check it: systemctl --user list-timers. On a server, `loginctl enable-linger $USER` lets it "
                 "run while you are logged out.")

    def _roll_back(self, files: dict[Path, str], earlier: dict[Path, str]) -> None:
        for path in files:
            if path in earlier:
                path.write_text(earlier[path], encoding="utf-8")
            else:
                path.unlink(missing_ok=True)
        self._try(["systemctl", "--user", "daemon-reload"])

    def _install_cron(self, nightly: sched.Nightly, machine_zone: str, sync: sched.SyncCommand, dry_run: bool) -> None:
        lines = sched.crontab_lines(nightly, machine_zone, sync, dt.date.today().year)
        if dry_run:
            self.out("would add to your crontab:\n" + "\n".join(f"  {line}" for line in lines))
            return
        current = self._crontab()
        self._checked(["crontab", "-"], input=sched.add_schedule(current, lines))
        if sched.CRON_MARKER not in self._crontab():   # some crontabs accept and drop (a refusing PAM, a quota)
            raise ScheduleError("crontab accepted the lines but `crontab -l` does not show them")
        self.out("  ✓ added to your crontab (crontab -l shows it):\n" + "\n".join(f"    {line}" for line in lines))

    def _crontab(self) -> str:
        result = self._try(["crontab", "-l"])
        return result.stdout if result is not None and result.returncode == 0 else ""  # 1: "no crontab for user"

    def _checked(self, command: list[str], input: str | None = None) -> None:
        try:
            result = self.run(command, input=input) if input is not None else self.run(command)
        except (OSError, subprocess.SubprocessError) as error:
            raise ScheduleError(f"`{' '.join(command)}` could not run ({type(error).__name__})") from None
        if result.returncode != 0:
            reason = (result.stderr or result.stdout).strip()[:300] or f"exit code {result.returncode}"
            raise ScheduleError(f"`{' '.join(command)}` failed: {reason}")

    # -- removing ------------------------------------------------------------------------------
    def remove(self, only: str | None = None) -> list[str]:
        """Remove whatever schedule this project installed (of one kind, `only`); returns what was removed."""
        removed = []
        timer = self.unit_dir / f"{sched.UNIT_NAME}.timer"
        if only in (None, "systemd") and timer.exists():
            self._try(["systemctl", "--user", "disable", "--now", timer.name])   # best effort: no bus, no timer
            for path in (timer, self.unit_dir / f"{sched.UNIT_NAME}.service"):
                path.unlink(missing_ok=True)
                removed.append(str(path))
            self._try(["systemctl", "--user", "daemon-reload"])
        current = self._crontab() if only in (None, "cron") and self.which("crontab") else ""
        if sched.CRON_MARKER in current:
            self._checked(["crontab", "-"], input=sched.strip_schedule(current))
            removed.append("the crontab lines after " + sched.CRON_MARKER)
        if only is None:
            (self.state_dir / SCHEDULE_FILE).unlink(missing_ok=True)
        return removed
