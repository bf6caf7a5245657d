"""Root, account and period folders: found by their markers, created once.

Drive happily makes two folders with the same name, so find-or-create runs under one lock and
remembers what it made; creates use reserved ids, so a retried create cannot duplicate either.
The root is looked for among the parent's child folders: a `parents` search sees a folder made a
second ago, a name or appProperties search may not (kopia/kopia#90), and a missed root means a
second archive.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from destination_gdrive_receipts.config import Config, ServiceAccountCredentials
from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import (
    FOLDER_MIME, DriveTree, Entry, account_markers, marker_value, period_markers, query_literal, root_key,
    root_markers,
)
from destination_gdrive_receipts.filing.manifest import Manifest

logger = logging.getLogger("airbyte")

SERVICE_ACCOUNT_HINT = ("Service accounts have no Drive storage of their own: set Parent folder ID to a shared drive "
                        "(or a folder in one) where the service account is a Content manager, or sign in with OAuth.")

PARENT_FIELDS = "id,name,mimeType,trashed,driveId,capabilities(canAddChildren)"
CHILD_FIELDS = "nextPageToken,files(id,name,mimeType,parents,appProperties,trashed,createdTime,driveId)"
FOREIGN_ROOT_WARNING = (
    "A folder named {name!r} ({id}) is in the parent folder but was not made by this connector's sign-in (OAuth "
    "client): it is left alone and a new root folder is used. Drive ties the drive.file access and the "
    "connector's markers to the OAuth client: keep using the client that made the archive, or move the receipts "
    "by hand. See the troubleshooting section of the connector's documentation.")


class ParentFolderError(Exception):
    """The configured parent folder cannot hold the root folder; the message says why."""


def is_our_root(item: dict, root_folder_name: str) -> bool:
    markers = item.get("appProperties") or {}
    return markers.get("kind") == "root" and markers.get("rootkey") == root_key(root_folder_name)


def find_or_create_root(gateway: DriveGateway, config: Config) -> tuple[Entry, bool]:
    """The root folder (created when missing) and whether it was created now."""
    parent = config.parent_folder_id
    if parent:
        _check_parent(gateway, parent)
    _require_shared_drive_for_service_account(gateway, config)
    q = f"{query_literal(parent or 'root')} in parents and mimeType = {query_literal(FOLDER_MIME)} and trashed = false"
    children = list(gateway.list(q, CHILD_FIELDS))
    ours = sorted((Entry.from_drive(f) for f in children if is_our_root(f, config.root_folder_name)),
                  key=lambda e: (e.created, e.id))
    if ours:
        return ours[0], False
    for foreign in (f for f in children if f.get("name", "").casefold() == config.root_folder_name.casefold()):
        logger.warning(FOREIGN_ROOT_WARNING.format(name=foreign.get("name"), id=foreign.get("id")))
    created = gateway.create_folder(config.root_folder_name, parent, root_markers(config.root_folder_name))
    return Entry.from_drive(created), True


def _check_parent(gateway: DriveGateway, parent_id: str) -> None:
    folder = gateway.get(parent_id, PARENT_FIELDS)
    if folder is None:
        raise ParentFolderError(
            f"Parent folder {parent_id} was not found or is not visible to this connector. With the drive.file "
            "scope the connector sees only what it created and shared drives it is a member of: use the ID of a "
            "shared drive (or a folder in it) that the account can edit, or leave the parent empty.")
    if folder.get("trashed"):
        raise ParentFolderError(f"Parent folder {parent_id} is in the trash: restore it or choose another one.")
    if folder.get("mimeType") != FOLDER_MIME:
        raise ParentFolderError(f"Parent folder ID {parent_id} points to a file, not a folder.")
    if folder.get("capabilities", {}).get("canAddChildren") is False:
        raise ParentFolderError(f"The account may not add files to parent folder {parent_id}: ask for edit access.")
    gateway.drive_id = folder.get("driveId") or None


def _require_shared_drive_for_service_account(gateway: DriveGateway, config: Config) -> None:
    # Checked before the root folder is made: a service account could create it in its own My Drive
    # (folders cost no storage) but no receipt would ever fit, and nobody would see the folder.
    if not isinstance(config.credentials, ServiceAccountCredentials) or gateway.drive_id:
        return
    where = (f"Parent folder {config.parent_folder_id} is not in a shared drive" if config.parent_folder_id
             else "No parent folder is set")
    raise ParentFolderError(f"{where}: {SERVICE_ACCOUNT_HINT[0].lower()}{SERVICE_ACCOUNT_HINT[1:]}")


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
