"""What `make sync` shows while it runs, from the connectors' messages."""

import io

from tools.sync_progress import ProgressDisplay, clock_text, live_line
from tools.sync_report import SyncTally

PROGRESS = ("Progress: uploaded 40, updated 0, restored 0, moved 0, skipped 20, skipped deleted folder 0, "
            "skipped expired url 0, 10485760 bytes uploaded")


def tally(index_done=False, index=100):
    t = SyncTally()
    t.observe_destination({"type": "LOG", "log": {"message": PROGRESS}})
    for _ in range(index):
        t.observe_source({"type": "RECORD", "record": {"stream": "receipt_index", "data": {}}})
    if index_done:
        t.observe_source({"type": "TRACE", "trace": {"stream_status": {"name": "receipt_index", "status": "COMPLETE"}}})
    return t


def test_given_the_total_is_not_known_when_the_line_is_drawn_then_no_eta_is_guessed():
    line = live_line(tally(index_done=False), elapsed=30)
    assert line.startswith("filed 60 receipts") and "ETA" not in line
    assert "10.0 MiB uploaded" in line and "2.0 receipts/s" in line


def test_given_the_index_is_complete_when_the_line_is_drawn_then_the_eta_follows_the_rate():
    line = live_line(tally(index_done=True), elapsed=30)
    assert "filed 60 of 100 receipts" in line
    assert "ETA 0:00:20" in line          # 40 left at 2 per second
    assert "elapsed 0:00:30" in line


def test_given_a_terminal_when_progress_updates_then_one_line_is_redrawn_in_place():
    out, now = io.StringIO(), [0.0]
    display = ProgressDisplay(tally(), out, tty=True, clock=lambda: now[0])
    for step in (0.2, 0.6, 1.2):
        now[0] = step
        display.update()
    display.finish()
    text = out.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n") and text.count("\n") == 1


def test_given_a_log_when_progress_updates_then_plain_lines_come_at_most_every_period():
    out, now = io.StringIO(), [0.0]
    display = ProgressDisplay(tally(), out, tty=False, every=30, clock=lambda: now[0], stamp=lambda: "23:31:00")
    for step in range(0, 95, 5):
        now[0] = float(step)
        display.update()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in out.getvalue()
    assert lines[0].startswith("[23:31:00] progress: filed 60 receipts")


def test_given_the_destination_start_and_deletion_lines_when_observed_then_the_archive_is_known():
    t = SyncTally()
    for text in ("Drive root folder Qonto (1AbC): 120 receipts and 14 period folders known",
                 "Period folder 2025-03 was deleted in Drive: its existing receipts stay out, newer ones recreate it."):
        t.observe_destination({"type": "LOG", "log": {"message": text}})
    assert t.archive == {"receipts_known": 120, "periods_known": 14, "deleted_periods_seen": 1}


def test_given_the_destination_lines_of_this_release_when_observed_then_remembered_deletions_and_reset_are_read():
    t = SyncTally()
    for text in ("Reset (receipts is overwritten (full refresh, clear data or reset)): deleted period folders are "
                 "forgotten, every receipt comes back.",
                 "Drive root folder Qonto (1AbC): 120 receipts and 14 period folders known, 2 deleted period folders "
                 "remembered"):
        t.observe_destination({"type": "LOG", "log": {"message": text}})
    assert t.archive == {"reset": 1, "receipts_known": 120, "periods_known": 14, "deleted_remembered": 2}


def test_given_seconds_when_shown_as_a_clock_then_hours_minutes_seconds():
    assert [clock_text(s) for s in (0, 59.6, 3725)] == ["0:00:00", "0:01:00", "1:02:05"]


def test_given_a_live_line_when_something_else_prints_then_it_starts_on_a_new_line(monkeypatch):
    out, now = io.StringIO(), [0.0]
    monkeypatch.setattr("sys.stdout", out)
    display = ProgressDisplay(tally(), out, tty=True, clock=lambda: now[0])
    with display.attached():
        now[0] = 1.0
        display.update()
        print("Completed `source -> destination` sync")
    assert "elapsed 0:00:01\nCompleted `source" in out.getvalue()
    assert out.getvalue().endswith("sync\n")


def test_given_the_sync_ended_between_two_frames_when_finished_then_a_final_frame_shows_the_last_counts():
    out, now, t = io.StringIO(), [0.0], tally(index_done=True)
    display = ProgressDisplay(t, out, tty=True, clock=lambda: now[0])
    now[0] = 1.0
    display.update()                                  # filed 60 of 100
    t.observe_destination({"type": "LOG", "log": {"message": PROGRESS.replace("uploaded 40", "uploaded 80")}})
    now[0] = 1.1                                      # too soon for a frame…
    display.update()
    display.update(final=True)                        # …but the last one is always drawn
    display.finish()
    assert out.getvalue().rsplit("\r", 1)[1].startswith("filed 100 of 100 receipts")


