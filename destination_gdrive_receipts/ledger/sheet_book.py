"""Ledgers and the missing list as Google Sheets written through the Sheets API (`ledger: sheet`).

A Sheet is made with Drive's files.create (in its folder, with the connector's markers in
appProperties; marker `v` = 2 tells it from a 0.2.0 ledger, a converted CSV), then filled with one
Sheets batchUpdate. Later syncs merge the changed rows (sheet_table.py). A 0.2.0 ledger is never
read: its numbers and dates were parsed in the account's locale and may be wrong. The first time
its period is touched, a new Sheet is made from the bank's data in this sync and the old one goes
to the trash. The source re-reads every transaction once when given a state written by 0.2.0
(source_bank_receipts/state_format.py), so that first sync touches every period with all its rows.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any, Callable, Mapping

from googleapiclient.errors import HttpError

from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import Entry, marker_value
from destination_gdrive_receipts.drive.sheets import SheetsClient
from destination_gdrive_receipts.ledger import files, missing
from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, MISSING_COLUMNS, Facts, Links
from destination_gdrive_receipts.ledger.lazy_rows import LazyRows
from destination_gdrive_receipts.ledger.probative import SealedCopies
from destination_gdrive_receipts.ledger.rows import folder_link, receipt_link, sort_stamp
from destination_gdrive_receipts.ledger.plan import Filing
from destination_gdrive_receipts.ledger.sheet_table import Outcome, SheetTable
from destination_gdrive_receipts.ledger.typed import TypedRow, build

logger = logging.getLogger("airbyte")
FORMAT_VERSION = "2"
LEDGER_TAB, MISSING_TAB = "Ledger", "Missing receipts"


class TooLargeError(Exception):
    """Sheets refused a ledger's cells (a spreadsheet holds at most 10 million cells)."""


def is_current(entry: Entry) -> bool:
    """A Sheet written through the Sheets API (not a 0.2.0 converted CSV)."""
    return entry.markers.get("fmt") == files.SHEET and entry.markers.get("v") == FORMAT_VERSION


