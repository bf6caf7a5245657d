"""`make status` on histories with successes, failures and no run yet (pure view and the command)."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.setup.status_view import status_text
from tools.sync_history import RunRecord, one_line, parse_history

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone.utc)
SCHEDULE = {"kind": "systemd", "zone": "Europe/Paris", "hour": 23, "minute": 30}
REPO = Path(__file__).resolve().parents[2]


def ok_run(day, uploaded=3, known=100, periods=12, deleted=0, reset=False):
    archive = {"receipts_known": known, "periods_known": periods}
    if deleted:
        archive["deleted_periods_seen"] = deleted
    if reset:
        archive["reset"] = 1
    return RunRecord(started=f"2026-03-{day:02d}T23:30:02+01:00", seconds=75.0, ok=True,
                     outcomes={"uploaded": uploaded, "updated": 0, "skipped": 97, "restored": 1, "moved": 2},
                     archive=archive)


FAILED = RunRecord(started="2026-03-09T23:30:01+01:00", seconds=12.0, ok=False,
                   error="Google Drive refused the sign-in (invalid_grant): sign in again with make setup.")


def test_given_no_run_yet_when_status_is_shown_then_it_says_so_and_exits_0():
    text, code = status_text([], None, NOW)
    assert code == 0
    assert "no sync has run yet" in text and "not scheduled" in text and "no sync has reached Drive yet" in text


def test_given_successful_runs_when_status_is_shown_then_counts_next_run_and_archive_appear():
    text, code = status_text([ok_run(7, deleted=1), ok_run(8)], SCHEDULE, NOW)
    assert code == 0
    assert "2026-03-08 23:30  ok      0:01:15  uploaded 3, updated 0, skipped 97, restored 1, moved 2" in text
    assert "2026-03-10 23:30 Europe/Paris (systemd; `make unschedule` removes it)" in text
    assert "receipts in Drive:        104" in text          # 100 found + 3 uploaded + 1 restored
    assert "deleted folders remembered: 1" in text
    assert text.index("2026-03-08") < text.index("2026-03-07")   # newest first


def test_given_a_failed_last_run_when_status_is_shown_then_the_error_is_one_line_and_exit_is_1():
    text, code = status_text([ok_run(8), FAILED], SCHEDULE, NOW)
    assert code == 1
    assert "2026-03-09 23:30  FAILED  0:00:12  Google Drive refused the sign-in (invalid_grant)" in text
    assert "The last sync FAILED" in text
    assert "receipts in Drive:        104 (after the sync of 2026-03-08 23:30)" in text


def test_given_a_failure_then_a_success_when_status_is_shown_then_exit_is_0():
    assert status_text([FAILED, ok_run(10)], None, NOW)[1] == 0


def test_given_a_reset_when_deleted_folders_are_counted_then_earlier_ones_are_forgotten():
    text, _ = status_text([ok_run(5, deleted=2), ok_run(6, reset=True), ok_run(7, deleted=1)], None, NOW)
    assert "deleted folders remembered: 1" in text


def test_given_a_destination_reporting_remembered_deletions_when_status_is_shown_then_its_figure_is_used():
    last = ok_run(7, deleted=1)
    last.archive["deleted_remembered"] = 4
    text, _ = status_text([ok_run(5, deleted=2), last], None, NOW)
    assert "deleted folders remembered: 4" in text


def test_given_a_history_with_a_torn_line_when_parsed_then_the_readable_runs_remain():
    text = ok_run(1).to_line() + "\n{\"started\": \"2026-03-0\n" + FAILED.to_line() + "\n"
    assert [run.ok for run in parse_history(text)] == [True, False]


def test_given_a_multi_line_error_when_recorded_then_it_is_one_shortened_line():
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 1000)) == 500          # a connector message keeps its context


@pytest.mark.parametrize("runs, expected_code, expected_text", [
    ([], 0, "no sync has run yet"),
    ([ok_run(8)], 0, "uploaded 3"),
    ([ok_run(8), FAILED], 1, "FAILED"),
])
def test_given_a_state_dir_when_make_status_runs_then_its_exit_code_follows_the_last_run(
        tmp_path, runs, expected_code, expected_text):
    (tmp_path / "runs.jsonl").write_text("".join(run.to_line() + "\n" for run in runs))
    (tmp_path / "schedule.json").write_text(json.dumps(SCHEDULE))
    result = subprocess.run([sys.executable, "-m", "tools.status", "--state-dir", str(tmp_path)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == expected_code, result.stderr
    assert expected_text in result.stdout and "Europe/Paris" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("now, warned", [
    (dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone.utc), False),
    (dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.timezone.utc), True),
])
def test_given_a_schedule_when_the_last_run_is_old_then_status_says_the_nights_were_missed(now, warned):
    text, code = status_text([ok_run(8)], SCHEDULE, now)
    assert ("No sync since 2026-03-08 23:30" in text) is warned and code == 0
