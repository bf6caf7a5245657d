"""A ledger as its user and the connector see it in the emulator: the connector's tab and columns found
by their developer metadata (wherever the user moved them), cells as typed values or as displayed."""

from __future__ import annotations

from integration_tests.emulators.drive.sheets.values import render

TAB_KEY, COLUMN_KEY = "receipts.tab", "receipts.column"


def connector_tab(book):
    """(sheet, {column key: index}) of the connector's tab."""
    tab = next(m for m in book.metadata if m.get("metadataKey") == TAB_KEY)
    sheet = book.sheet(tab["location"]["sheetId"])
    columns = {m["metadataValue"]: m["location"]["dimensionRange"]["startIndex"] for m in book.metadata
               if m.get("metadataKey") == COLUMN_KEY and m["location"]["dimensionRange"]["sheetId"] == sheet.sheet_id}
    return sheet, columns


def rows(book, *, shown: bool = False) -> list[dict]:
    """Each data row of the connector's tab: {column key: value} (UNFORMATTED_VALUE, or displayed)."""
    sheet, columns = connector_tab(book)
    option = "FORMATTED_VALUE" if shown else "UNFORMATTED_VALUE"
    out = []
    for r in range(1, len(sheet.rows)):
        row = {key: render(book, sheet.cell(r, c), option, "SERIAL_NUMBER") for key, c in columns.items()}
        if row.get("transaction_id"):
            out.append(row)
    return out


def links(book, r: int, key: str = "receipts") -> list[str]:
    sheet, columns = connector_tab(book)
    cell = sheet.cell(r, columns[key]) or {}
    return [run["format"]["link"]["uri"] for run in cell.get("textFormatRuns") or [] if run["format"].get("link")]
