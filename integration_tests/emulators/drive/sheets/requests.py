"""spreadsheets.batchUpdate requests: the subset a ledger writer and a user in the UI need.

Each request kind follows its reference section in
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request ; an unknown kind or
a bad sheet id fails the whole batch (400 INVALID_ARGUMENT) and nothing is applied.
Field masks (`fields`) name the CellData paths to set; a path absent from the given cell is
cleared, paths not named are kept (https://developers.google.com/sheets/api/guides/field-masks).
"""
from __future__ import annotations

import copy
import functools
from typing import Callable

from .model import Sheet, Spreadsheet, new_sheet


class RequestError(ValueError):
    pass


def apply(book: Spreadsheet, requests: list[dict]) -> list[dict]:
    replies = []
    for i, request in enumerate(requests):
        if len(request) != 1:
            raise RequestError(f"Invalid requests[{i}]: exactly one kind of request must be set.")
        (kind, body), = request.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            raise RequestError(f'Invalid JSON payload received. Unknown name "{kind}" at \'requests[{i}]\'.')
        try:
            replies.append(handler(book, body) or {})
        except RequestError as error:
            raise RequestError(f"Invalid requests[{i}].{kind}: {error}") from None
    return replies


def grid(book: Spreadsheet, sheet_id) -> Sheet:
    sheet = book.sheet(int(sheet_id or 0))
    if sheet is None:
        raise RequestError(f"No grid with id: {sheet_id}")
    return sheet


def masked(old: dict | None, new: dict, fields: str) -> dict | None:
    """`old` with the paths of `fields` taken from `new` ("*" takes everything).

    `new` comes from a request body parsed for this call only, so its parts are taken, not copied;
    `old` is copied along the paths that change (cells are never changed in place, model.py)."""
    if fields.strip() == "*":
        return new or None
    out = dict(old or {})
    for keys in _paths(fields):
        source: object = new
        for key in keys:
            source = source.get(key) if isinstance(source, dict) else None
        target = out
        for key in keys[:-1]:
            target[key] = dict(target.get(key) or {})
            target = target[key]
        if source is None:
            target.pop(keys[-1], None)
        else:
            target[keys[-1]] = source
    return out or None


@functools.lru_cache(maxsize=64)
def _paths(fields: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.strip().split(".")) for p in fields.split(",") if p.strip())


def _update_spreadsheet_properties(book: Spreadsheet, body: dict) -> None:
    book.properties = masked(book.properties, body.get("properties", {}), body.get("fields", "*")) or {}


def _update_sheet_properties(book: Spreadsheet, body: dict) -> None:
    props = body.get("properties", {})
    sheet = grid(book, props.get("sheetId"))
    fields = body.get("fields", "*")
    index = props.get("index") if "index" in fields or fields == "*" else None
    new = masked(sheet.properties, props, fields) or {}
    new["sheetId"] = sheet.sheet_id
    if "title" in props and any(s is not sheet and s.properties["title"] == props["title"] for s in book.sheets):
        raise RequestError(f"A sheet with the name \"{props['title']}\" already exists.")
    sheet.properties = new
    if index is not None:
        others = [s for s in book.ordered() if s is not sheet]
        others.insert(min(int(index), len(others)), sheet)
        for i, s in enumerate(others):
            s.properties["index"] = i


def _add_sheet(book: Spreadsheet, body: dict) -> dict:
    props = body.get("properties", {})
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = max((s.sheet_id for s in book.sheets), default=0) + 1
    if book.sheet(sheet_id) is not None:
        raise RequestError(f"A sheet with id {sheet_id} already exists.")
    title = props.get("title") or f"Sheet{len(book.sheets) + 1}"
    if book.by_title(title) is not None:
        raise RequestError(f"A sheet with the name \"{title}\" already exists.")
    sheet = new_sheet(sheet_id, title, len(book.sheets))
    sheet.grid.update(props.get("gridProperties", {}))
    book.sheets.append(sheet)
    if "index" in props:
        _update_sheet_properties(book, {"properties": {"sheetId": sheet_id, "index": props["index"]},
                                        "fields": "index"})
    return {"addSheet": {"properties": copy.deepcopy(sheet.properties)}}


def _delete_sheet(book: Spreadsheet, body: dict) -> None:
    sheet = grid(book, body.get("sheetId"))
    if len(book.sheets) == 1:
        raise RequestError("You can't remove all the sheets in a document.")
    book.remove_sheet(sheet)


def _put_rows(book: Spreadsheet, sheet: Sheet, row: int, col: int, rows: list[dict], fields: str) -> None:
    for r, line in enumerate(rows):
        for c, cell in enumerate(line.get("values") or []):
            sheet.put(row + r, col + c, masked(sheet.cell(row + r, col + c), cell or {}, fields))
    needed_rows = row + len(rows)
    needed_cols = col + max((len(line.get("values") or []) for line in rows), default=0)
    if needed_rows > sheet.grid.get("rowCount", 0) or needed_cols > sheet.grid.get("columnCount", 0):
        raise RequestError(f"Range ({sheet.properties['title']}!R{needed_rows}C{needed_cols}) exceeds grid "
                           f"limits. Max rows: {sheet.grid.get('rowCount')}, max columns: "
                           f"{sheet.grid.get('columnCount')}")


def _update_cells(book: Spreadsheet, body: dict) -> None:
    if "fields" not in body:
        raise RequestError("At least one field must be specified in 'fields'.")
    if "start" in body:
        start = body["start"]
        sheet, row, col = grid(book, start.get("sheetId")), start.get("rowIndex", 0), start.get("columnIndex", 0)
    else:
        span = body.get("range", {})
        sheet, row, col = grid(book, span.get("sheetId")), span.get("startRowIndex", 0), span.get("startColumnIndex", 0)
    _put_rows(book, sheet, row, col, body.get("rows") or [], body["fields"])


