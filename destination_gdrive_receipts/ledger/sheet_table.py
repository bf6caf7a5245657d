"""One connector table (a ledger or the missing list) inside a Google Sheet, through the Sheets API.

The connector owns one tab and its columns, found by developer metadata (`receipts.tab` on the
tab, `receipts.column` = column key on each column), which Sheets moves with them when the user
moves, sorts, renames or inserts around them. It reads only two of its columns (transaction id,
row check) to find each transaction's row wherever it is now, then sends one batchUpdate:
changed rows get their connector cells rewritten, new rows go at the end of the table, rows of
declined transactions are deleted. The user's tabs, columns, formats, notes, filters and freeze
are not touched. A no-change sync reads and writes nothing more.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

from googleapiclient.errors import HttpError

from destination_gdrive_receipts.drive.sheets import SheetsClient
from destination_gdrive_receipts.ledger import sheet_cells as cells
from destination_gdrive_receipts.ledger.columns import ROW_CHECK, TX_KEY, Column
from destination_gdrive_receipts.ledger.typed import TypedRow

logger = logging.getLogger("airbyte")
RECEIPT_IDS = "receipt_ids"
ROWS_PER_BATCH = 500      # ~0.7 MB of JSON: under the 2 MB Google advises (sheets/api/limits), and the cells
                          # of one batch, built as dicts first, are the ledger pass's largest transient
DEFAULT_ROWS = 1000       # the grid of a new spreadsheet's first tab


@dataclass
class Layout:
    sheet_id: int
    positions: dict[str, int]                       # column key → column index
    requests: list[dict] = field(default_factory=list)   # setup still to send (new tab / new columns)
    recreated: bool = False


@dataclass
class Outcome:
    writes: int = 0
    values: dict[str, tuple] = field(default_factory=dict)   # tx id → values of the read keys, final rows
    # values of the read keys → how many rows have them, when rows were not kept one by one (a new
    # list's, built batch by batch: a dict per id was ~3 MB of an archive's missing list)
    tally: Counter | None = None

    def read_values(self) -> Iterable[tuple]:
        """The read keys' values of every final row."""
        return self.tally.elements() if self.tally is not None else self.values.values()


