"""Account and period folders: found by their markers, created once.

Drive happily makes two folders with the same name, so find-or-create runs under one lock and
remembers what it made; creates use reserved ids, so a retried create cannot duplicate either.
The root folder is found in root.py (re-exported here for older imports).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import DriveTree, Entry, account_markers, marker_value, period_markers
from destination_gdrive_receipts.filing.manifest import Manifest

logger = logging.getLogger("airbyte")


class Folders:
    """Account and period folders below the root, found in the tree or created (serialized)."""

    def __init__(self, gateway: DriveGateway, tree: DriveTree, manifest: Manifest,
                 on_manifest_change: Callable[[], None]) -> None:
        self._gateway, self._tree, self._manifest = gateway, tree, manifest
        self._changed = on_manifest_change
        self._lock = threading.Lock()

    def account(self, account_id: str, name: str) -> str:
        with self._lock:
            return self._account(account_id, name)

    def _account(self, account_id: str, name: str) -> str:
        existing = self._tree.live_account(account_id)
        if existing:
            return existing.id
        created = self._gateway.create_folder(name, self._tree.root_id, account_markers(self._tree.root_id, account_id))
        return self._tree.put(Entry.from_drive(created)).id

    def period(self, account_id: str, account_name: str, period: str) -> str:
        with self._lock:
            existing = self._tree.live_period(account_id, period)
            if existing:
                return existing.id
            parent = self._account(account_id, account_name)
            markers = period_markers(self._tree.root_id, account_id, period)
            folder = self._tree.put(Entry.from_drive(self._gateway.create_folder(period, parent, markers)))
            if self._manifest.remember(folder.id, marker_value("acct", account_id), period):
                self._changed()
            return folder.id
