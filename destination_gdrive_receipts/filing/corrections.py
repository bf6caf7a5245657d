"""Corrections at the bank: a filed receipt the bank no longer has goes to Drive's trash.

Learnt from this sync's `transactions` (incremental: removing an attachment or declining a payment
changes the transaction, which then comes again whole, `attachment_ids` and `status` included). A
filed receipt is gone from the bank when its transaction came declined, or came without its
attachment id. The trash, not a folder: the file leaves the archive as it left the bank, is
restorable for 30 days from Drive's trash, and the ledgers and the missing list (which no longer
list it) agree with what is live. Never trashed: a receipt filed or listed by the bank's index in
this same sync (the streams are read at different moments; the later word wins), nor one the user
restored from the trash after the connector trashed it (marked `gone`).

Held per transaction: hashes only (a 50,000-transaction backfill costs a few MB).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import DriveTree, Entry, marker_value
from destination_gdrive_receipts.filing.identity import TRANSACTION
from destination_gdrive_receipts.progress import Progress

logger = logging.getLogger("airbyte")
GONE = "gone"       # appProperties mark of a receipt the connector trashed for the bank


class BankCorrections:
    def __init__(self) -> None:
        self._seen: set[int] = set()       # transactions received in this sync
        self._kept: set[int] = set()       # (transaction, attachment) pairs the bank still has
        self._declined: set[int] = set()   # attachments of declined transactions (files from before `tx`)

    def add(self, transaction: Mapping[str, Any]) -> None:
        listed = transaction.get("attachment_ids")
        if not transaction.get("id") or not isinstance(listed, list):
            return      # no list (absent or null): the bank said nothing about the attachments, trash nothing
        tx = marker_value(TRANSACTION, str(transaction["id"]))
        attachments = [marker_value("att", str(a)) for a in listed]
        self._seen.add(hash(tx))
        if str(transaction.get("status") or "").lower() == "declined":
            self._declined.update(hash(a) for a in attachments)
        else:
            self._kept.update(hash((tx, a)) for a in attachments)

    def __bool__(self) -> bool:
        return bool(self._seen)

    def gone(self, markers: Mapping[str, str]) -> bool:
        """Whether this sync's transactions say the bank no longer has the filed attachment."""
        attachment, tx = markers.get("att"), markers.get(TRANSACTION)
        if tx and hash(tx) in self._seen:
            return hash((tx, attachment)) not in self._kept
        return hash(attachment) in self._declined


def trash_gone(tree: DriveTree, gateway: DriveGateway, corrections: BankCorrections, *,
               kept_attachments: Iterable[str], progress: Progress) -> int:
    """Trash every live filed receipt the bank no longer has; returns how many."""
    kept = {marker_value("att", a) for a in kept_attachments}
    trashed = 0
    for entry in tree.receipts():
        if entry.live and GONE not in entry.markers and entry.markers.get("att") not in kept \
                and corrections.gone(entry.markers):
            _trash(tree, gateway, entry)
            progress.add("trashed")
            trashed += 1
    return trashed


def _trash(tree: DriveTree, gateway: DriveGateway, entry: Entry) -> None:
    result = gateway.update(entry.id, {"trashed": True, "appProperties": {GONE: "bank"}})
    tree.put(Entry.from_drive(result))
    logger.info("Receipt %r is no longer at the bank (attachment removed, or payment declined): moved to the Drive "
                "trash, restorable for 30 days.", entry.name)
