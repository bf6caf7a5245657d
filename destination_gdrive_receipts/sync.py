"""One write run: routes records, opens Drive only when a receipt needs it, checkpoints, reconciles.

Opening Drive = find (or create) the root folder, list the whole tree once, read the manifest,
notice period folders the user deleted and whether this sync is a reset. A sync without receipts
touches Drive not at all (unless it may truncate receipts: a clear-data job has no records); a
sync without anything new reads but never writes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Mapping

from airbyte_cdk.models import AirbyteStateMessage, ConfiguredAirbyteCatalog, FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from destination_gdrive_receipts.config import Config, ServiceAccountCredentials
from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.service import DriveServices
from destination_gdrive_receipts.filing.corrections import BankCorrections, trash_gone
from destination_gdrive_receipts.filing.filer import Accounts, Filer
from destination_gdrive_receipts.filing.layout import account_folder_name
from destination_gdrive_receipts.filing.folders import Folders
from destination_gdrive_receipts.filing.root import find_or_create_root
from destination_gdrive_receipts.filing.index_buffer import IndexBuffer
from destination_gdrive_receipts.drive.inventory import DriveTree, Entry, has_marker
from destination_gdrive_receipts.filing.manifest import Manifest, ManifestStore, utc_now
from destination_gdrive_receipts.progress import Progress
from destination_gdrive_receipts.drive.quota import QuotaGuard
from destination_gdrive_receipts.drive.rate_limit import TokenBucket
from destination_gdrive_receipts.filing.reconcile import reconcile
from destination_gdrive_receipts.drive.sharing import apply_shares
from destination_gdrive_receipts.filing.writer import ReceiptWriter
from destination_gdrive_receipts.ledger.files import WatchedTree
from destination_gdrive_receipts.ledger.hooks import TRANSACTIONS, Ledgers
from destination_gdrive_receipts.platform import meaning
from destination_gdrive_receipts.routing import ACCOUNTS, INDEX, RECEIPTS, RoutingError, route

logger = logging.getLogger("airbyte")


def catalog_routing(catalog: ConfiguredAirbyteCatalog):
    """The catalog's streams by contract role; a catalog without receipts streams is a config error."""
    try:
        return route((s.stream.name, s.stream.json_schema) for s in catalog.streams)
    except RoutingError as error:
        raise AirbyteTracedException(message=str(error), internal_message=f"RoutingError: {error}",
                                     failure_type=FailureType.config_error) from None


def open_gateway(config: Config, *, read_retries: int | None = None) -> DriveGateway:
    """read_retries: fewer for check, which must answer quickly when Drive is unreachable."""
    extra = {} if read_retries is None else {"read_retries": read_retries}
    return DriveGateway(DriveServices(config), TokenBucket(config.writes_per_second), **extra)


