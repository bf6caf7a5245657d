"""Corrections at the bank: a filed receipt the bank no longer has goes to Drive's trash.

Learnt from this sync's `transactions` (incremental: removing an attachment, declining or reversing
a payment changes the transaction, which then comes again whole, `attachment_ids` and `status`
included). A filed receipt is gone from the bank when its transaction came declined or reversed (a
pending authorisation cancelled), or came without its attachment id. Every filed file of that
attachment goes: the original and its sealed copy (`var=probative`) alike. The trash, not a
folder: the file leaves the archive as it left the bank, is restorable for 30 days from Drive's trash, and the ledgers and the missing list (which no longer
list it) agree with what is live. Never trashed: a receipt filed or listed by the bank's index in
this same sync (the streams are read at different moments; the later word wins), nor one the user
restored from the trash after the connector trashed it (marked `gone`).

Held per transaction: 64-bit hashes in arrays (a 50,000-transaction backfill costs under 1 MB).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import DriveTree, Entry, marker_value
from destination_gdrive_receipts.filing.identity import TRANSACTION
from destination_gdrive_receipts.hashed_ids import HashedIds
from destination_gdrive_receipts.ledger.rows import is_void
from destination_gdrive_receipts.progress import Progress

logger = logging.getLogger("airbyte")
GONE = "gone"       # appProperties mark of a receipt the connector trashed for the bank


class BankCorrections:
    def __init__(self) -> None:
        # 64-bit hashes in flat arrays (HashedIds: 8 bytes each; sets of ints cost ~75).
        self._seen = HashedIds()       # transactions received in this sync
        self._kept = HashedIds()       # (transaction, attachment) pairs the bank still has
        self._declined = HashedIds()   # attachments of declined or reversed transactions (files from before `tx`)

    def add(self, transaction: Mapping[str, Any]) -> None:
        listed = transaction.get("attachment_ids")
        if not transaction.get("id") or not isinstance(listed, list):
            return      # no list (absent or null): the bank said nothing about the attachments, trash nothing
        tx = marker_value(TRANSACTION, str(transaction["id"]))
        attachments = [marker_value("att", str(a)) for a in listed]
        self._seen.add(tx)
        void = is_void(transaction)
        for attachment in attachments:
            if void:
                self._declined.add(attachment)
            else:
                self._kept.add((tx, attachment))

    def __bool__(self) -> bool:
        return bool(self._seen)

    def gone(self, markers: Mapping[str, str]) -> bool:
        """Whether this sync's transactions say the bank no longer has the filed attachment."""
        attachment, tx = markers.get("att"), markers.get(TRANSACTION)
        if tx and tx in self._seen:
            return (tx, attachment) not in self._kept
        return attachment in self._declined


def trash_gone(tree: DriveTree, gateway: DriveGateway, corrections: BankCorrections, *,
               kept: Callable[[str], bool], progress: Progress) -> int:
    """Trash every live filed receipt the bank no longer has; returns how many.

    `kept(att marker)`: the attachment was filed or listed by the bank in this sync, so it is still there.
    """
    trashed = 0
    for entry in tree.receipts():
        if entry.live and GONE not in entry.markers and not kept(entry.markers.get("att") or "") \
                and corrections.gone(entry.markers):
            _trash(tree, gateway, entry)
            progress.add("trashed")
            trashed += 1
    return trashed


def _trash(tree: DriveTree, gateway: DriveGateway, entry: Entry) -> None:
    result = gateway.update(entry.id, {"trashed": True, "appProperties": {GONE: "bank"}})
    tree.put(Entry.from_drive(result))
    logger.info("Receipt %r is no longer at the bank (attachment removed, or payment declined or reversed): moved to "
                "the Drive trash, restorable for 30 days.", entry.name)