class SheetLedgers:
    def __init__(self, gateway: DriveGateway, tree: files.WatchedTree, client_factory: Callable[[], SheetsClient], *,
                 locale: str, time_zone: str) -> None:
        self._gateway, self._tree, self._factory = gateway, tree, client_factory
        self._client: SheetsClient | None = None
        self._locale, self._time_zone = locale, time_zone
        self.upgraded = 0
        self.sealed = SealedCopies(tree)     # the sync's receipt_index statuses are given by the ledger book
        self._folder_links: dict[tuple[str, str | None], Any] = {}

    @property
    def client(self) -> SheetsClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def ledger_table(self) -> SheetTable:
        return self._table(LEDGER_COLUMNS, "ledger", LEDGER_TAB)

    def retire(self, entry: Entry, kind: str) -> None:
        self._tree.put(Entry.from_drive(self._gateway.update(entry.id, {"appProperties": {"kind": kind}})))

    def _table(self, columns, tab_key: str, title: str) -> SheetTable:
        return SheetTable(self.client, columns, tab_key=tab_key, tab_title=title, locale=self._locale,
                          time_zone=self._time_zone)

    # ---- rows
    def receipt_links(self, attachment_ids) -> Links:
        """A link per receipt still live in Drive wherever it is (its period folder, or where the user filed it),
        labelled by its place among the transaction's."""
        items = []
        for n, attachment in enumerate(attachment_ids or [], start=1):
            entry = self._tree.live_receipt(str(attachment))
            if entry is not None:
                items.append((f"Receipt {n}", receipt_link(entry.id)))
        return Links(tuple(items))

    def file_links(self, attachment_ids) -> dict[str, Any]:
        """The cells that link to a transaction's files, by column key: its receipts and sealed copies."""
        sealed, status = self.sealed.cells(attachment_ids)
        return {"receipts": self.receipt_links(attachment_ids), "probative_copy": sealed, "probative_status": status}

    def _relinker(self, which: str):
        """"all": every row's links are rebuilt; "changed": rows with a receipt (or its sealed copy) put or
        moved this sync."""
        if which == "all":
            return self.file_links
        if which == "changed":
            changed = self._tree.receipts_changed
            return lambda ids: (self.file_links(ids) if any(marker_value("att", i) in changed for i in ids)
                                else None)
        return None

    def ledger_row(self, transaction: Mapping[str, Any], day) -> TypedRow:
        links = self.file_links(transaction.get("attachment_ids"))
        return build(LEDGER_COLUMNS, Facts(transaction, day, receipts=links["receipts"], sealed=links["probative_copy"],
                                           sealed_status=links["probative_status"]))

    def missing_row(self, transaction: Mapping[str, Any], day, *, account: str, period: str, folder_id: str | None
                    ) -> TypedRow:
        folder = self._folder_links.get((period, folder_id))
        if folder is None:      # one per period folder, shared by its rows
            folder = self._folder_links[(period, folder_id)] = (
                Links(((period, folder_link(folder_id)),)) if folder_id else f"{period} (folder deleted in Drive)")
        return build(MISSING_COLUMNS, Facts(transaction, day, account=account, period=period, folder=folder))

    # ---- one file
    def write(self, *, target: Entry | None, parent: str, name: str, markers: Mapping[str, Any], description: str,
              upserts: Mapping[str, TypedRow], removals, rebuild: bool, missing_list: bool = False,
              read_keys=(), relink: str = "") -> tuple[Entry | None, Outcome, bool]:
        """(the file, what the merge found, whether anything was written)."""
        columns, tab, title = ((MISSING_COLUMNS, "missing", MISSING_TAB) if missing_list
                               else (LEDGER_COLUMNS, "ledger", LEDGER_TAB))
        table = self._table(columns, tab, title)
        markers = {**markers, "v": FORMAT_VERSION}
        try:
            if target is None:
                if not upserts:
                    return None, Outcome(), False
                body = {"name": name, "parents": [parent], "mimeType": files.SHEET_MIME, "description": description,
                        "appProperties": {k: v for k, v in markers.items() if v is not None}}
                entry = self._tree.put(Entry.from_drive(self._gateway.create_file(body, None)))
                read = lambda r: tuple(r.values[_key_index(columns, k)] for k in read_keys)  # noqa: E731
                if isinstance(upserts, LazyRows):
                    tally: Counter = Counter()
                    table.fill_new(entry.id, upserts.in_order(lambda t, r: tally.update((read(r),))))
                    return entry, Outcome(tally=tally), True
                table.fill_new(entry.id, sorted(upserts.values(), key=lambda r: (r.sort_key, r.transaction_id)))
                return entry, Outcome(values={t: read(r) for t, r in upserts.items()}), True
            written = False
            if not target.live:
                files.untrash(self._gateway, self._tree, target)
                written = True
            outcome = table.merge(target.id, upserts, removals, rebuild=rebuild, read_keys=read_keys,
                                  relink=self._relinker(relink))
            return target, outcome, written or outcome.writes > 0
        except HttpError as error:
            if error.resp.status == 400:
                raise TooLargeError(f"{name}: {_message(error)}") from error
            raise


    def move_into(self, entry: Entry, folder_id: str) -> Entry:
        """A ledger left in another folder of its period (one the user trashed) comes into the live one."""
        body = {"trashed": False} if entry.explicitly_trashed else {}
        moved = self._gateway.update(entry.id, body, add_parents=folder_id, remove_parents=entry.parent)
        return self._tree.put(Entry.from_drive(moved))

    # ---- the missing list
    def write_missing(self, entry: Entry | None, filed: Filing, buffer: Any, report: Any, *,
                      reset: bool, description: str) -> None:
        def row(kept: Any) -> TypedRow:
            where = filed.locate(kept)
            transaction = buffer.at(kept)
            folder = self._tree.live_period(str(transaction["bank_account_id"]), where.period)
            return self.missing_row(transaction, where.day, account=where.account_name, period=where.period,
                                    folder_id=folder.id if folder else None)

        # A new list's rows are built batch by batch as they are sent; a merge compares them all first.
        upserts: Mapping[str, TypedRow] = LazyRows(filed.missing_kept(), row,
                                                   order_key=lambda kept: sort_stamp(buffer.at(kept)),
                                                   id_of=lambda kept: str(buffer.at(kept)["id"]))
        target = entry if entry is not None and is_current(entry) else None
        removals: list[str] = []      # a new list has no row to remove
        if target is not None:
            removals = [tx_id for tx_id in buffer.keys() if tx_id not in upserts]
            upserts = dict(upserts.items())
        markers: dict[str, Any] = {"kind": files.MISSING_LIST, "root": self._tree.root_id, "fmt": files.SHEET}
        try:
            made, outcome, written = self.write(
                target=target, parent=self._tree.root_id, name=missing.NAME, markers=markers, description=description,
                upserts=upserts, removals=removals, rebuild=reset, missing_list=True, read_keys=("account",))
        except TooLargeError as error:
            logger.warning("The Missing receipts list could not be written: %s.", error)
            return
        counts = missing.count_accounts(str(v[0]) for v in outcome.read_values())
        report.missing_counts = counts
        if made is not None:
            count_markers = missing.count_markers(counts, made)
            if any(made.markers.get(k) != v for k, v in count_markers.items()):
                self._tree.put(Entry.from_drive(self._gateway.update(made.id, {"appProperties": count_markers})))
                written = True
        report.missing_written = written
        if entry is not None and entry is not target and entry.live and made is not None:
            files.trash(self._gateway, self._tree, entry)      # a 0.2.0 list or a CSV one: replaced


def _key_index(columns, key: str) -> int:
    return next(i for i, c in enumerate(columns) if c.key == key)


def _message(error: HttpError) -> str:
    try:
        return str(error.error_details or error.reason)[:300]
    except Exception:
        return str(error.resp.status)