class Sync:
    def __init__(self, config: Config, catalog: ConfiguredAirbyteCatalog) -> None:
        self.config = config
        self.routing = catalog_routing(catalog)
        self._job = meaning(catalog, self.routing)
        self.progress, self.accounts, self.index = Progress(), Accounts(), IndexBuffer()
        self.corrections = BankCorrections()
        self.ledgers = Ledgers(config, catalog, self.routing.role)
        self.writer = ReceiptWriter(self.filer)
        self._filer: Filer | None = None
        self._open_failure: Exception | None = None
        self._open_lock = threading.Lock()
        self._manifest_dirty = False
        self._drive_done = False      # the sync is over with Drive but the manifest (see _let_go_of_the_tree)

    @property
    def service_account(self) -> bool:
        return isinstance(self.config.credentials, ServiceAccountCredentials)

    @property
    def holds_index(self) -> bool:
        return bool(self.index)

    def waits_for_reconciliation(self, state: AirbyteStateMessage, held: list[AirbyteStateMessage]) -> bool:
        """Whether a STATE must wait until the index is reconciled at the end of input.

        receipt_index's own state confirms the reconciliation, so it waits. Other streams' states only
        need their records in Drive: echoing them at once keeps a long backfill resumable. A state
        without a stream (legacy or global) covers everything, so it waits while index records are
        pending, and every state after a waiting one of those waits too, to keep the order.
        """
        stream = self.routing.role(state.stream.stream_descriptor.name) if state.stream else None
        if stream == INDEX or any(h.stream is None for h in held):
            return True
        if stream == TRANSACTIONS:
            return True     # the ledgers and the bank's corrections are written at the end
        return stream is None and (self.holds_index or self.ledgers.holds or bool(self.corrections))

    def record(self, stream: str, data: Mapping[str, Any]) -> None:
        stream = self.routing.role(stream)   # the platform's stream prefix is on every RECORD too
        if stream == RECEIPTS:
            self.writer.add(data)
        elif stream == INDEX:
            self.index.add(data)
        elif stream == ACCOUNTS:
            self.accounts.add(data)
        elif stream == TRANSACTIONS:
            self.corrections.add(data)
            self.ledgers.add(data)
        # transactions and anything else: accepted, nothing to file

    def checkpoint(self) -> None:
        """Everything received so far is in Drive once this returns.

        The manifest waits for the end of the sync: what it learns from new folders is learned again
        from the tree listing if the sync stops early, so saving it at every STATE would only cost writes.
        """
        self.writer.flush()

    def finish(self) -> None:
        if self._job.may_reset:
            # A "clear data" job carries no records: open Drive anyway, or its reset would never happen.
            self.filer()
        self.writer.flush()
        incomplete = self.writer.incomplete()
        if incomplete:
            logger.warning("Input ended inside %d receipt(s) (%s); they were not uploaded and come again next sync.",
                           len(incomplete), ", ".join(incomplete[:5]))
        if self.holds_index:
            reconcile(self.index, self.filer(), self.writer)
        self.writer.stop_uploading()
        ledgers_due = self.ledgers.due(drive_open=self._filer is not None)
        if self.corrections and (ledgers_due or self._filer is not None):
            self._apply_corrections()     # before the ledgers: they link only what is live
        if ledgers_due:
            self._write_ledgers()
        if self._filer is not None:
            # After filing, once: a refusal is a warning and can no longer keep a receipt out.
            apply_shares(self._gateway, self._tree.root_id, self.config.share_with)
            self._let_go_of_the_tree()
        self._save_manifest()
        if self.ledgers.report is not None:     # its own line: the Summary line's counters stay parseable
            logger.info("Ledgers: %s", self.ledgers.report.line())
        logger.info("Summary: %s, %d Drive write requests", self.progress.line(), self._writes())

    def save_after_failure(self) -> None:
        """Best effort: keep deletions observed by a sync that stops early."""
        try:
            self.writer.flush()
        except Exception:  # the original failure is what the user needs to see
            pass
        try:
            self._save_manifest()
        except Exception as error:
            logger.warning("The manifest could not be saved (%s); the next sync rebuilds it.", type(error).__name__)

    def close(self) -> None:
        self.writer.close()
        self.index.close()
        self.ledgers.close()

    def _apply_corrections(self) -> None:
        filer = self.filer()
        filed, listed = filer.filed_now(), self.index
        trash_gone(self._tree, self._gateway, self.corrections, progress=self.progress,
                   kept=lambda att: att in filed or listed.lists(att))

    def _write_ledgers(self) -> None:
        self.filer()
        folders = Folders(self._gateway, self._tree, self._manifest, self._mark_dirty)
        self.ledgers.write(gateway=self._gateway, tree=self._tree, folders=folders, manifest=self._manifest,
                           account_name=self._account_folder_name, probative_status=self.index.probative_status)

    def _account_folder_name(self, account_id: str) -> str:
        full = self.accounts.complete({"bank_account_id": account_id})
        return account_folder_name(full.get("bank_account_name"), full.get("iban"), account_id)

    # ---- opening Drive -------------------------------------------------------------------------
    def filer(self) -> Filer:
        with self._open_lock:
            if self._open_failure is not None:
                raise self._open_failure      # once per sync, not once per receipt waiting in the queue
            if self._drive_done:
                raise RuntimeError("Drive was let go of at the end of the sync")
            if self._filer is None:
                try:
                    self._filer = self._open()
                except Exception as error:
                    self._open_failure = error
                    raise
            return self._filer

    def _open(self) -> Filer:
        gateway = self._gateway = open_gateway(self.config)
        root, created = find_or_create_root(gateway, self.config)
        self._root_id = root.id
        entries = [] if created else [Entry.from_drive(f) for f in gateway.list(has_marker("root", root.id))]
        self._store = ManifestStore(gateway, root.id)
        manifest = self._manifest = Manifest() if created else self._store.load()
        entries += self._recent_missing(gateway, manifest, root.id, {e.id for e in entries})
        tree = self._tree = WatchedTree(root.id, entries)   # also indexes ledger files
        self._manifest_dirty = self._prepare_manifest(manifest, tree)
        logger.info("Drive root folder %s (%s): %d receipts and %d period folders known, %d deleted period "
                    "folders remembered", root.name, root.id, sum(1 for e in entries if e.kind == "receipt"),
                    len(tree.periods()), len(manifest.deleted))
        quota = QuotaGuard(gateway.about, shared_drive=bool(gateway.drive_id))
        folders = Folders(gateway, tree, manifest, self._mark_dirty)
        return Filer(config=self.config, gateway=gateway, tree=tree, folders=folders, manifest=manifest,
                     quota=quota, progress=self.progress, accounts=self.accounts)

    @staticmethod
    def _recent_missing(gateway: DriveGateway, manifest: Manifest, root_id: str, listed: set[str]) -> list[Entry]:
        """Items made by recent syncs that the property search does not show yet, fetched by id.

        Drive's search can lag its writes (kopia/kopia#90); files.get by id cannot. Without this a
        rerun right after a sync would upload its receipts a second time.
        """
        found = []
        for file_id in sorted(manifest.recent - listed):
            item = gateway.get(file_id)
            if item is not None and (item.get("appProperties") or {}).get("root") == root_id:
                found.append(Entry.from_drive(item))
        manifest.settle_recent(listed, {e.id for e in found})
        if found:
            logger.info("%d item(s) made by a recent sync are not in Drive's search results yet; read them by id.",
                        len(found))
        return found

    @staticmethod
    def _learn_writes(manifest: Manifest, gateway: DriveGateway, root_id: str) -> bool:
        """What this sync's writes teach the manifest: the items it made (read by id while the search
        lags) and when it last filed into each period folder (the deletion cut-off in My Drive)."""
        made = [i for i in gateway.created if i != root_id]     # the root is found through its parent
        gateway.created.clear()
        changed = bool(made)
        manifest.recent.update(made)
        for folder_id, when in list(gateway.filed_into.items()):
            changed |= manifest.filing_into(folder_id, when)
        return changed

    def _prepare_manifest(self, manifest: Manifest, tree: DriveTree) -> bool:
        before = {(d.account_id, d.period) for d in manifest.deleted}
        changed = manifest.observe(tree.periods(), utc_now())
        for deletion in manifest.deleted:
            if (deletion.account_id, deletion.period) not in before:
                logger.info("Period folder %s was deleted in Drive: its existing receipts stay out, newer ones "
                            "recreate it.", deletion.period)
        last_generation = manifest.generation
        changed |= manifest.set_generation(self._job.receipts_generation)
        if self._job.resets(last_generation) and manifest.reset():
            logger.info("Reset (%s): deleted period folders are forgotten, every receipt comes back.", self._job.reason)
            changed = True
        return changed

    def _let_go_of_the_tree(self) -> None:
        """Filing, corrections, ledgers and shares are done: the tree (~1 KB a receipt) is not needed any
        more. Freed before the manifest is written, its memory takes the manifest's upload (a list of
        every item made by a large backfill), which otherwise raised the sync's peak by ~10 MB."""
        self._filer = self._tree = None
        self._drive_done = True

    def _mark_dirty(self) -> None:
        self._manifest_dirty = True

    def _save_manifest(self) -> None:
        if self._drive_open:
            self._manifest_dirty |= self._learn_writes(self._manifest, self._gateway, self._root_id)
        if self._drive_open and self._manifest_dirty:
            self._manifest_dirty = False
            self._store.save(self._manifest)

    @property
    def _drive_open(self) -> bool:
        return self._filer is not None or self._drive_done

    def _writes(self) -> int:
        return self._gateway.writes if self._drive_open else 0

