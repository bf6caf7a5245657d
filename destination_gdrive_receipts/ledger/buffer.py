"""Transactions of this sync until the end of input: the ledgers are written once, after filing.

Only the fields a ledger shows are kept, in a spool keyed by transaction id (the last record of a
transaction wins).
"""

from __future__ import annotations

from typing import Iterator, Mapping

from destination_gdrive_receipts.spool import KeyedSpool

OFFSET = "_offset"
FIELDS = ("id", "bank_account_id", "amount", "currency", "side", "vat_amount", "vat_rate", "category", "note",
          "status", "settled_at", "emitted_at", "label", "clean_counterparty_name", "attachment_ids",
          "attachment_required", "attachment_lost")


class TransactionBuffer(KeyedSpool):
    def add(self, record: Mapping) -> None:
        if not record.get("id") or not record.get("bank_account_id"):
            return
        self.put(str(record["id"]), {k: record.get(k) for k in FIELDS if record.get(k) is not None})

    def with_offsets(self) -> Iterator[dict]:
        """Every transaction, each with its position in the spool under OFFSET (for at())."""
        for offset in self.offsets():
            yield {**self.at(offset), OFFSET: offset}
