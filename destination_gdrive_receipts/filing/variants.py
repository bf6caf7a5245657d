"""Which file of an attachment a record is about: the original, or the bank's sealed copy (pure).

The stream contract (docs/stream-contract.md) sends an original and its PAdES-sealed copy under
the same `attachment_id`, told apart by `variant`. Here: the variants this destination files, the
key that keeps their chunks, uploads and Drive files apart, and the sealed copy's entry of a
`receipt_index` record turned into an index record of its own.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Mapping, Optional

ORIGINAL, PROBATIVE = "original", "probative"
KNOWN = (ORIGINAL, PROBATIVE)
NAME_SUFFIX = " (probative)"   # "… 3f9a1c2e (probative).pdf": sorts beside its original, says what it is

logger = logging.getLogger("airbyte")


def variant_of(record: Mapping[str, Any]) -> str:
    """A record without `variant` comes from a source that only sends originals."""
    value = record.get("variant")
    return ORIGINAL if value in (None, "") else str(value)


def file_key(attachment_id: str, variant: str) -> str:
    """One key per file: the original keeps the bare attachment id (as before sealed copies)."""
    return attachment_id if variant == ORIGINAL else f"{attachment_id}#{variant}"


def probative_index_record(record: Mapping[str, Any]) -> Optional[dict]:
    """The sealed copy of a receipt_index record as an index record of its own, when the bank has
    made it available (else None: pending, unavailable, corrupted, or not exported)."""
    entry = record.get("probative")
    if not isinstance(entry, Mapping) or entry.get("status") != "available" or not entry.get("download_url"):
        return None
    return {
        **{key: value for key, value in record.items() if key != "probative"},
        "variant": PROBATIVE,
        "file_name": entry.get("file_name") or record.get("file_name"),
        "content_type": entry.get("content_type") or "application/pdf",
        "size": entry.get("size"),
        "download_url": entry["download_url"],
        "download_url_expires_at": entry.get("download_url_expires_at"),
    }


class UnknownVariants:
    """Records of a variant this destination does not know are left out, with one warning per variant."""

    def __init__(self) -> None:
        self._warned: set[str] = set()
        self.ignored = 0
        self._lock = threading.Lock()

    def known(self, record: Mapping[str, Any]) -> bool:
        variant = variant_of(record)
        if variant in KNOWN:
            return True
        with self._lock:
            self.ignored += 1
            first = variant not in self._warned
            self._warned.add(variant)
        if first:
            logger.warning("receipts records of variant %r are not known to this destination version and were not "
                           "filed; upgrade the destination to file them.", variant[:40])
        return False


def sealed_statuses_line(statuses: Mapping[str, int]) -> str:
    """'Sealed copies at the bank: 40 available, 2 pending at the bank, …' ('' when none were listed)."""
    labels = {"available": "available", "pending": "pending at the bank", "unavailable": "not produced by the bank",
              "corrupted": "corrupted at the bank"}
    parts = [f"{n} {labels.get(status, status)}" for status, n in sorted(statuses.items(), key=lambda item: -item[1])]
    return f"Sealed copies at the bank: {', '.join(parts)}" if parts else ""
