"""The summary line the destination prints, and the benchmark's reading of it (they must agree)."""

from destination_gdrive_receipts.ledger.book import Report
from tools.bench_report import ledger_counts, ledger_figures


def log(text: str) -> dict:
    return {"type": "LOG", "log": {"level": "INFO", "message": text}}


def test_given_a_sync_report_when_printed_then_the_benchmark_reads_touched_periods_and_writes():
    report = Report(touched=3, written=2, missing_written=True, missing_counts={"Main · FR76…0185": 4})
    line = f"Summary: uploaded 2, 10 Drive write requests; {report.line()}"

    assert "3 period(s) touched, 3 ledger write(s) (missing list rewritten)" in line
    assert "4 transactions still miss a receipt (Main · FR76…0185: 4)" in line
    assert ledger_counts([log("Drive root folder Qonto"), log(line)]) == {"touched": 3, "writes": 3}


def test_given_figures_when_checked_then_writes_are_held_to_touched_plus_one_and_zero_when_nothing_is_new():
    (touched, writes) = ledger_figures("backfill", {"ledger": {"touched": 3, "writes": 4}}, nothing_new=False)
    assert writes.passed and touched.value == 3
    (_, nightly) = ledger_figures("nightly", {"ledger": {"touched": 1, "writes": 1}}, nothing_new=True)
    assert nightly.passed is False
    (absent,) = ledger_figures("nightly", {"ledger": None}, nothing_new=True)
    assert absent.value is None
