"""Transactions of this sync until the end of input: the ledgers are written once, after filing.

Only the fields a ledger shows are kept, as JSON lines in a spooled temporary file (on disk past a
few MiB); memory holds transaction id → offset. The last record of a transaction wins.
"""

from __future__ import annotations

import json
import tempfile
from typing import Iterator, Mapping

SPOOL_MAX_BYTES = 4 * 1024 * 1024
OFFSET = "_offset"
FIELDS = ("id", "bank_account_id", "amount", "currency", "side", "vat_amount", "vat_rate", "category", "note",
          "status", "settled_at", "emitted_at", "label", "clean_counterparty_name", "attachment_ids",
          "attachment_required", "attachment_lost")


class TransactionBuffer:
    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES, mode="w+b")
        self._offsets: dict[str, int] = {}

    def add(self, record: Mapping) -> None:
        if not record.get("id") or not record.get("bank_account_id"):
            return
        slim = {k: record.get(k) for k in FIELDS if record.get(k) is not None}
        self._file.seek(0, 2)
        self._offsets[str(record["id"])] = self._file.tell()
        self._file.write(json.dumps(slim, separators=(",", ":"), default=str).encode() + b"\n")

    def __len__(self) -> int:
        return len(self._offsets)

    def __iter__(self) -> Iterator[dict]:
        for offset in sorted(self._offsets.values()):
            self._file.seek(offset)
            yield json.loads(self._file.readline())

    def with_offsets(self) -> Iterator[dict]:
        """Every transaction, each with its position in the spool under OFFSET (for at())."""
        for offset in sorted(self._offsets.values()):
            yield {**self.at(offset), OFFSET: offset}

    def at(self, offset: int) -> dict:
        self._file.seek(offset)
        return json.loads(self._file.readline())

    def close(self) -> None:
        self._file.close()
