"""Reconciliation from receipt_index, once every content-bearing record has been filed.

For each receipt the bank lists: a file missing from a live folder is restored (untrashed, or
downloaded again), a receipt whose filing folder changed is moved, a receipt of a period folder
the user deleted is left out. Work goes through the same upload pool as content records.
"""

from __future__ import annotations

import logging
from collections import Counter

from destination_gdrive_receipts.filing.filer import Filer
from destination_gdrive_receipts.filing.index_buffer import IndexBuffer
from destination_gdrive_receipts.filing.variants import PROBATIVE, file_key, probative_index_record, sealed_statuses_line
from destination_gdrive_receipts.filing.writer import ReceiptWriter

logger = logging.getLogger("airbyte")
REQUIRED = ("attachment_id", "bank_account_id")


def reconcile(index: IndexBuffer, filer: Filer, writer: ReceiptWriter) -> int:
    """Reconcile every buffered index record; returns how many were looked at."""
    seen, statuses = 0, Counter()
    for record in index:
        if any(not record.get(k) for k in REQUIRED):
            logger.warning("receipt_index record without %s ignored", " or ".join(REQUIRED))
            continue
        writer.submit(str(record["attachment_id"]), filer.file_index, record)
        entry = record.get("probative")
        if isinstance(entry, dict):
            statuses[str(entry.get("status") or "none")] += 1
        sealed = probative_index_record(record)
        if sealed is not None:
            # Filed, restored or moved like its original; a copy that turned available without
            # its transaction's updated_at moving arrives here (docs/stream-contract.md).
            writer.submit(file_key(str(record["attachment_id"]), PROBATIVE), filer.file_index, sealed)
        seen += 1
    writer.flush()
    if statuses:   # unavailable and corrupted copies are reported, never retried
        logger.info(sealed_statuses_line(statuses))
    return seen
