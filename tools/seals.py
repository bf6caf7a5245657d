"""Checking the bank's seal on a probative copy with pyHanko, offline (no trust lookups).

What the check proves: the PDF carries a PAdES/CMS signature whose signed byte range hashes to the
digest the signature covers, and that signature verifies with the public key of the certificate
embedded in it ("intact"): not one byte of the signed revision changed since it was sealed. It
reads out who sealed it (the certificate's subject) and when (the signing time the signer
claims). What it does not prove: that the certificate belongs to the bank or chains to a trusted
(eIDAS qualified) authority, that it was not revoked, nor that the signing time is trustworthy
(no timestamp authority is asked). Trust in the signer is the bank's: checking it needs the
bank's certificate chain and network lookups (OCSP/CRL), which this check does not make.
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional

# pyHanko logs a traceback for every certificate it cannot chain to a trust root; trust is not
# what this check asks, so those lines are noise here.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class SealReport:
    intact: bool
    signer: Optional[str] = None
    signing_time: Optional[str] = None
    problem: Optional[str] = None


def check_seal(data: bytes) -> SealReport:
    """Integrity of the last signature of a PDF (the bank's seal), signer and signing time."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    except Exception as error:  # pyHanko raises several types for files that are not PDFs
        return SealReport(False, problem=f"not a readable PDF ({type(error).__name__})")
    if not signatures:
        return SealReport(False, problem="no signature in the PDF")
    signature = signatures[-1]
    try:
        status = validate_pdf_signature(signature)
    except Exception as error:
        return SealReport(False, problem=f"signature could not be checked ({type(error).__name__})")
    signer = status.signing_cert.subject.human_friendly if status.signing_cert is not None else None
    when = status.signer_reported_dt.isoformat() if status.signer_reported_dt else None
    if not (status.intact and status.valid):
        problem = "signed bytes changed since sealing" if not status.intact else "signature does not verify"
        return SealReport(False, signer, when, problem)
    if status.coverage is not None and status.coverage.name not in ("ENTIRE_FILE", "ENTIRE_REVISION"):
        return SealReport(False, signer, when, f"signature covers only part of the file ({status.coverage.name})")
    return SealReport(True, signer, when)


@dataclass
class PeriodTally:
    intact: int = 0
    broken: int = 0


def tally(reports: Iterable[tuple[str, str, SealReport]]) -> dict[tuple[str, str], PeriodTally]:
    """(account folder, period, report) → counts per period (pure)."""
    counts: dict[tuple[str, str], PeriodTally] = defaultdict(PeriodTally)
    for account, period, report in reports:
        if report.intact:
            counts[(account, period)].intact += 1
        else:
            counts[(account, period)].broken += 1
    return dict(counts)


def report_lines(counts: dict[tuple[str, str], PeriodTally]) -> list[str]:
    lines = []
    for (account, period), tally_ in sorted(counts.items()):
        total = tally_.intact + tally_.broken
        flag = "" if not tally_.broken else f", {tally_.broken} NOT intact"
        lines.append(f"{account} / {period}: {tally_.intact} of {total} sealed copies intact{flag}")
    return lines
