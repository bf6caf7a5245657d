"""Buffer for receipt_index records until the end of input.

Streams may arrive in any order, and reconciliation must see the content-bearing records first,
so index records wait in a spool keyed by the attachment's `att` marker (its id, or a digest of a
very long one), the key every filed file carries.
"""

from __future__ import annotations

from typing import Mapping

from destination_gdrive_receipts.drive.inventory import marker_value
from destination_gdrive_receipts.spool import KeyedSpool


def att_key(attachment_id: object) -> str:
    return marker_value("att", str(attachment_id))


class IndexBuffer(KeyedSpool):
    def add(self, record: Mapping) -> None:
        attachment_id = record.get("attachment_id")
        if attachment_id:
            self.put(att_key(attachment_id), record)

    def probative_status(self, attachment_id: str) -> str | None:
        """The bank's status of the receipt's sealed copy (None: not listed, or copies not exported)."""
        record = self.get(att_key(attachment_id))
        entry = record.get("probative") if record is not None else None
        return str(entry.get("status") or "") or None if isinstance(entry, Mapping) else None

    def lists(self, att_marker: str) -> bool:
        """Whether the bank's index lists the attachment whose files carry this `att` marker."""
        return att_marker in self
