"""The root folder: found by its identity wherever the user put it, created only when there is none.

The root carries private markers (`kind=root`, `rootkey`); its name and place are the user's. It is
looked for twice: among the parent's child folders (a `parents` search sees a folder made a second
ago, where a property search may lag: kopia/kopia#90), then anywhere the connector can see with a
property search (a root the user moved into a folder of their own, `Comptabilité/` say; an old
root is in the search index, and a move does not change its properties). Two live roots of the
same connection are named in a warning and the older one is used: never a silent third.
"""

from __future__ import annotations

import logging

from destination_gdrive_receipts.config import Config, ServiceAccountCredentials
from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import (
    FOLDER_MIME, ROOT, Entry, has_marker, query_literal, root_key, root_markers,
)

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
TWO_ROOTS_WARNING = (
    "{count} root folders of this connection are in Drive: {listing}. Receipts are filed into the oldest, {name!r} "
    "({id}); no other root is made. A second root was most likely made by version 0.2.0 after the first one was "
    "moved into another folder: move any file of your own out of the newer one, then trash it. Receipts it holds "
    "that the oldest lacks come back there with the receipt index at this sync. See 'Your archive in Drive' in the "
    "connector's documentation.")


class ParentFolderError(Exception):
    """The configured parent folder cannot hold the root folder; the message says why."""


def is_our_root(item: dict, root_folder_name: str) -> bool:
    markers = item.get("appProperties") or {}
    return markers.get("kind") == ROOT and markers.get("rootkey") == root_key(root_folder_name)


def root_query(root_folder_name: str) -> str:
    """Every live root folder of this connection, wherever it is (a property search)."""
    return (f"{has_marker('kind', ROOT)} and {has_marker('rootkey', root_key(root_folder_name))} "
            f"and mimeType = {query_literal(FOLDER_MIME)} and trashed = false")


def find_or_create_root(gateway: DriveGateway, config: Config) -> tuple[Entry, bool]:
    """The root folder (created when missing) and whether it was created now."""
    parent = config.parent_folder_id
    if parent:
        _check_parent(gateway, parent)
    _require_shared_drive_for_service_account(gateway, config)
    q = f"{query_literal(parent or 'root')} in parents and mimeType = {query_literal(FOLDER_MIME)} and trashed = false"
    children = list(gateway.list(q, CHILD_FIELDS))
    at_top = {f["id"] for f in children}
    found = {f["id"]: f for f in children if is_our_root(f, config.root_folder_name)}
    found.update({f["id"]: f for f in gateway.list(root_query(config.root_folder_name), CHILD_FIELDS)
                  if is_our_root(f, config.root_folder_name)})
    ours = sorted((Entry.from_drive(f) for f in found.values()), key=lambda e: (e.created, e.id))
    if len(ours) > 1:
        logger.warning(two_roots_warning(ours, at_top))
    if ours:
        return ours[0], False
    for foreign in (f for f in children if f.get("name", "").casefold() == config.root_folder_name.casefold()):
        logger.warning(FOREIGN_ROOT_WARNING.format(name=foreign.get("name"), id=foreign.get("id")))
    created = gateway.create_folder(config.root_folder_name, parent, root_markers(config.root_folder_name))
    return Entry.from_drive(created), True


def two_roots_warning(roots: list[Entry], at_top: set[str]) -> str:
    """Names every live root, where it is and when it was made; the first (oldest) is the one used."""
    def where(entry: Entry) -> str:
        return "in the parent folder" if entry.id in at_top else "moved into another folder"

    listing = "; ".join(f"{e.name!r} ({e.id}, made {e.created[:10] or 'at an unknown date'}, {where(e)})"
                        for e in roots)
    return TWO_ROOTS_WARNING.format(count=len(roots), listing=listing, name=roots[0].name, id=roots[0].id)


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
