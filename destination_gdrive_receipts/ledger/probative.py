"""A transaction's sealed (probative) copies as its ledger row shows them: links and status.

The link is to the copy's Drive file, found like the original's (wherever the user filed it, live
only); the status is the bank's, from this sync's receipt_index (`probative.status`, see
docs/stream-contract.md). With sealed copies not exported, receipt_index carries no status and no
copy is filed: both cells stay empty.
"""

from __future__ import annotations

from typing import Callable, Sequence

from destination_gdrive_receipts.filing.variants import PROBATIVE
from destination_gdrive_receipts.ledger.columns import Links
from destination_gdrive_receipts.ledger.rows import SealedCopy, probative_cells, receipt_link

Status = Callable[[str], "str | None"]


def no_status(attachment_id: str) -> None:
    return None


class SealedCopies:
    def __init__(self, tree, status: Status = no_status) -> None:
        self._tree, self._status = tree, status

    def copies(self, attachment_ids: Sequence[str]) -> dict[str, SealedCopy]:
        """Attachment id → its sealed copy, for the receipts that have a status or a filed copy."""
        out: dict[str, SealedCopy] = {}
        for attachment in (str(a) for a in attachment_ids or []):
            status, file_id = self._status(attachment), self._file_id(attachment)
            if status or file_id:
                out[attachment] = SealedCopy(status or ("available" if file_id else None), file_id)
        return out

    def cells(self, attachment_ids: Sequence[str]) -> tuple[Links, str]:
        """(a link per filed copy, labelled like the receipts' links, the status cell)."""
        ids = [str(a) for a in attachment_ids or []]
        copies = self.copies(ids)
        items = tuple((f"Sealed copy {n}", receipt_link(copies[a].file_id))
                      for n, a in enumerate(ids, start=1) if a in copies and copies[a].file_id)
        return Links(items), probative_cells(ids, copies)[1]

    def _file_id(self, attachment_id: str) -> str | None:
        entry = self._tree.live_receipt(attachment_id, variant=PROBATIVE)    # wherever the user filed it
        return entry.id if entry is not None else None
