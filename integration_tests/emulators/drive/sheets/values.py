"""Reading and writing cell values (spreadsheets.values.*), rendered and parsed as Sheets does.

Render options: https://developers.google.com/sheets/api/reference/rest/v4/ValueRenderOption
(FORMATTED_VALUE is the default: what the cell displays in the sheet's locale; UNFORMATTED_VALUE
gives numbers as numbers; FORMULA the formulas) and DateTimeRenderOption (SERIAL_NUMBER default,
ignored for FORMATTED_VALUE). Empty trailing rows and columns are left out of `values`
(https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.values#ValueRange).
Input: RAW keeps strings as strings, USER_ENTERED parses them (locales.py).
"""
from __future__ import annotations

from .locales import parse_user_entered
from .model import Spreadsheet
from .ranges import Box


def render(book: Spreadsheet, cell: dict | None, option: str, datetime_option: str) -> object:
    if cell is None:
        return ""
    value = book.effective(cell)
    if option == "FORMULA" and "formulaValue" in (cell.get("userEnteredValue") or {}):
        return cell["userEnteredValue"]["formulaValue"]
    if option in ("UNFORMATTED_VALUE", "FORMULA"):
        kind = ((cell.get("userEnteredFormat") or {}).get("numberFormat") or {}).get("type")
        if "numberValue" in value and not (kind in ("DATE", "DATE_TIME") and datetime_option == "FORMATTED_STRING"):
            return value["numberValue"]
        if "boolValue" in value:
            return value["boolValue"]
        if "stringValue" in value:
            return value["stringValue"]
    return book.formatted(cell)


def read(book: Spreadsheet, box: Box, *, option: str = "FORMATTED_VALUE", datetime_option: str = "SERIAL_NUMBER",
         major: str = "ROWS") -> dict:
    grid = []
    for r in range(box.row0, min(box.row1, len(box.sheet.rows))):
        line = [render(book, box.sheet.cell(r, c), option, datetime_option) for c in range(box.col0, box.col1)]
        while line and line[-1] == "":
            line.pop()
        grid.append(line)
    while grid and not grid[-1]:
        grid.pop()
    if major == "COLUMNS":
        width = max((len(line) for line in grid), default=0)
        grid = [[line[c] if c < len(line) else "" for line in grid] for c in range(width)]
        for column in grid:
            while column and column[-1] == "":
                column.pop()
    out = {"range": box.a1(), "majorDimension": major}
    if grid:
        out["values"] = grid
    return out


def write(book: Spreadsheet, box: Box, values: list[list], input_option: str, major: str = "ROWS") -> dict:
    if input_option not in ("RAW", "USER_ENTERED"):
        raise ValueError(f"Invalid valueInputOption: {input_option}")
    if major == "COLUMNS":
        width = max((len(c) for c in values), default=0)
        values = [[c[r] if r < len(c) else None for c in values] for r in range(width)]
    cells = 0
    for r, line in enumerate(values):
        for c, raw in enumerate(line):
            if raw is None:
                continue
            box.sheet.put(box.row0 + r, box.col0 + c, _cell(book, box.sheet.cell(box.row0 + r, box.col0 + c),
                                                            raw, input_option))
            cells += 1
    rows = len(values)
    cols = max((len(line) for line in values), default=0)
    return {"updatedRange": box.a1(), "updatedRows": rows, "updatedColumns": cols, "updatedCells": cells}


def _cell(book: Spreadsheet, old: dict | None, raw: object, input_option: str) -> dict:
    cell = dict(old or {})
    fmt = dict(cell.get("userEnteredFormat") or {})
    if isinstance(raw, bool):
        value, implied = {"boolValue": raw}, None
    elif isinstance(raw, (int, float)):
        value, implied = {"numberValue": raw}, None
    elif input_option == "RAW":
        value, implied = {"stringValue": str(raw)}, None
    else:
        value, implied = parse_user_entered(str(raw), book.locale)
    if implied is not None and "numberFormat" not in fmt:
        fmt["numberFormat"] = implied            # a typed date shows as a date
    cell["userEnteredValue"] = value
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell
