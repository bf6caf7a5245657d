"""A spreadsheet as Sheets keeps it: properties (locale, timeZone), tabs with ids, cells, metadata.

Cells are dicts shaped like the API's CellData (userEnteredValue, userEnteredFormat,
textFormatRuns, note), never changed in place: an operation puts a new dict, so a snapshot of the
row lists is enough to undo a batchUpdate that fails half-way ("applied atomically",
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/batchUpdate).
Developer metadata on a row or column range moves with its rows/columns when others are inserted
or deleted, and goes with them when they are deleted
(https://developers.google.com/sheets/api/guides/metadata#metadata_locations).
"""
from __future__ import annotations

import ast
import copy
import operator
from dataclasses import dataclass, field

from .locales import display

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26     # a new sheet's grid, as the Sheets UI and API make it


@dataclass
class Sheet:
    properties: dict
    rows: list[list[dict | None]] = field(default_factory=list)
    basic_filter: dict | None = None
    hidden_columns: set[int] = field(default_factory=set)

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def grid(self) -> dict:
        return self.properties.setdefault("gridProperties", {})

    def cell(self, row: int, col: int) -> dict | None:
        if row < len(self.rows) and col < len(self.rows[row]):
            return self.rows[row][col]
        return None

    def put(self, row: int, col: int, cell: dict | None) -> None:
        while len(self.rows) <= row:
            self.rows.append([])
        line = self.rows[row]
        while len(line) <= col:
            line.append(None)
        line[col] = cell


def new_sheet(sheet_id: int, title: str, index: int) -> Sheet:
    return Sheet({"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
                  "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS}})


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    properties: dict
    sheets: list[Sheet] = field(default_factory=list)
    metadata: list[dict] = field(default_factory=list)
    next_metadata_id: int = 1

    @property
    def locale(self) -> str:
        return self.properties.get("locale", "en_US")

    def ordered(self) -> list[Sheet]:
        return sorted(self.sheets, key=lambda s: s.properties["index"])

    def sheet(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def by_title(self, title: str) -> Sheet | None:
        return next((s for s in self.sheets if s.properties["title"] == title), None)

    def snapshot(self) -> tuple:
        return (copy.deepcopy(self.properties), [(copy.deepcopy(s.properties), [list(r) for r in s.rows],
                                                  s.basic_filter, set(s.hidden_columns)) for s in self.sheets],
                copy.deepcopy(self.metadata), self.next_metadata_id)

    def restore(self, snap: tuple) -> None:
        self.properties, sheets, self.metadata, self.next_metadata_id = snap
        self.sheets = [Sheet(p, rows, f, h) for p, rows, f, h in sheets]

    # ---- values
    def effective(self, cell: dict | None) -> dict:
        value = (cell or {}).get("userEnteredValue") or {}
        if "formulaValue" in value:
            return evaluate(value["formulaValue"])
        return value

    def formatted(self, cell: dict | None) -> str:
        number_format = ((cell or {}).get("userEnteredFormat") or {}).get("numberFormat")
        return display(self.effective(cell), number_format, self.locale)

    # ---- grid changes, metadata following them
    def insert(self, sheet: Sheet, dimension: str, start: int, count: int) -> None:
        if dimension == "ROWS":
            sheet.rows[start:start] = [[] for _ in range(count)] if start <= len(sheet.rows) else []
            sheet.grid["rowCount"] = sheet.grid.get("rowCount", DEFAULT_ROWS) + count
        else:
            for line in sheet.rows:
                if start <= len(line):
                    line[start:start] = [None] * count
            sheet.grid["columnCount"] = sheet.grid.get("columnCount", DEFAULT_COLUMNS) + count
            sheet.hidden_columns = {c + count if c >= start else c for c in sheet.hidden_columns}
        for meta in self._dimension_metadata(sheet.sheet_id, dimension):
            span = meta["location"]["dimensionRange"]
            if span["startIndex"] >= start:
                span["startIndex"] += count
                span["endIndex"] += count
            elif span["endIndex"] > start:
                span["endIndex"] += count

    def delete(self, sheet: Sheet, dimension: str, start: int, end: int) -> None:
        count = end - start
        if dimension == "ROWS":
            del sheet.rows[start:end]
            sheet.grid["rowCount"] = sheet.grid.get("rowCount", DEFAULT_ROWS) - count
        else:
            for line in sheet.rows:
                del line[start:end]
            sheet.grid["columnCount"] = sheet.grid.get("columnCount", DEFAULT_COLUMNS) - count
            sheet.hidden_columns = {c - count if c >= end else c for c in sheet.hidden_columns
                                    if not start <= c < end}
        kept = []
        for meta in self.metadata:
            span = meta["location"].get("dimensionRange")
            if span and span["sheetId"] == sheet.sheet_id and span["dimension"] == dimension:
                if start <= span["startIndex"] and span["endIndex"] <= end:
                    continue                                   # its rows/columns are gone: so is it
                span["startIndex"] = _shift(span["startIndex"], start, end)
                span["endIndex"] = _shift(span["endIndex"], start, end)
            kept.append(meta)
        self.metadata = kept

    def _dimension_metadata(self, sheet_id: int, dimension: str) -> list[dict]:
        return [m for m in self.metadata if (m["location"].get("dimensionRange") or {}).get("sheetId") == sheet_id
                and m["location"]["dimensionRange"]["dimension"] == dimension]

    def remove_sheet(self, sheet: Sheet) -> None:
        self.sheets.remove(sheet)
        self.metadata = [m for m in self.metadata if m["location"].get("sheetId") != sheet.sheet_id
                         and (m["location"].get("dimensionRange") or {}).get("sheetId") != sheet.sheet_id]
        for i, other in enumerate(self.ordered()):
            other.properties["index"] = i


def _shift(index: int, start: int, end: int) -> int:
    """Where a boundary index lands once [start, end) is deleted."""
    return index if index <= start else start if index <= end else index - (end - start)


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
        ast.USub: operator.neg, ast.UAdd: operator.pos}


def evaluate(formula: str) -> dict:
    """The value of an arithmetic formula ("=1+1" → 2); anything else is an error value (#ERROR!)."""
    try:
        tree = ast.parse(formula.lstrip("=").replace("^", "**"), mode="eval").body
        number = _arith(tree)
    except (SyntaxError, ValueError, ZeroDivisionError, TypeError):
        return {"errorValue": {"type": "ERROR", "message": f"Formula parse error: {formula}"}}
    return {"numberValue": int(number) if float(number).is_integer() else number}


def _arith(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.left), _arith(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_arith(node.operand))
    raise ValueError("not arithmetic")
