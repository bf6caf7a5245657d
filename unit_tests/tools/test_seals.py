"""The seal check (pyHanko, offline) on sealed, altered, unsigned and non-PDF files."""

from __future__ import annotations

import pytest

from integration_tests.emulators.bank import sealing
from tools.seals import SealReport, check_seal, report_lines, tally

SEALED = sealing.sealed_pdf("Probative copy of receipt 3f9a1c2e")


def _altered(data: bytes) -> bytes:
    at = data.index(b"3f9a1c2e")
    return data[:at] + b"3f9a1c2f" + data[at + 8:]


@pytest.mark.parametrize("data, intact, problem", [
    (SEALED, True, None),
    (_altered(SEALED), False, "signed bytes changed since sealing"),
    (sealing.plain_pdf("no seal"), False, "no signature in the PDF"),
    (sealing.GATE_PAGE, False, "not a readable PDF (PdfReadError)"),
], ids=["sealed", "altered after sealing", "unsigned", "web page"])
def test_given_file_when_seal_checked_then_intact_only_if_signed_bytes_unchanged(data, intact, problem):
    report = check_seal(data)
    assert (report.intact, report.problem) == (intact, problem)
    if data in (SEALED, _altered(SEALED)):
        assert report.signer and "Emulated Bank Seal" in report.signer and report.signing_time


def test_given_reports_when_tallied_then_counts_per_account_and_period():
    ok, bad = SealReport(True), SealReport(False, problem="x")
    counts = tally([("Main", "2025-03", ok), ("Main", "2025-03", bad), ("Main", "2025-04", ok), ("Travel", "2025-03", ok)])
    assert report_lines(counts) == [
        "Main / 2025-03: 1 of 2 sealed copies intact, 1 NOT intact",
        "Main / 2025-04: 1 of 1 sealed copies intact",
        "Travel / 2025-03: 1 of 1 sealed copies intact",
    ]
