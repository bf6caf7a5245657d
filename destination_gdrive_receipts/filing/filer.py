"""Files one receipt into its account/period folder, from content or from the index.

Shared by the content pipeline (writer.py) and reconciliation (reconcile.py): place it (pure),
respect deleted period folders, plan against what Drive holds (pure), then make the one or two
Drive calls the plan needs.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Mapping

from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.config import Config
from destination_gdrive_receipts.filing.download import UrlExpired, UrlRefused, UrlUnavailable, download
from destination_gdrive_receipts.drive.gateway import DriveGateway, Media
from destination_gdrive_receipts.filing.folders import Folders
from destination_gdrive_receipts.drive.inventory import DriveTree, Entry, marker_value
from destination_gdrive_receipts.filing.corrections import GONE
from destination_gdrive_receipts.filing.identity import FILED_PERIOD, account_marker, filed_markers, where_filed
from destination_gdrive_receipts.filing.manifest import Manifest
from destination_gdrive_receipts.filing.planner import CREATE, SKIP, Plan, plan
from destination_gdrive_receipts.filing.variants import PROBATIVE, file_key, variant_of
from destination_gdrive_receipts.progress import Progress
from destination_gdrive_receipts.hashed_ids import HashedIds
from connector_runtime.seal_shape import seal_problem
from destination_gdrive_receipts.drive.quota import QuotaGuard

logger = logging.getLogger("airbyte")
SKIPPED_UNSEALED = "skipped_unsealed"


class IntegrityError(Exception):
    """Drive stored other bytes than the ones sent."""


class Accounts:
    """Bank account names and IBANs from the bank_accounts stream, for receipts that lack them."""

    def __init__(self) -> None:
        self._known: dict[str, Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    def add(self, record: Mapping[str, Any]) -> None:
        if record.get("id"):
            with self._lock:
                self._known[str(record["id"])] = record

    def complete(self, metadata: Mapping[str, Any]) -> dict:
        with self._lock:
            account = self._known.get(str(metadata.get("bank_account_id")), {})
        return {**metadata, "bank_account_name": metadata.get("bank_account_name") or account.get("name"),
                "iban": metadata.get("iban") or account.get("iban")}


class Filer:
    def __init__(self, *, config: Config, gateway: DriveGateway, tree: DriveTree, folders: Folders,
                 manifest: Manifest, quota: QuotaGuard, progress: Progress, accounts: Accounts) -> None:
        self._config, self._gateway, self._tree, self._folders = config, gateway, tree, folders
        self._manifest, self._quota, self._progress, self._accounts = manifest, quota, progress, accounts
        # Already counted: the index check is no "skip" for them (a hash collision: one skip not counted).
        self._filed_this_sync = HashedIds()
        # `att` markers of those files: bank corrections spare them (a collision: a file not trashed).
        self._filed_attachments = HashedIds()

    def _place(self, metadata: Mapping[str, Any]) -> tuple[dict, layout.Placement]:
        full = self._accounts.complete(metadata)
        placement = layout.place(full, period=self._config.period, timezone=self._config.timezone,
                                 file_name_template=self._config.file_name_template)
        return full, placement

    def _deleted_by_user(self, meta: Mapping[str, Any], placement: layout.Placement) -> bool:
        account = marker_value("acct", str(meta["bank_account_id"]))
        if self._manifest.skips(account, placement.period_key, meta.get("attachment_created_at")):
            self._progress.add("skipped_deleted_folder")
            return True
        return False

    def file_content(self, metadata: Mapping[str, Any], media: Media, sha256: str) -> str:
        """File a receipt whose bytes are at hand; returns the progress label."""
        meta, placement = self._place(metadata)
        if self._deleted_by_user(meta, placement):
            return "skipped_deleted_folder"
        if not self._sealed_if_probative(meta, media.file, media.size):
            return SKIPPED_UNSEALED
        account_id, attachment_id, variant = str(meta["bank_account_id"]), str(meta["attachment_id"]), variant_of(meta)
        existing = self._existing(account_id, attachment_id, variant, placement)
        stays = self._users_filing(existing, account_id)
        target = existing.parent if stays else self._folders.period(account_id, placement.account_folder_name,
                                                                     placement.period_key)
        decision = plan(existing, target, md5=media.md5, sha256=sha256, parent_is_live=self._parent_live(existing),
                        stays=stays)
        self._filed_this_sync.add(file_key(attachment_id, variant))
        self._filed_attachments.add(marker_value("att", attachment_id))
        return self._apply(decision, meta, placement, target, media, sha256, from_index=False)

    def file_index(self, record: Mapping[str, Any]) -> str:
        """Reconcile one receipt_index record: restore, move or leave alone."""
        meta, placement = self._place(record)
        if self._deleted_by_user(meta, placement):
            return "skipped_deleted_folder"
        account_id, attachment_id, variant = str(meta["bank_account_id"]), str(meta["attachment_id"]), variant_of(meta)
        live_target = self._tree.live_period(account_id, placement.period_key)
        existing = self._existing(account_id, attachment_id, variant, placement)
        in_place = existing is not None and live_target is not None and existing.parent == live_target.id
        if existing is not None and existing.live and (in_place or self._users_filing(existing, account_id)):
            if file_key(attachment_id, variant) not in self._filed_this_sync:
                self._progress.add("skipped")
            return "skipped"
        target = self._folders.period(account_id, placement.account_folder_name, placement.period_key)
        decision = plan(existing, target, md5=None, parent_is_live=self._parent_live(existing))
        if not decision.upload:
            return self._apply(decision, meta, placement, target, None, None, from_index=True)
        try:
            fetched = download(record.get("download_url", ""), expires_at=record.get("download_url_expires_at"),
                               expected_size=record.get("size"))
        except (UrlExpired, UrlRefused, UrlUnavailable) as reason:
            logger.warning("%s %s is missing in Drive but cannot be restored now (%s); the next sync retries.",
                           "Sealed copy of receipt" if variant == PROBATIVE else "Receipt", attachment_id, reason)
            self._progress.add("skipped_expired_url")
            return "skipped_expired_url"
        try:
            if not self._sealed_if_probative(meta, fetched.file, fetched.size):
                return SKIPPED_UNSEALED
            media = Media(fetched.file, fetched.size, fetched.md5, meta.get("content_type"))
            return self._apply(decision, meta, placement, target, media, fetched.sha256, from_index=True)
        finally:
            fetched.close()

    def _sealed_if_probative(self, meta: Mapping[str, Any], file: Any, size: int) -> bool:
        """A sealed copy is filed only if it is a whole signed PDF (connector_runtime/seal_shape.py);
        anything else is left out with one warning, and the next sync offers it again."""
        if variant_of(meta) != PROBATIVE:
            return True
        problem = seal_problem(file, size)
        file.seek(0)
        if problem is None:
            return True
        logger.warning("Sealed copy of receipt %s not filed: the bank served %s.", meta.get("attachment_id"), problem)
        self._progress.add(SKIPPED_UNSEALED)
        return False

    def filed_now(self) -> HashedIds:
        """The `att` markers of the attachments filed from content in this sync (either variant)."""
        return self._filed_attachments

    def _existing(self, account_id: str, attachment_id: str, variant: str, placement: layout.Placement) -> Entry | None:
        live_target = self._tree.live_period(account_id, placement.period_key)
        return self._tree.receipt(attachment_id, prefer_parent=live_target.id if live_target else None, variant=variant)

    def _users_filing(self, existing: Entry | None, account_id: str) -> bool:
        """A live file the user moved out of the period folder it was filed into stays where they put it."""
        if existing is None or not existing.live:
            return False
        return not where_filed(existing, self._tree.get(existing.parent), account_marker(account_id))

    def _parent_live(self, existing: Entry | None) -> bool:
        return existing is not None and self._tree.is_live_folder(existing.parent)

    def _apply(self, decision: Plan, meta: Mapping[str, Any], placement: layout.Placement, target: str,
               media: Media | None, sha256: str | None, *, from_index: bool) -> str:
        label = "restored" if from_index and decision.action == CREATE else decision.label
        if decision.action == SKIP:
            self._progress.add(label)
            return label
        attachment_id = str(meta["attachment_id"])
        body: dict[str, Any] = {"name": placement.file_name, "description": placement.description}
        upload = media if decision.upload else None
        if upload is not None:
            self._quota.reserve(upload.size)
            body["appProperties"] = filed_markers(self._tree.root_id, attachment_id, sha256=sha256, md5=upload.md5,
                                                  period=placement.period_key, transaction_id=meta.get("transaction_id"),
                                                  variant=variant_of(meta))
        elif decision.move_from:
            body["appProperties"] = {FILED_PERIOD: placement.period_key}
        if decision.keep_previous:
            self._keep_previous(decision.file_id, placement.file_name, attachment_id, decision.over_user_version)
        if decision.action == CREATE:
            result = self._gateway.create_file({**body, "parents": [target]}, upload)
        else:
            if decision.untrash:
                body["trashed"] = False
                body["appProperties"] = {**body.get("appProperties", {}), GONE: None}   # the bank has it again
            result = self._gateway.update(decision.file_id, body, media=upload,
                                          add_parents=target if decision.move_from else None,
                                          remove_parents=decision.move_from)
        if upload is not None and result.get("md5Checksum") not in (None, upload.md5):
            raise IntegrityError(f"Drive stored receipt {attachment_id} with MD5 {result.get('md5Checksum')}, "
                                 f"expected {upload.md5}")
        self._tree.put(Entry.from_drive(result))
        self._progress.add(label, upload.size if upload is not None else 0)
        return label

    def _keep_previous(self, file_id: str, name: str, attachment_id: str, known_user_version: bool) -> None:
        """The bank changed a receipt whose Drive file holds (or, filed by 0.2.0, may hold) a version the user
        uploaded: that version is kept for good (Drive purges earlier blob revisions after about 30 days
        unless keepForever is set); a known one is also reported."""
        head = (self._gateway.get(file_id, "headRevisionId") or {}).get("headRevisionId")
        if head:
            self._gateway.keep_revision(file_id, head)
        if known_user_version:
            logger.warning("Receipt %r (%s) changed at the bank while its Drive file held a version of yours: the "
                           "bank's version is now the current one and yours is kept in the file's version history "
                           "(Manage versions), never purged.", name, attachment_id)
