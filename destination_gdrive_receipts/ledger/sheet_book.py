"""Ledgers and the missing list as Google Sheets written through the Sheets API (`ledger: sheet`).

A Sheet is made with Drive's files.create (in its folder, with the connector's markers in
appProperties; marker `v` = 2 tells it from a 0.2.0 ledger, a converted CSV), then filled with one
Sheets batchUpdate. Later syncs merge the changed rows (sheet_table.py). A 0.2.0 ledger is never
read: its numbers and dates were parsed in the account's locale and may be wrong. The first time
its period is touched, a new Sheet is made from the bank's data in this sync and the old one goes
to the trash; a refresh of the transactions stream rebuilds every period at once.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

from googleapiclient.errors import HttpError

from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.drive.sheets import SheetsClient
from destination_gdrive_receipts.ledger import files
from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, MISSING_COLUMNS, Facts, Links
from destination_gdrive_receipts.ledger.rows import folder_link, receipt_link
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

    @property
    def client(self) -> SheetsClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def _table(self, columns, tab_key: str, title: str) -> SheetTable:
        return SheetTable(self.client, columns, tab_key=tab_key, tab_title=title, locale=self._locale,
                          time_zone=self._time_zone)

    # ---- rows
    def receipt_links(self, transaction: Mapping[str, Any]) -> Links:
        items = []
        for n, attachment in enumerate(transaction.get("attachment_ids") or [], start=1):
            entry = self._tree.receipt(str(attachment))
            if entry is not None and entry.live and self._tree.is_live_folder(entry.parent):
                items.append((f"Receipt {n}", receipt_link(entry.id)))
        return Links(tuple(items))

    def ledger_row(self, transaction: Mapping[str, Any], day) -> TypedRow:
        return build(LEDGER_COLUMNS, Facts(transaction, day, receipts=self.receipt_links(transaction)))

    @staticmethod
    def missing_row(transaction: Mapping[str, Any], day, *, account: str, period: str, folder_id: str | None
                    ) -> TypedRow:
        folder = Links(((period, folder_link(folder_id)),)) if folder_id else f"{period} (folder deleted in Drive)"
        return build(MISSING_COLUMNS, Facts(transaction, day, account=account, period=period, folder=folder))

    # ---- one file
    def write(self, *, target: Entry | None, parent: str, name: str, markers: Mapping[str, Any], description: str,
              upserts: Mapping[str, TypedRow], removals, rebuild: bool, missing_list: bool = False,
              read_keys=()) -> tuple[Entry | None, Outcome, bool]:
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
                rows = sorted(upserts.values(), key=lambda r: (r.sort_key, r.transaction_id))
                table.fill_new(entry.id, rows)
                outcome = Outcome(values={t: {k: r.values[_key_index(columns, k)] for k in read_keys}
                                          for t, r in upserts.items()})
                return entry, outcome, True
            written = False
            if not target.live:
                files.untrash(self._gateway, self._tree, target)
                written = True
            outcome = table.merge(target.id, upserts, removals, rebuild=rebuild, read_keys=read_keys)
            return target, outcome, written or outcome.writes > 0
        except HttpError as error:
            if error.resp.status == 400:
                raise TooLargeError(f"{name}: {_message(error)}") from error
            raise


def _key_index(columns, key: str) -> int:
    return next(i for i, c in enumerate(columns) if c.key == key)


def _message(error: HttpError) -> str:
    try:
        return str(error.error_details or error.reason)[:300]
    except Exception:
        return str(error.resp.status)
