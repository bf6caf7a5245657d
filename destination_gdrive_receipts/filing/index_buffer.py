"""Buffer for receipt_index records until the end of input.

Streams may arrive in any order, and reconciliation must see the content-bearing records first,
so index records wait in a spool keyed by attachment id.
"""

from __future__ import annotations

from typing import Mapping

from destination_gdrive_receipts.spool import KeyedSpool


class IndexBuffer(KeyedSpool):
    def add(self, record: Mapping) -> None:
        attachment_id = record.get("attachment_id")
        if attachment_id:
            self.put(str(attachment_id), record)

    def probative_status(self, attachment_id: str) -> str | None:
        """The bank's status of the receipt's sealed copy (None: not listed, or copies not exported)."""
        offset = self._offsets.get(str(attachment_id))
        entry = self.at(offset).get("probative") if offset is not None else None
        return str(entry.get("status") or "") or None if isinstance(entry, Mapping) else None

    def attachment_ids(self) -> set[str]:
        return set(self._offsets)