def _append_cells(book: Spreadsheet, body: dict) -> None:
    sheet = grid(book, body.get("sheetId"))
    last = max((i for i, line in enumerate(sheet.rows) if any(c for c in line)), default=-1)
    rows = body.get("rows") or []
    missing = last + 1 + len(rows) - sheet.grid.get("rowCount", 0)
    if missing > 0:
        sheet.grid["rowCount"] += missing       # appendCells adds rows as needed (reference)
    _put_rows(book, sheet, last + 1, 0, rows, body.get("fields", "*"))


def _repeat_cell(book: Spreadsheet, body: dict) -> None:
    span = body.get("range", {})
    sheet = grid(book, span.get("sheetId"))
    rows = range(span.get("startRowIndex", 0), span.get("endRowIndex", sheet.grid["rowCount"]))
    cols = range(span.get("startColumnIndex", 0), span.get("endColumnIndex", sheet.grid["columnCount"]))
    for r in rows:
        for c in cols:
            sheet.put(r, c, masked(sheet.cell(r, c), body.get("cell", {}), body.get("fields", "*")))


def _dimension(body: dict) -> tuple[dict, int, int]:
    span = body.get("range") or body
    return span, int(span.get("startIndex", 0)), int(span.get("endIndex", 0))


def _insert_dimension(book: Spreadsheet, body: dict) -> None:
    span, start, end = _dimension(body)
    sheet = grid(book, span.get("sheetId"))
    limit = sheet.grid["rowCount" if span["dimension"] == "ROWS" else "columnCount"]
    if not 0 <= start <= limit or end <= start:
        raise RequestError(f"Invalid dimension range {start}:{end} (size {limit}).")
    book.insert(sheet, span["dimension"], start, end - start)


def _append_dimension(book: Spreadsheet, body: dict) -> None:
    sheet = grid(book, body.get("sheetId"))
    key = "rowCount" if body["dimension"] == "ROWS" else "columnCount"
    sheet.grid[key] = sheet.grid.get(key, 0) + int(body["length"])


def _delete_dimension(book: Spreadsheet, body: dict) -> None:
    span, start, end = _dimension(body)
    sheet = grid(book, span.get("sheetId"))
    book.delete(sheet, span["dimension"], start, end)


def _update_dimension_properties(book: Spreadsheet, body: dict) -> None:
    span, start, end = _dimension(body)
    sheet = grid(book, span.get("sheetId"))
    if span["dimension"] == "COLUMNS" and "hiddenByUser" in body.get("fields", ""):
        hidden = bool(body.get("properties", {}).get("hiddenByUser"))
        for c in range(start, end):
            (sheet.hidden_columns.add if hidden else sheet.hidden_columns.discard)(c)


def _create_metadata(book: Spreadsheet, body: dict) -> dict:
    meta = copy.deepcopy(body.get("developerMetadata", {}))
    location = meta.get("location") or {}
    if "dimensionRange" in location:
        grid(book, location["dimensionRange"].get("sheetId"))
    elif "sheetId" in location:
        grid(book, location["sheetId"])
    elif not location.get("spreadsheet"):
        raise RequestError("Developer metadata must have a location.")
    if not meta.get("visibility"):
        raise RequestError("Developer metadata must have a visibility.")
    meta["metadataId"] = meta.get("metadataId") or book.next_metadata_id
    book.next_metadata_id = max(book.next_metadata_id, meta["metadataId"]) + 1
    meta["location"]["locationType"] = ("COLUMN" if location.get("dimensionRange", {}).get("dimension") == "COLUMNS"
                                        else "ROW" if "dimensionRange" in location
                                        else "SHEET" if "sheetId" in location else "SPREADSHEET")
    book.metadata.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


def _sort_range(book: Spreadsheet, body: dict) -> None:
    span = body.get("range", {})
    sheet = grid(book, span.get("sheetId"))
    start, end = span.get("startRowIndex", 0), min(span.get("endRowIndex", len(sheet.rows)), len(sheet.rows))
    block = sheet.rows[start:end]
    for spec in reversed(body.get("sortSpecs") or []):
        col = spec.get("dimensionIndex", 0)
        descending = spec.get("sortOrder") == "DESCENDING"
        empty = [line for line in block if _sort_value(book, line, col) is None]
        filled = [line for line in block if _sort_value(book, line, col) is not None]
        filled.sort(key=lambda line: _sort_value(book, line, col), reverse=descending)
        block = filled + empty                                  # blanks stay last either way
    sheet.rows[start:end] = block


def _sort_value(book: Spreadsheet, line: list, col: int):
    value = book.effective(line[col] if col < len(line) else None)
    if "numberValue" in value:
        return (0, value["numberValue"], "")
    if "stringValue" in value:
        return (1, 0, value["stringValue"].lower())
    return None


def _set_basic_filter(book: Spreadsheet, body: dict) -> None:
    flt = body.get("filter", {})
    grid(book, flt.get("range", {}).get("sheetId")).basic_filter = flt


HANDLERS: dict[str, Callable] = {
    "updateSpreadsheetProperties": _update_spreadsheet_properties, "updateSheetProperties": _update_sheet_properties,
    "addSheet": _add_sheet, "deleteSheet": _delete_sheet, "updateCells": _update_cells, "appendCells": _append_cells,
    "repeatCell": _repeat_cell, "insertDimension": _insert_dimension, "appendDimension": _append_dimension,
    "deleteDimension": _delete_dimension, "updateDimensionProperties": _update_dimension_properties,
    "createDeveloperMetadata": _create_metadata, "sortRange": _sort_range, "setBasicFilter": _set_basic_filter,
}
