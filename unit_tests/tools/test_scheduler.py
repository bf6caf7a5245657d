"""Installing and removing the schedule without touching this machine's crontab or systemd."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path


from tools.setup import schedule as s
from tools.setup.scheduler import Scheduler

REPO = Path(__file__).resolve().parents[2]


class FakeMachine:
    """`crontab` and `systemctl` as a person's machine answers them, kept in memory."""

    def __init__(self, crontab=None, systemd="running"):
        self.crontab, self.systemd, self.commands = crontab, systemd, []

    def __call__(self, command, input=None):
        self.commands.append(command)
        out, code = "", 0
        if command == ["crontab", "-l"]:
            out, code = (self.crontab, 0) if self.crontab is not None else ("", 1)
        elif command == ["crontab", "-"]:
            self.crontab = input
        elif command[:2] == ["systemctl", "--user"] and command[2] == "is-system-running":
            out = self.systemd
        return subprocess.CompletedProcess(command, code, out, "")


def scheduler(tmp_path, machine, lines=None):
    return Scheduler(repo=tmp_path / "repo", state_dir=tmp_path / "state", home=tmp_path / "home",
                     run=machine, out=(lines if lines is not None else []).append)


def test_given_systemd_when_installed_then_units_land_in_the_user_dir_and_the_timer_is_enabled(tmp_path):
    machine = FakeMachine()
    scheduler(tmp_path, machine).install(s.Nightly("Europe/Paris"), "systemd", "/repo/.venv/bin/python",
                                         "UTC", dry_run=False)
    unit_dir = tmp_path / "home/.config/systemd/user"
    assert "OnCalendar=*-*-* 23:30:00 Europe/Paris" in (unit_dir / f"{s.UNIT_NAME}.timer").read_text()
    assert (unit_dir / f"{s.UNIT_NAME}.service").exists()
    assert ["systemctl", "--user", "enable", "--now", f"{s.UNIT_NAME}.timer"] in machine.commands
    assert json.loads((tmp_path / "state/schedule.json").read_text())["kind"] == "systemd"
    assert (tmp_path / "repo/.local-sync").is_dir()   # where the unit appends its output


def test_given_a_dry_run_when_installed_then_the_units_are_printed_and_nothing_is_written(tmp_path):
    machine, lines = FakeMachine(), []
    scheduler(tmp_path, machine, lines).install(s.Nightly("Europe/Paris"), "systemd", "/py", "UTC", dry_run=True)
    assert not any((tmp_path / name).exists() for name in ("home", "state", "repo"))
    assert machine.commands == []
    printed = "\n".join(lines)
    assert "would write" in printed and "Persistent=true" in printed and "would run: systemctl" in printed


def test_given_an_existing_crontab_when_cron_is_installed_and_removed_then_the_other_lines_survive(tmp_path):
    machine = FakeMachine(crontab="0 7 * * 1 backup.sh\n")
    sched = scheduler(tmp_path, machine)
    sched.install(s.Nightly("Europe/Paris"), "cron", "/py", "UTC", dry_run=False)
    assert machine.crontab.startswith("0 7 * * 1 backup.sh\n" + s.CRON_MARKER)
    assert all(s.valid_cron_fields(line) for line in machine.crontab.splitlines()[2:])
    removed = sched.remove()
    assert machine.crontab == "0 7 * * 1 backup.sh\n"
    assert removed and not (tmp_path / "state/schedule.json").exists()


def test_given_systemd_is_only_installed_when_asked_then_it_is_not_used(tmp_path):
    assert not scheduler(tmp_path, FakeMachine(systemd="offline")).has_systemd()


def _fake_commands(bin_dir: Path, store: Path) -> None:
    """Executables named crontab and systemctl that keep their state in files under the test's dir."""
    bin_dir.mkdir()
    scripts = {
        "crontab": f'#!/bin/sh\nif [ "$1" = "-l" ]; then [ -f {store}/crontab ] || exit 1; cat {store}/crontab; '
                   f'else cat > {store}/crontab; fi\n',
        "systemctl": f'#!/bin/sh\necho "$@" >> {store}/systemctl.log\n',
    }
    for name, text in scripts.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_given_an_installed_timer_when_make_unschedule_runs_then_units_and_cron_lines_are_gone(tmp_path):
    home, store = tmp_path / "home", tmp_path / "store"
    store.mkdir()
    _fake_commands(tmp_path / "bin", store)
    unit_dir = home / ".config/systemd/user"
    unit_dir.mkdir(parents=True)
    for suffix in ("timer", "service"):
        (unit_dir / f"{s.UNIT_NAME}.{suffix}").write_text("[Unit]\n")
    (store / "crontab").write_text("MAILTO=x\n" + "\n".join(s.crontab_lines(s.Nightly("Europe/Paris"), "UTC", "/r", 2026)) + "\n")
    env = {**os.environ, "HOME": str(home), "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    env.pop("XDG_CONFIG_HOME", None)
    result = subprocess.run([sys.executable, "-m", "tools.setup.scheduler", "remove", "--state-dir",
                             str(tmp_path / "state")], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert list(unit_dir.iterdir()) == []
    assert (store / "crontab").read_text() == "MAILTO=x\n"
    assert f"disable --now {s.UNIT_NAME}.timer" in (store / "systemctl.log").read_text()
    assert result.stdout.startswith("Removed: ")


def test_given_nothing_installed_when_make_unschedule_runs_then_it_says_so(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    _fake_commands(tmp_path / "bin", store)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "tools.setup.scheduler", "remove", "--state-dir",
                             str(tmp_path / "state")], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, "No schedule was installed.")


def test_given_a_systemd_timer_when_setup_installs_cron_instead_then_only_the_cron_lines_remain(tmp_path):
    machine, lines = FakeMachine(crontab=""), []
    sched = scheduler(tmp_path, machine, lines)
    sched.install(s.Nightly("Europe/Paris"), "systemd", "/py", "UTC", dry_run=False)
    sched.install(s.Nightly("Europe/Paris"), "cron", "/py", "UTC", dry_run=False)
    assert list((tmp_path / "home/.config/systemd/user").iterdir()) == []
    assert machine.crontab.count(s.CRON_MARKER) == 1
    assert any(line.startswith("removed the earlier schedule") for line in lines)
    assert json.loads((tmp_path / "state/schedule.json").read_text())["kind"] == "cron"
