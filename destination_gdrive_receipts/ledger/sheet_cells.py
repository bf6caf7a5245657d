"""Typed values as Sheets cells, and the batchUpdate requests that lay out and fill a ledger (pure).

Cells are written with updateCells, whose values are never parsed (no USER_ENTERED): a number is a
numberValue, a date a serial number with a DATE format, text a stringValue even when it starts with
"=" or "+" (https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#ExtendedValue).
Number formats use the pattern tokens "," and "." that each locale displays with its own
characters; a DATE format without pattern shows the spreadsheet locale's date
(https://developers.google.com/sheets/api/guides/formats). Several links in one cell are rich-text
runs, each with its own link (TextFormatRun.format.link,
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/cells#TextFormatRun).
The field mask names only what the connector sets, so a user's colours, fonts and notes stay.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

from destination_gdrive_receipts.ledger.columns import DATE, MONEY, RATE, Column, Links
from destination_gdrive_receipts.ledger.formats import decimals_of

EPOCH = datetime.date(1899, 12, 30)           # day 0 of Sheets' serial dates (DateTimeRenderOption)
CELL_FIELDS = "userEnteredValue,userEnteredFormat.numberFormat,textFormatRuns"
TAB_KEY, COLUMN_KEY = "receipts.tab", "receipts.column"
SHEETS_LOCALES = {"en-US": "en_US", "en-GB": "en_GB", "fr-FR": "fr_FR", "de-DE": "de_DE", "es-ES": "es_ES",
                  "it-IT": "it_IT", "nl-NL": "nl_NL", "iso": "en_US"}


def serial(day: datetime.date) -> int:
    return (day - EPOCH).days


def number_format(kind: str, currency: str, iso: bool) -> dict | None:
    if kind == DATE:
        return {"type": "DATE", "pattern": "yyyy-mm-dd"} if iso else {"type": "DATE"}
    if kind == MONEY:
        decimals = decimals_of(currency)
        whole = "0" if iso else "#,##0"
        return {"type": "NUMBER", "pattern": whole + ("." + "0" * decimals if decimals else "")}
    if kind == RATE:
        return {"type": "NUMBER", "pattern": "0.0#"}
    return None


def cell(value: Any, kind: str, currency: str = "", iso: bool = False) -> dict:
    """The CellData of a typed value (every field of CELL_FIELDS set or left out to clear it)."""
    if isinstance(value, Links):
        return links_cell(value)
    if isinstance(value, datetime.date):
        return {"userEnteredValue": {"numberValue": serial(value)},
                "userEnteredFormat": {"numberFormat": number_format(DATE, currency, iso)}}
    if isinstance(value, Decimal):
        out: dict = {"userEnteredValue": {"numberValue": float(value)}}
        fmt = number_format(kind, currency, iso)
        if fmt:
            out["userEnteredFormat"] = {"numberFormat": fmt}
        return out
    text = "" if value is None else str(value)
    return {"userEnteredValue": {"stringValue": text}} if text else {}


def links_cell(links: Links) -> dict:
    if not links:
        return {}
    text, runs = "", []
    for label, url in links.items:
        if text:
            runs.append({"startIndex": len(text), "format": {}})
            text += " · "
        runs.append({"startIndex": len(text), "format": {"link": {"uri": url}}})
        text += label
    return {"userEnteredValue": {"stringValue": text}, "textFormatRuns": runs}


def row_cells(values: Sequence[Any], columns: Sequence[Column], currency: str, iso: bool) -> list[dict]:
    return [cell(v, c.kind, currency, iso) for v, c in zip(values, columns)]


def runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous runs of column indexes, as (first, count): one updateCells per run."""
    out: list[tuple[int, int]] = []
    for index in sorted(positions):
        if out and out[-1][0] + out[-1][1] == index:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((index, 1))
    return out


def write_rows(sheet_id: int, row_index: int, cells_by_column: dict[int, list[dict]]) -> list[dict]:
    """updateCells requests writing, from `row_index` down, the cells of each column index given."""
    requests = []
    for first, count in runs(cells_by_column):
        height = len(cells_by_column[first])
        rows = [{"values": [cells_by_column[first + k][r] for k in range(count)]} for r in range(height)]
        requests.append({"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": row_index, "columnIndex": first},
                                         "rows": rows, "fields": CELL_FIELDS}})
    return requests


def column_setup(sheet_id: int, columns: Sequence[Column], first_index: int, *, tab_key: str | None,
                 ) -> list[dict]:
    """Header cells (bold), identity metadata and visibility of `columns` placed from `first_index`."""
    requests: list[dict] = [{"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": first_index},
        "rows": [{"values": [{"userEnteredValue": {"stringValue": c.header},
                              "userEnteredFormat": {"textFormat": {"bold": True}}} for c in columns]}],
        "fields": "userEnteredValue,userEnteredFormat.textFormat.bold"}}]
    for offset, column in enumerate(columns):
        index = first_index + offset
        requests.append({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": COLUMN_KEY, "metadataValue": column.key, "visibility": "PROJECT",
            "location": {"dimensionRange": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                            "startIndex": index, "endIndex": index + 1}}}}})
        if column.hidden:
            requests.append({"updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": index, "endIndex": index + 1},
                "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}})
    if tab_key:
        requests.append({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": TAB_KEY, "metadataValue": tab_key, "visibility": "PROJECT",
            "location": {"sheetId": sheet_id}}}})
    return requests


def new_spreadsheet(sheet_id: int, title: str, columns: Sequence[Column], *, locale: str, time_zone: str,
                    tab_key: str) -> list[dict]:
    """A spreadsheet just made by Drive: its locale and time zone, our tab, header frozen."""
    return [
        {"updateSpreadsheetProperties": {"properties": {"locale": SHEETS_LOCALES.get(locale, "en_US"),
                                                        "timeZone": time_zone}, "fields": "locale,timeZone"}},
        {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "title": title,
                                                  "gridProperties": {"frozenRowCount": 1}},
                                   "fields": "title,gridProperties.frozenRowCount"}},
        *column_setup(sheet_id, columns, 0, tab_key=tab_key),
    ]
