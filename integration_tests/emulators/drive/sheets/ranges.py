"""A1 notation, grid ranges and data filters resolved against a spreadsheet (pure).

https://developers.google.com/sheets/api/guides/concepts#cell (A1 notation, "Sheet1!A:A" whole
columns, a bare range means the first visible sheet) and
https://developers.google.com/sheets/api/reference/rest/v4/DataFilter (a1Range, gridRange,
developerMetadataLookup: the range the matched metadata sits on).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Sheet, Spreadsheet

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")


class RangeError(ValueError):
    pass


@dataclass(frozen=True)
class Box:
    sheet: Sheet
    row0: int
    col0: int
    row1: int        # exclusive
    col1: int

    def a1(self) -> str:
        title = self.sheet.properties["title"]
        quoted = title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"
        return f"{quoted}!{column_letters(self.col0)}{self.row0 + 1}:{column_letters(self.col1 - 1)}{self.row1}"


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def column_index(letters: str) -> int:
    n = 0
    for char in letters.upper():
        n = n * 26 + ord(char) - 64
    return n - 1


def parse_a1(book: Spreadsheet, text: str) -> Box:
    title, _, cells = text.rpartition("!")
    if not title:
        sheet = book.by_title(text.strip("'").replace("''", "'"))
        if sheet is not None:
            return whole(sheet)
        sheet, cells = book.ordered()[0], text
    else:
        sheet = book.by_title(title.strip("'").replace("''", "'") if title.startswith("'") else title)
    if sheet is None:
        raise RangeError(f"Unable to parse range: {text}")
    rows, cols = sheet.grid["rowCount"], sheet.grid["columnCount"]
    first, _, last = cells.partition(":")
    a, b = _CELL.match(first), _CELL.match(last or first)
    if a is None or b is None:
        raise RangeError(f"Unable to parse range: {text}")
    col0 = column_index(a[1]) if a[1] else 0
    col1 = column_index(b[1]) + 1 if b[1] else cols
    row0 = int(a[2]) - 1 if a[2] else 0
    row1 = int(b[2]) if b[2] else rows
    return Box(sheet, row0, col0, min(row1, rows), min(col1, cols))


def whole(sheet: Sheet) -> Box:
    return Box(sheet, 0, 0, sheet.grid["rowCount"], sheet.grid["columnCount"])


def from_grid_range(book: Spreadsheet, span: dict) -> Box:
    sheet = book.sheet(int(span.get("sheetId", 0)))
    if sheet is None:
        raise RangeError(f"No grid with id: {span.get('sheetId')}")
    return Box(sheet, span.get("startRowIndex", 0), span.get("startColumnIndex", 0),
               span.get("endRowIndex", sheet.grid["rowCount"]), span.get("endColumnIndex", sheet.grid["columnCount"]))


def metadata_matches(book: Spreadsheet, lookup: dict) -> list[dict]:
    out = []
    for meta in book.metadata:
        if "metadataId" in lookup and meta["metadataId"] != lookup["metadataId"]:
            continue
        if "metadataKey" in lookup and meta.get("metadataKey") != lookup["metadataKey"]:
            continue
        if "metadataValue" in lookup and meta.get("metadataValue") != lookup["metadataValue"]:
            continue
        if "locationType" in lookup and meta["location"].get("locationType") != lookup["locationType"]:
            continue
        where = lookup.get("metadataLocation") or {}
        if "sheetId" in where and meta["location"].get("sheetId") != where["sheetId"]:
            continue
        out.append(meta)
    return out


def boxes_of(book: Spreadsheet, data_filter: dict) -> list[Box]:
    if "a1Range" in data_filter:
        return [parse_a1(book, data_filter["a1Range"])]
    if "gridRange" in data_filter:
        return [from_grid_range(book, data_filter["gridRange"])]
    boxes = []
    for meta in metadata_matches(book, data_filter.get("developerMetadataLookup") or {}):
        location = meta["location"]
        if "dimensionRange" in location:
            span = location["dimensionRange"]
            sheet = book.sheet(span["sheetId"])
            if span["dimension"] == "COLUMNS":
                boxes.append(Box(sheet, 0, span["startIndex"], sheet.grid["rowCount"], span["endIndex"]))
            else:
                boxes.append(Box(sheet, span["startIndex"], 0, span["endIndex"], sheet.grid["columnCount"]))
        elif "sheetId" in location:
            boxes.append(whole(book.sheet(location["sheetId"])))
    return boxes