def test_given_only_bank_records_so_far_when_the_line_is_drawn_then_it_says_what_is_being_read():
    t = SyncTally()
    for stream in ("bank_accounts", "transactions", "transactions"):
        t.observe_source({"type": "RECORD", "record": {"stream": stream, "data": {}}})
    assert live_line(t, elapsed=4) == "reading the bank: 1 bank accounts, 2 transactions · elapsed 0:00:04"
    assert live_line(SyncTally(), elapsed=1) == "reading the bank: starting · elapsed 0:00:01"


# -- the source's running total of the receipts it will send ("Receipts to send: …") ----------

import pytest  # noqa: E402

from source_bank_receipts.send_plan import plan_line  # noqa: E402
from tools.sync_progress import eta_seconds  # noqa: E402
from tools.sync_report import ToSend, parse_to_send  # noqa: E402


@pytest.mark.parametrize("line, expected", [
    ("Receipts to send: 40 (1234567 bytes) in all 5 receipt windows: the total of this sync", ToSend(40, 1234567, True, True)),
    ("Receipts to send: 12 (345 bytes) so far, 2 of 5 receipt windows listed", ToSend(12, 345, True, False)),
    ("Receipts to send: 3 (at least 99 bytes) so far, 1 receipt windows listed", ToSend(3, 99, False, False)),
    ("Receipts to send: 0 (0 bytes) in all 0 receipt windows: the total of this sync", ToSend(0, 0, True, True)),
    ("receipts: bank account Main (acc-1), updated a .. b: 3 receipts, 99 bytes", None),
    ("Progress: uploaded 40, updated 0, restored 0, moved 0, skipped 20", None),
    ("", None),
])
def test_given_source_log_lines_when_parsing_then_only_the_send_total_is_taken(line, expected):
    assert parse_to_send(line) == expected


@pytest.mark.parametrize("receipts, size, exact, listed, expected", [
    (40, 1234567, True, 5, 5), (12, 345, True, 2, 5), (3, 99, False, 1, None), (0, 0, True, 0, 0), (7, 10, True, 3, 3),
])
def test_given_a_running_total_when_the_source_logs_it_then_the_tools_read_back_the_same_numbers(receipts, size, exact, listed, expected):
    final = expected is not None and listed >= expected
    assert parse_to_send(plan_line(receipts, size, exact, listed, expected)) == ToSend(receipts, size, exact, final)


@pytest.mark.parametrize("done, total, elapsed, expected", [
    (60, 100, 30, 20.0),     # 40 left at 2 per second
    (1, 3601, 1, 3600.0),
    (0, 100, 30, None),      # no pace yet
    (10, 100, 0, None),
    (100, 100, 30, None),    # nothing left
    (120, 100, 30, None),    # more filed than sent (restored from the index): no negative ETA
])
def test_given_counts_and_time_when_estimating_then_the_eta_follows_the_average_pace(done, total, elapsed, expected):
    assert eta_seconds(done, total, elapsed) == expected


def _with_plan(line: str, progress: str | None = PROGRESS) -> SyncTally:
    t = SyncTally()
    t.observe_source({"type": "RECORD", "record": {"stream": "bank_accounts", "data": {}}})
    t.observe_source({"type": "LOG", "log": {"message": line}})
    if progress:
        t.observe_destination({"type": "LOG", "log": {"message": progress}})
    return t


FINAL = "Receipts to send: 100 (10485760 bytes) in all 4 receipt windows: the total of this sync"
PARTIAL = "Receipts to send: 70 (at least 7340032 bytes) so far, 3 of 4 receipt windows listed"


@pytest.mark.parametrize("line, progress, shown, absent", [
    (FINAL, None, "reading the bank: 1 bank accounts · 100 receipts to send (10.0 MiB) · elapsed 0:00:30", None),
    (PARTIAL, None, "reading the bank: 1 bank accounts · 70+ receipts to send so far (7.0 MiB+) · elapsed", None),
    (FINAL, PROGRESS, "filed 60 of 100 receipts", None),
    (FINAL, PROGRESS, "ETA 0:00:20", None),
    (PARTIAL, PROGRESS, "filed 60 of 70+ receipts", "ETA"),      # a running total: no ETA yet
    ("Receipts to send: 50 (1 bytes) in all 2 receipt windows: the total of this sync", PROGRESS.replace("uploaded 40", "uploaded 40, restored 10").replace(" restored 0,", ""),
     "filed 70 of 70 receipts", "ETA"),   # restores come on top of what was sent
])
def test_given_the_sources_total_when_the_line_is_drawn_then_it_shows_n_of_m_and_an_eta_once_final(line, progress, shown, absent):
    drawn = live_line(_with_plan(line, progress), elapsed=30)
    assert shown in drawn, drawn
    assert absent is None or absent not in drawn, drawn


def test_given_a_total_then_a_newer_line_when_tallying_then_the_latest_total_counts():
    t = _with_plan(PARTIAL, None)
    t.observe_source({"type": "LOG", "log": {"message": "Receipts to send: x"}})   # not a total: ignored
    assert t.to_send == ToSend(70, 7340032, False, False)
    t.observe_source({"type": "LOG", "log": {"message": FINAL}})
    assert t.to_send.final and t.progress_line().endswith("| to send 100")