class SheetTable:
    def __init__(self, client: SheetsClient, columns: Sequence[Column], *, tab_key: str, tab_title: str,
                 locale: str, time_zone: str) -> None:
        self._client, self._tab_key, self._title = client, tab_key, tab_title
        self._columns = tuple(columns) + (ROW_CHECK,)
        self._locale, self._time_zone, self._iso = locale, time_zone, locale == "iso"

    # ---- a spreadsheet Drive just made
    def fill_new(self, spreadsheet_id: str, rows: Sequence[TypedRow], first_sheet_id: int = 0) -> int:
        """Locale, time zone, our tab and every row: one batchUpdate (more for very large tables)."""
        setup = cells.new_spreadsheet(first_sheet_id, self._title, self._columns, locale=self._locale,
                                      time_zone=self._time_zone, tab_key=self._tab_key)
        if len(rows) + 1 > DEFAULT_ROWS:
            setup.append({"appendDimension": {"sheetId": first_sheet_id, "dimension": "ROWS",
                                              "length": len(rows) + 1 - DEFAULT_ROWS}})
        try:
            return self._send(spreadsheet_id, setup, first_sheet_id, 1, rows)
        except HttpError as error:
            if error.resp.status != 400 or first_sheet_id != 0 or b"No grid with id" not in (error.content or b""):
                raise
        # The first tab of a new spreadsheet is believed to have id 0; ask when it has not.
        found = self._client.get(spreadsheet_id, "sheets.properties.sheetId")
        return self.fill_new(spreadsheet_id, rows, found["sheets"][0]["properties"]["sheetId"])

    # ---- an existing one
    def merge(self, spreadsheet_id: str, upserts: Mapping[str, TypedRow], removals: Iterable[str], *,
              rebuild: bool = False, read_keys: Sequence[str] = (),
              relink: Callable[[Sequence[str]], Mapping[str, Any] | None] | None = None) -> Outcome:
        """Apply the changed rows. `relink`: receipt ids → the link cells by column key (None: unchanged),
        to refresh the links of rows whose transaction did not change but whose receipt files (or sealed
        copies) were filed, restored or moved."""
        layout = self._layout(spreadsheet_id)
        if relink is not None:
            read_keys = tuple(read_keys) + (RECEIPT_IDS,)
        keys = (TX_KEY, ROW_CHECK.key) + tuple(read_keys)
        columns = self._client.values(spreadsheet_id, [
            {"gridRange": {"sheetId": layout.sheet_id, "startColumnIndex": layout.positions[k],
                           "endColumnIndex": layout.positions[k] + 1}} for k in keys]) if not layout.recreated else []
        found: dict[str, int] = {}
        outcome = Outcome()
        ids = columns[0] if columns else []
        for r, tx_id in enumerate(ids):
            tx_id = str(tx_id).strip()
            if r == 0 or not tx_id or tx_id in found:
                continue
            found[tx_id] = r
            outcome.values[tx_id] = tuple(_at(columns[i + 2], r) for i in range(len(read_keys)))
        checks = columns[1] if columns else []
        requests = list(layout.requests)
        if relink is not None:
            requests += self._relinks(layout, found, outcome, upserts, relink)
        gone = set(removals) | (set(found) - set(upserts) if rebuild else set())
        for tx_id, row in upserts.items():
            r = found.get(tx_id)
            if r is not None and _at(checks, r) != row.check:
                requests += self._row_requests(layout, r, [row])
        deleted = sorted((found[t] for t in gone if t in found and t not in upserts), reverse=True)
        for r in deleted:
            requests.append({"deleteDimension": {"range": {"sheetId": layout.sheet_id, "dimension": "ROWS",
                                                           "startIndex": r, "endIndex": r + 1}}})
        for tx_id in gone:
            outcome.values.pop(tx_id, None)
        new = sorted((row for t, row in upserts.items() if t not in found), key=lambda w: (w.sort_key, w.transaction_id))
        end = (max(found.values()) + 1 if found else 1) - len(deleted)
        for tx_id, row in upserts.items():
            outcome.values[tx_id] = tuple(row.values[_index(self._columns, k)] for k in read_keys)
        if not requests and not new:
            return outcome
        if new:
            requests.append({"insertDimension": {"range": {"sheetId": layout.sheet_id, "dimension": "ROWS",
                                                           "startIndex": end, "endIndex": end + len(new)},
                                                 "inheritFromBefore": False}})
        outcome.writes = self._send(spreadsheet_id, requests, layout.sheet_id, end, new, layout)
        return outcome

    def read_all(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Every row of the connector's tab as {column key: unformatted value} (a change of period)."""
        layout = self._layout(spreadsheet_id)
        if layout.recreated:
            return []
        keys = [c.key for c in self._columns if c.key in layout.positions]
        columns = self._client.values(spreadsheet_id, [
            {"gridRange": {"sheetId": layout.sheet_id, "startColumnIndex": layout.positions[k],
                           "endColumnIndex": layout.positions[k] + 1}} for k in keys])
        ids = columns[keys.index(TX_KEY)]
        return [{k: _at(columns[i], r) for i, k in enumerate(keys)} for r in range(1, len(ids)) if str(ids[r]).strip()]

    def _relinks(self, layout: Layout, found: Mapping[str, int], outcome: Outcome, upserts: Mapping[str, TypedRow],
                 relink: Callable[[Sequence[str]], Mapping[str, Any] | None]) -> list[dict]:
        requests = []
        kinds = {c.key: c.kind for c in self._columns}
        for tx_id, r in found.items():
            ids = str(outcome.values[tx_id][-1] or "").split()       # RECEIPT_IDS, read last
            fresh = relink(ids) if ids and tx_id not in upserts else None
            if fresh is not None:
                requests += cells.write_rows(layout.sheet_id, r, {layout.positions[k]: [cells.cell(v, kinds[k])]
                                                                  for k, v in fresh.items() if k in layout.positions})
        return requests

    # ---- finding our tab and columns
    def _layout(self, spreadsheet_id: str) -> Layout:
        found = self._client.search_metadata(spreadsheet_id, [
            {"developerMetadataLookup": {"metadataKey": cells.TAB_KEY, "metadataValue": self._tab_key}},
            {"developerMetadataLookup": {"metadataKey": cells.COLUMN_KEY}}])
        tab = next((m for m in found if m.get("metadataKey") == cells.TAB_KEY), None)
        if tab is None:
            return self._new_tab(spreadsheet_id)
        sheet_id = tab["location"]["sheetId"]
        positions = {m["metadataValue"]: m["location"]["dimensionRange"]["startIndex"] for m in found
                     if m.get("metadataKey") == cells.COLUMN_KEY
                     and m["location"].get("dimensionRange", {}).get("sheetId") == sheet_id}
        layout = Layout(sheet_id, positions)
        missing = [c for c in self._columns if c.key not in positions]
        if missing:
            # A column added to the table since (or deleted by the user): put at the right end.
            start = max(positions.values(), default=-1) + 1
            layout.requests.append({"insertDimension": {"range": {
                "sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": start + len(missing)}}})
            layout.requests += cells.column_setup(sheet_id, missing, start, tab_key=None)
            for offset, column in enumerate(missing):
                positions[column.key] = start + offset
            if TX_KEY in {c.key for c in missing}:
                layout.recreated = True        # no ids to match rows by: every row comes again at the end
        return layout

    def _new_tab(self, spreadsheet_id: str) -> Layout:
        logger.warning("The connector's tab was deleted from spreadsheet %s: it is made again with the rows "
                       "this sync changes; refresh the transactions stream to fill it whole.", spreadsheet_id)
        sheet_id = random.randint(1, 2**31 - 1)
        title = f"{self._title} ({sheet_id % 1000:03d})"
        requests = [{"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "index": 0,
                                                 "gridProperties": {"frozenRowCount": 1}}}},
                    *cells.column_setup(sheet_id, self._columns, 0, tab_key=self._tab_key)]
        return Layout(sheet_id, {c.key: i for i, c in enumerate(self._columns)}, requests, recreated=True)

    # ---- writing
    def _row_requests(self, layout: Layout, row_index: int, rows: Sequence[TypedRow]) -> list[dict]:
        by_column: dict[int, list[dict]] = {}
        for column in self._columns:
            i = _index(self._columns, column.key)
            by_column[layout.positions[column.key]] = [
                cells.cell(row.check if column is ROW_CHECK else row.values[i], column.kind, row.currency, self._iso)
                for row in rows]
        return cells.write_rows(layout.sheet_id, row_index, by_column)

    def _send(self, spreadsheet_id: str, setup: list[dict], sheet_id: int, start: int, rows: Sequence[TypedRow],
              layout: Layout | None = None) -> int:
        layout = layout or Layout(sheet_id, {c.key: i for i, c in enumerate(self._columns)})
        writes, first = 0, True
        for offset in range(0, max(len(rows), 1), ROWS_PER_BATCH):
            chunk = rows[offset:offset + ROWS_PER_BATCH]
            requests = (setup if first else []) + (self._row_requests(layout, start + offset, chunk) if chunk else [])
            if requests:
                self._client.batch_update(spreadsheet_id, requests)
                writes += 1
            first = False
        return writes


def _at(values: Sequence[Any], r: int) -> Any:
    return values[r] if r < len(values) else ""


def _index(columns: Sequence[Column], key: str) -> int:
    return next(i for i, c in enumerate(columns) if c.key == key)
