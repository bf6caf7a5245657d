"""Installing and removing the schedule without touching this machine's crontab or systemd: fakes of
`systemctl` and `crontab` as machines answer them (no user bus, no cron, a refusing crontab, both)."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tools.setup import schedule as s
from tools.setup.prompts import Prompter
from tools.setup.schedule_step import choose_and_install
from tools.setup.scheduler import ScheduleError, Scheduler

REPO = Path(__file__).resolve().parents[2]
SYNC = s.SyncCommand(repo="/srv/r", python="/srv/r/.venv/bin/python", secrets="/srv/r/secrets", state="/srv/r/state")
NO_BUS = "Failed to connect to bus: No medium found"


class FakeMachine:
    """`crontab` and `systemctl` as a person's machine answers them, kept in memory.

    systemd: "running", "offline" (installed, no user manager) or "no-bus" (systemctl --user cannot
    reach a user bus: containers, su sessions). cron: "ok", "absent" or "refusing" (cron.deny)."""

    def __init__(self, crontab=None, systemd="running", cron="ok"):
        self.crontab, self.systemd, self.cron, self.commands = crontab, systemd, cron, []

    def which(self, name):
        present = {"systemctl": self.systemd != "absent", "crontab": self.cron != "absent"}
        return f"/usr/bin/{name}" if present.get(name) else None

    def __call__(self, command, input=None):
        self.commands.append(command)
        if command[0] == "crontab":
            return self._crontab(command, input)
        if self.systemd == "no-bus":
            return subprocess.CompletedProcess(command, 1, "", NO_BUS + "\n")
        out = self.systemd if command[2] == "is-system-running" else ""
        return subprocess.CompletedProcess(command, 0, out, "")

    def _crontab(self, command, input):
        if self.cron == "absent":
            raise FileNotFoundError("crontab")
        if self.cron == "refusing":
            return subprocess.CompletedProcess(command, 1, "", "You (ana) are not allowed to use this program (crontab)\n")
        if command == ["crontab", "-l"]:
            return subprocess.CompletedProcess(command, *((0, self.crontab, "") if self.crontab is not None
                                                          else (1, "", "no crontab for ana\n")))
        self.crontab = input
        return subprocess.CompletedProcess(command, 0, "", "")


def scheduler(tmp_path, machine, lines=None):
    return Scheduler(repo=tmp_path / "repo", state_dir=tmp_path / "state", home=tmp_path / "home",
                     run=machine, out=(lines if lines is not None else []).append, which=machine.which)


def unit_files(tmp_path):
    unit_dir = tmp_path / "home/.config/systemd/user"
    return sorted(p.name for p in unit_dir.iterdir()) if unit_dir.exists() else []


@pytest.mark.parametrize("machine, usable", [
    (FakeMachine(systemd="no-bus", cron="absent"), {"systemd": "no user systemd is reachable (" + NO_BUS + ")",
                                                    "cron": "crontab is not installed (no cron on this machine)"}),
    (FakeMachine(systemd="absent", cron="refusing"), {"systemd": "systemctl is not installed",
                                                      "cron": "crontab refuses: You (ana) are not allowed to use "
                                                              "this program (crontab)"}),
    (FakeMachine(systemd="offline"), {"systemd": "no user systemd is reachable (offline)", "cron": None}),
    (FakeMachine(), {"systemd": None, "cron": None}),
], ids=["no-bus-no-cron", "no-systemd-refusing-crontab", "systemd-offline-cron-ok", "both"])
def test_given_a_machine_when_probed_then_each_scheduler_is_usable_or_says_why_not(tmp_path, machine, usable):
    assert scheduler(tmp_path, machine).probe() == usable
    assert all(c[:2] != ["crontab", "-"] for c in machine.commands)      # probing writes nothing


def test_given_systemd_when_installed_then_units_run_make_sync_with_the_setup_folders(tmp_path):
    machine, lines = FakeMachine(), []
    scheduler(tmp_path, machine, lines).install(s.Nightly("Europe/Paris"), "systemd", SYNC, "UTC", dry_run=False)
    unit_dir = tmp_path / "home/.config/systemd/user"
    assert "OnCalendar=*-*-* 23:30:00 Europe/Paris" in (unit_dir / f"{s.UNIT_NAME}.timer").read_text()
    service = (unit_dir / f"{s.UNIT_NAME}.service").read_text()
    assert "ExecStart=/srv/r/.venv/bin/python -m tools.local_sync --secrets /srv/r/secrets --state-dir /srv/r/state" \
        in service
    assert ["systemctl", "--user", "enable", "--now", f"{s.UNIT_NAME}.timer"] in machine.commands
    record = json.loads((tmp_path / "state/schedule.json").read_text())
    assert (record["kind"], record["secrets"], record["state_dir"]) == ("systemd", "/srv/r/secrets", "/srv/r/state")
    assert lines[-1].startswith("  ✓ installed the systemd user timer")


def test_given_systemd_without_a_user_bus_when_installed_then_the_units_are_rolled_back(tmp_path):
    machine, lines = FakeMachine(systemd="no-bus"), []
    with pytest.raises(ScheduleError, match="daemon-reload` failed: Failed to connect to bus.*removed again"):
        scheduler(tmp_path, machine, lines).install(s.Nightly("UTC"), "systemd", SYNC, "UTC", dry_run=False)
    assert unit_files(tmp_path) == [] and not (tmp_path / "state/schedule.json").exists()
    assert not any("installed" in line for line in lines)


def test_given_a_crontab_that_refuses_when_installed_then_it_fails_without_claiming_success(tmp_path):
    machine, lines = FakeMachine(cron="refusing"), []
    with pytest.raises(ScheduleError, match="not allowed"):
        scheduler(tmp_path, machine, lines).install(s.Nightly("UTC"), "cron", SYNC, "UTC", dry_run=False)
    assert lines == [] and not (tmp_path / "state/schedule.json").exists()


def test_given_an_existing_crontab_when_cron_is_installed_and_removed_then_the_other_lines_survive(tmp_path):
    machine = FakeMachine(crontab="0 7 * * 1 backup.sh\n")
    sched = scheduler(tmp_path, machine)
    sched.install(s.Nightly("Europe/Paris"), "cron", SYNC, "UTC", dry_run=False)
    assert machine.crontab.startswith("0 7 * * 1 backup.sh\n" + s.CRON_MARKER)
    assert all(s.valid_cron_fields(line) for line in machine.crontab.splitlines()[2:])
    assert "--secrets /srv/r/secrets --state-dir /srv/r/state" in machine.crontab
    removed = sched.remove()
    assert machine.crontab == "0 7 * * 1 backup.sh\n"
    assert removed and not (tmp_path / "state/schedule.json").exists()


def test_given_a_dry_run_when_installed_then_the_units_are_printed_and_nothing_is_written(tmp_path):
    machine, lines = FakeMachine(), []
    scheduler(tmp_path, machine, lines).install(s.Nightly("Europe/Paris"), "systemd", SYNC, "UTC", dry_run=True)
    assert not any((tmp_path / name).exists() for name in ("home", "state", "repo"))
    assert machine.commands == []
    printed = "\n".join(lines)
    assert "would write" in printed and "Persistent=true" in printed and "would run: systemctl" in printed


def test_given_a_systemd_timer_when_setup_installs_cron_instead_then_only_the_cron_lines_remain(tmp_path):
    machine, lines = FakeMachine(crontab=""), []
    sched = scheduler(tmp_path, machine, lines)
    sched.install(s.Nightly("Europe/Paris"), "systemd", SYNC, "UTC", dry_run=False)
    sched.install(s.Nightly("Europe/Paris"), "cron", SYNC, "UTC", dry_run=False)
    assert unit_files(tmp_path) == []
    assert machine.crontab.count(s.CRON_MARKER) == 1
    assert any("removed the earlier schedule" in line for line in lines)
    assert json.loads((tmp_path / "state/schedule.json").read_text())["kind"] == "cron"


def person(typed, answers=None):
    shown, typed = [], list(typed)
    return Prompter(answers or {}, True, out=shown.append, read=lambda q: (shown.append(q), typed.pop(0))[1]), shown


def test_given_no_bus_and_a_person_when_systemd_is_chosen_then_it_is_refused_and_cron_is_asked_next(tmp_path):
    machine = FakeMachine(systemd="no-bus", crontab="")
    prompter, shown = person(["systemd", "cron"])
    assert choose_and_install(prompter, scheduler(tmp_path, machine, shown), "Europe/Paris", SYNC, "UTC")
    text = "\n".join(shown)
    assert "systemd: not usable here — no user systemd is reachable" in text and "cron: available" in text
    assert "✗ systemd cannot schedule the sync" in text and "Schedule with cron, none [cron]: " in shown
    assert s.CRON_MARKER in machine.crontab and unit_files(tmp_path) == []


def test_given_nothing_usable_when_unattended_then_no_schedule_and_how_to_schedule_later(tmp_path):
    machine = FakeMachine(systemd="absent", cron="absent")
    shown = []
    prompter = Prompter({"schedule": "cron"}, False, out=shown.append)
    assert not choose_and_install(prompter, scheduler(tmp_path, machine, shown), "UTC", SYNC, "UTC")
    text = "\n".join(shown)
    assert "✗ cron cannot schedule the sync: crontab is not installed" in text and "make schedule" in text
    assert not (tmp_path / "home").exists() and not (tmp_path / "state").exists()


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
    (store / "crontab").write_text("MAILTO=x\n" + "\n".join(s.crontab_lines(s.Nightly("Europe/Paris"), "UTC", SYNC, 2026)) + "\n")
    env = {**os.environ, "HOME": str(home), "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    env.pop("XDG_CONFIG_HOME", None)
    result = subprocess.run([sys.executable, "-m", "tools.setup.schedule_step", "--remove", "--state-dir",
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
    result = subprocess.run([sys.executable, "-m", "tools.setup.schedule_step", "--remove", "--state-dir",
                             str(tmp_path / "state")], capture_output=True, text=True, cwd=REPO, env=env, timeout=60)
    assert (result.returncode, result.stdout.strip()) == (0, "No schedule was installed.")


def _make_schedule(tmp_path, *args):
    store = tmp_path / "store"
    store.mkdir(exist_ok=True)
    _fake_commands(tmp_path / "bin", store) if not (tmp_path / "bin").exists() else None
    (tmp_path / "bin" / "systemctl").write_text("#!/bin/sh\necho offline\nexit 1\n")   # installed, no user manager
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    env.pop("XDG_CONFIG_HOME", None)
    return subprocess.run([sys.executable, "-m", "tools.setup.schedule_step", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=60, stdin=subprocess.DEVNULL), store


def test_given_saved_configs_when_make_schedule_runs_then_cron_gets_the_same_folders(tmp_path):
    secrets = tmp_path / "my secrets"
    secrets.mkdir()
    (secrets / "destination.json").write_text(json.dumps({"timezone": "Europe/Paris"}))
    result, store = _make_schedule(tmp_path, "--secrets", str(secrets), "--state-dir", str(tmp_path / "state"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "systemd: not usable here — no user systemd is reachable (offline)" in result.stdout
    assert "✓ added to your crontab" in result.stdout
    crontab = (store / "crontab").read_text()
    assert f"--secrets '{secrets}' --state-dir {tmp_path / 'state'}" in crontab and "TZ=Europe/Paris" in crontab


def test_given_no_saved_config_when_make_schedule_runs_then_it_says_to_run_setup_first(tmp_path):
    result, store = _make_schedule(tmp_path, "--secrets", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "run `make setup` first" in result.stderr
    assert not (store / "crontab").exists()
