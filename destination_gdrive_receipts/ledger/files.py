"""Ledger files in Drive: found in the tree listing by their markers; plain CSV ones read and written.

A plain CSV ledger (`ledger: csv`) is an ordinary file, uploaded without conversion and read with
alt=media. Google Sheets ledgers are written through the Sheets API (sheet_book.py): a CSV converted
by Drive is parsed in the account's locale and replaced whole by an update (BEHAVIOR.md).
"""

from __future__ import annotations

import hashlib
import io
import threading
from typing import Any, Mapping


from destination_gdrive_receipts.drive.gateway import DriveGateway, Media
from destination_gdrive_receipts.drive.inventory import RECEIPT, DriveTree, Entry
from destination_gdrive_receipts.hashed_ids import HashedIds

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
CSV_MIME = "text/csv"
LEDGER, MISSING_LIST = "ledger", "missing"
SHEET, CSV, OFF = "sheet", "csv", "off"


class WatchedTree(DriveTree):
    """The tree, also indexing ledger files and noting the folders whose receipts changed this sync.

    A receipt restored with a new file id changes the link in its ledger even when its transaction
    did not change, so its period is rewritten too.
    """

    def __init__(self, root_id: str, entries=()) -> None:
        self.receipt_folders_changed: set[str] = set()
        # "att" markers of the receipts put or moved this sync (a hash collision: one more row relinked)
        self.receipts_changed = HashedIds()
        self._watching = False
        self._changes_lock = threading.Lock()
        super().__init__(root_id, entries)
        self.periods_at_open = frozenset(e.id for e in self.periods())   # folders that predate this sync
        self._watching = True

    @staticmethod
    def _keys(entry: Entry) -> list[tuple]:
        if entry.kind in (LEDGER, MISSING_LIST):
            return [(entry.kind,)]
        return DriveTree._keys(entry)

    def put(self, entry: Entry) -> Entry:
        if self._watching and entry.kind == RECEIPT:
            old = self.get(entry.id)
            if old is None or (old.parent, old.live) != (entry.parent, entry.live):
                with self._changes_lock:
                    self.receipt_folders_changed.update(p for p in (entry.parent, old.parent if old else None) if p)
                    self.receipts_changed.add(entry.markers.get("att", ""))
        return super().put(entry)

    def of_kind(self, kind: str) -> list[Entry]:
        return self._select(kind)


def ledger_name(period: str, fmt: str) -> str:
    # After the receipts ("2025-03-14 …") in a folder sorted by name: letters sort after digits.
    return f"Ledger {period}" + (".csv" if fmt == CSV else "")


def read_rows(gateway: DriveGateway, entry: Entry) -> bytes:
    """The bytes of a plain CSV ledger."""
    return gateway.download(entry.id)


def write(gateway: DriveGateway, tree: DriveTree, *, existing: Entry | None, parent: str, name: str, fmt: str,
          markers: Mapping[str, Any], data: bytes, description: str) -> Entry:
    """Create the CSV file in `parent`, or replace the content of `existing` (untrashed if needed): one write."""
    body: dict[str, Any] = {"name": name, "appProperties": dict(markers), "description": description}
    if existing is None:
        return _create(gateway, tree, body, parent=parent, fmt=fmt, data=data)
    if not existing.live:
        body["trashed"] = False
    return tree.put(Entry.from_drive(gateway.update(existing.id, body, media=_media(data))))


def _create(gateway: DriveGateway, tree: DriveTree, body: dict[str, Any], *, parent: str, fmt: str,
            data: bytes) -> Entry:
    body = {**body, "parents": [parent], "mimeType": CSV_MIME,
            "appProperties": {k: v for k, v in body["appProperties"].items() if v is not None}}
    return tree.put(Entry.from_drive(gateway.create_file(body, _media(data))))


def _media(data: bytes) -> Media:
    return Media(io.BytesIO(data), len(data), hashlib.md5(data).hexdigest(), CSV_MIME)


def trash(gateway: DriveGateway, tree: DriveTree, entry: Entry) -> None:
    tree.put(Entry.from_drive(gateway.update(entry.id, {"trashed": True})))


def untrash(gateway: DriveGateway, tree: DriveTree, entry: Entry) -> None:
    tree.put(Entry.from_drive(gateway.update(entry.id, {"trashed": False})))
