"""The nightly schedule as text: systemd units, crontab lines for any machine zone, the next run."""

import datetime as dt
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest

from tools.setup import schedule as s

PARIS = s.Nightly("Europe/Paris")


def test_given_a_zone_when_the_timer_is_rendered_then_it_runs_at_2330_there_and_catches_up():
    timer = s.systemd_timer(PARIS)
    assert "OnCalendar=*-*-* 23:30:00 Europe/Paris\n" in timer
    assert "Persistent=true\n" in timer
    assert f"Unit={s.UNIT_NAME}.service" in timer and "WantedBy=timers.target" in timer


def sync(repo: str, python: str | None = None) -> s.SyncCommand:
    return s.SyncCommand(repo=repo, python=python or f"{repo}/.venv/bin/python", secrets=f"{repo}/secrets",
                         state=f"{repo}/.local-sync")


def test_given_a_repository_path_with_a_space_when_the_service_is_rendered_then_paths_are_quoted():
    service = s.systemd_service(sync("/home/ana/my receipts"))
    assert 'WorkingDirectory="/home/ana/my receipts"' in service
    assert ('ExecStart="/home/ana/my receipts/.venv/bin/python" -m tools.local_sync --secrets '
            '"/home/ana/my receipts/secrets" --state-dir "/home/ana/my receipts/.local-sync"') in service
    assert "Type=oneshot" in service and "StandardOutput" not in service   # make sync keeps its own log


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed here")
@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "America/New_York", "Asia/Kolkata"])
def test_given_the_rendered_timer_when_systemd_parses_it_then_it_is_a_valid_calendar(zone):
    result = subprocess.run(["systemd-analyze", "calendar", s.Nightly(zone).on_calendar],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "23:30:00" in result.stdout


@pytest.mark.parametrize("machine, expected", [
    ("Europe/Paris", [(23, 30)]),
    ("UTC", [(21, 30), (22, 30)]),                 # CEST and CET
    ("Europe/Berlin", [(23, 30)]),                 # same rules as Paris
    ("Asia/Kolkata", [(3, 0), (4, 0)]),            # +5:30, no daylight saving time
    ("America/New_York", [(17, 30), (18, 30)]),    # the two zones switch on different days
])
def test_given_a_machine_zone_when_crontab_times_are_computed_then_each_offset_of_the_year_is_covered(
        machine, expected):
    assert s.machine_times(PARIS, machine, 2026) == expected


def test_given_the_same_zone_when_the_crontab_is_rendered_then_one_plain_line_runs_at_2330():
    lines = s.crontab_lines(PARIS, "Europe/Paris", sync("/srv/receipts"), 2026)
    assert lines == [s.CRON_MARKER, "30 23 * * * cd /srv/receipts && /srv/receipts/.venv/bin/python -m tools.local_sync "
                     "--secrets /srv/receipts/secrets --state-dir /srv/receipts/.local-sync > /dev/null "
                     "2>> /srv/receipts/.local-sync/cron-errors.log"]


def test_given_a_machine_in_utc_when_the_crontab_is_rendered_then_both_lines_are_guarded_by_the_zone_clock():
    lines = s.crontab_lines(PARIS, "UTC", sync("/srv/my receipts"), 2026)[1:]
    assert [line.split()[:2] for line in lines] == [["30", "21"], ["30", "22"]]
    for line in lines:
        assert s.valid_cron_fields(line)
        assert '[ "$(TZ=Europe/Paris date +\\%H:\\%M)" = 23:30 ]' in line   # % escaped for cron
        assert "cd '/srv/my receipts' && '/srv/my receipts/.venv/bin/python' -m tools.local_sync" in line


@pytest.mark.parametrize("moment_utc, ran_hours", [
    (dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc), {"22"}),   # winter: 22:30 UTC is 23:30 in Paris
    (dt.datetime(2026, 7, 15, tzinfo=dt.timezone.utc), {"21"}),   # summer: 21:30 UTC
])
def test_given_the_guarded_lines_when_each_fires_then_exactly_one_passes_its_guard(moment_utc, ran_hours):
    passed = set()
    for line in s.crontab_lines(PARIS, "UTC", sync("/r"), 2026)[1:]:
        minute, hour = int(line.split()[0]), int(line.split()[1])
        fired = moment_utc.replace(hour=hour, minute=minute).astimezone(ZoneInfo("Europe/Paris"))
        if fired.strftime("%H:%M") == "23:30":
            passed.add(line.split()[1])
    assert passed == ran_hours


