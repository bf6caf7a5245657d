"""The summary line the destination prints, and the benchmark's reading of it (they must agree)."""

from destination_gdrive_receipts.ledger.book import Report
from tools.bench_report import ledger_counts, ledger_figures


def log(text: str) -> dict:
    return {"type": "LOG", "log": {"level": "INFO", "message": text}}


def test_given_a_sync_report_when_printed_then_the_benchmark_reads_touched_periods_and_writes():
    report = Report(touched=3, written=2, missing_written=True, missing_counts={"Main · FR76…0185": 4})
    line = f"Ledgers: {report.line()}"

    assert "3 period(s) touched, 3 ledger write(s) (missing list rewritten)" in line
    assert "4 transactions still miss a receipt (Main · FR76…0185: 4)" in line
    assert ledger_counts([log("Drive root folder Qonto"), log(line)]) == {"touched": 3, "writes": 3}


def test_given_figures_when_checked_then_writes_are_held_to_touched_plus_one_and_zero_when_nothing_is_new():
    (touched, writes, _, _) = ledger_figures("backfill", {"ledger": {"touched": 3, "writes": 4}}, nothing_new=False)
    assert writes.passed and touched.value == 3
    (_, nightly, sheets, _) = ledger_figures("nightly", {"ledger": {"touched": 1, "writes": 1},
                                                         "drive": {"sheets.write": 1}}, nothing_new=True)
    assert nightly.passed is False and sheets.passed is False
    (absent,) = ledger_figures("nightly", {"ledger": None}, nothing_new=True)
    assert absent.value is None


def test_given_the_ledgers_line_when_make_sync_and_make_status_report_then_missing_receipts_per_account_show():
    from tools.setup.status_view import archive_lines
    from tools.sync_history import RunRecord
    from tools.sync_report import SyncTally, summary_lines

    tally = SyncTally()
    tally.observe_destination_log("Drive root folder Qonto (1abc): 120 receipts and 14 period folders known")
    tally.observe_destination_log("Ledgers: " + Report(touched=1, written=1, missing_counts={"Main": 2}).line())
    tally.observe_destination_log("Summary: uploaded 1, updated 0, restored 0, moved 0, skipped 3, skipped deleted "
                                  "folder 0, skipped expired url 0, 10 bytes uploaded, 3 Drive write requests")

    assert "ledgers:        1 period(s) touched, 1 ledger write(s); 2 transactions still miss a receipt (Main: 2)" \
        in summary_lines(tally, 1.0)
    assert tally.outcomes["drive_writes"] == 3
    run = RunRecord(started="2025-03-14T23:30:00+01:00", seconds=1, ok=True, outcomes=tally.outcomes,
                    archive=tally.archive)
    assert archive_lines([run])[-1] == "  missing receipts:         2 transactions still miss a receipt (Main: 2)"