@pytest.mark.parametrize("line, valid", [
    ("30 23 * * * make sync", True),
    ("60 23 * * * make sync", False),
    ("30 24 * * * make sync", False),
    ("30 23 * * make sync", False),
    ("*/5 23 * * * make sync", False),   # we only ever write plain values
])
def test_given_crontab_lines_when_validated_then_fields_are_in_range(line, valid):
    assert s.valid_cron_fields(line) is valid


def test_given_an_existing_crontab_when_the_schedule_is_added_twice_and_removed_then_other_lines_stay():
    mine = "0 7 * * 1 backup.sh\nMAILTO=me@example.com\n"
    ours = s.crontab_lines(PARIS, "UTC", sync("/r"), 2026)
    once = s.add_schedule(mine, ours)
    twice = s.add_schedule(once, ours)
    assert once == twice and twice.count(s.CRON_MARKER) == 1
    assert s.strip_schedule(twice) == mine


@pytest.mark.parametrize("now, expected", [
    ("2026-03-10T12:00:00+00:00", "2026-03-10 23:30 +0100"),
    ("2026-03-10T22:30:00+00:00", "2026-03-11 23:30 +0100"),   # 23:30 Paris exactly: the next night
    ("2026-03-28T23:00:00+00:00", "2026-03-29 23:30 +0200"),   # across the switch to summer time
])
def test_given_a_moment_when_the_next_run_is_computed_then_it_is_the_next_2330_in_the_zone(now, expected):
    assert s.next_run(PARIS, dt.datetime.fromisoformat(now)).strftime("%Y-%m-%d %H:%M %z") == expected


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed here")
def test_given_the_rendered_units_when_systemd_verifies_them_then_no_setting_is_refused_or_ignored(tmp_path):
    import sys

    (tmp_path / f"{s.UNIT_NAME}.service").write_text(s.systemd_service(sync(str(tmp_path), sys.executable)))
    (tmp_path / f"{s.UNIT_NAME}.timer").write_text(s.systemd_timer(PARIS))
    result = subprocess.run(["systemd-analyze", "verify", f"./{s.UNIT_NAME}.timer", f"./{s.UNIT_NAME}.service"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "ignoring" not in result.stderr and "Unknown" not in result.stderr, result.stderr


@pytest.mark.parametrize("clock_in_zone, runs", [("23:30", True), ("22:30", False)])
def test_given_a_guarded_crontab_line_when_the_shell_runs_it_then_only_2330_in_the_zone_syncs(
        tmp_path, clock_in_zone, runs):
    """The command as cron hands it to sh (cron turns `\\%` back into `%`), with a `date` that shows
    a fixed time and the project's python replaced by a marker."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "date").write_text(f'#!/bin/sh\n[ "$TZ" = Europe/Paris ] && [ "$1" = "+%H:%M" ] && echo {clock_in_zone}\n')
    (bin_dir / "python").write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/ran\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    (tmp_path / "repo" / ".local-sync").mkdir(parents=True)
    line = s.crontab_lines(PARIS, "UTC", sync(str(tmp_path / "repo"), str(bin_dir / "python")), 2026)[1]
    command = line.split(None, 5)[5].replace("\\%", "%")
    result = subprocess.run(["sh", "-c", command], env={"PATH": f"{bin_dir}:/usr/bin:/bin"}, capture_output=True,
                            text=True, timeout=30)
    assert result.stderr == ""
    assert (tmp_path / "ran").exists() is runs
    if runs:
        assert (tmp_path / "ran").read_text().startswith("-m tools.local_sync --secrets ")
