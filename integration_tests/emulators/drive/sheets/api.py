"""Sheets API v4 over HTTP: the routes the real client builds from sheets.v4.json (rootUrl replaced).

Evidence:
- Methods, paths and the scopes each accepts: the discovery document shipped with
  google-api-python-client (googleapiclient/discovery_cache/documents/sheets.v4.json). Every method
  accepts drive.file; get, values.get and values.batchGet also accept the read-only scopes; the POST
  reads (developerMetadata.search, values.batchGetByDataFilter) do not.
- drive.file reaches only files the app created or the user opened with it
  (https://developers.google.com/drive/api/guides/api-specific-auth); a spreadsheet out of reach
  answers 404 "Requested entity was not found." (believed: the message public reports show).
- Quotas: 60 read and 60 write requests per minute per user per project; beyond, 429
  RESOURCE_EXHAUSTED (https://developers.google.com/sheets/api/limits). Off by default
  (`quota_per_minute`); `fail_next(n)` answers the next n calls with it.
- Errors use the google.rpc envelope without an `errors` list
  (https://cloud.google.com/apis/design/errors#http_mapping).
- A file that is not a spreadsheet answers 400 "This operation is not supported for this document".
- A spreadsheet holds at most 10 million cells (https://support.google.com/drive/answer/37603); a
  batchUpdate growing it beyond answers 400 and applies nothing (`cell_limit`).
"""
from __future__ import annotations

import collections
import json
import threading
import time

from ..errors import ApiError
from ..wire import Request, Response
from .locales import sheet_locale
from .model import Spreadsheet, new_sheet
from .ranges import Box, RangeError, boxes_of, metadata_matches, parse_a1
from .requests import RequestError, apply
from .values import read, write

SHEET = "application/vnd.google-apps.spreadsheet"
_AUTH = "https://www.googleapis.com/auth/"
WRITE_SCOPES = frozenset(_AUTH + s for s in ("drive", "drive.file", "spreadsheets"))
READ_SCOPES = WRITE_SCOPES | {_AUTH + "drive.readonly", _AUTH + "spreadsheets.readonly"}
FIRST_TAB = {"en_US": "Sheet1", "en_GB": "Sheet1", "fr_FR": "Feuille 1", "de_DE": "Tabellenblatt1"}


class SheetsError(ApiError):
    def body(self) -> dict:
        return {"error": {"code": self.status, "message": self.message,
                          "status": {400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                                     429: "RESOURCE_EXHAUSTED"}.get(self.status, "UNKNOWN")}}


class SheetsApi:
    def __init__(self, store) -> None:
        self.store = store
        self.account_locale = "en_US"              # a new spreadsheet's locale: the owner's language
        self.account_time_zone = "America/New_York"
        self.first_sheet_id = 0                    # id of the tab a new spreadsheet is made with
        self.token_scopes = {_AUTH + "drive.file"}  # what the emulator's access tokens carry
        self.quota_per_minute: int | None = None
        self.cell_limit = 10_000_000
        self._calls: dict[str, collections.deque] = {"read": collections.deque(), "write": collections.deque()}
        self._fail_next = 0
        self._lock = threading.Lock()

    # ---- switches
    def fail_next(self, count: int) -> None:
        with self._lock:
            self._fail_next = count

    # ---- the spreadsheet behind a Drive file
    def book_of(self, record) -> Spreadsheet:
        book = getattr(record, "spreadsheet", None)
        if book is None:
            book = record.spreadsheet = self.new_book(record.id, record.name)
        return book

    def new_book(self, spreadsheet_id: str, title: str, locale: str | None = None) -> Spreadsheet:
        locale = locale or self.account_locale
        book = Spreadsheet(spreadsheet_id, {"title": title, "locale": locale, "timeZone": self.account_time_zone,
                                            "autoRecalc": "ON_CHANGE"})
        book.sheets.append(new_sheet(self.first_sheet_id, FIRST_TAB.get(locale, "Sheet1"), 0))
        return book

    def _book(self, spreadsheet_id: str) -> Spreadsheet:
        record = self.store.lookup(spreadsheet_id)
        if record is None or not self.store.is_visible(record, True):
            raise SheetsError(404, "notFound", "Requested entity was not found.")
        if record.mime_type != SHEET:
            raise SheetsError(400, "badRequest", "This operation is not supported for this document")
        return self.book_of(record)

    # ---- checks every call goes through
    def admit(self, kind: str) -> None:
        allowed = WRITE_SCOPES if kind == "write" else READ_SCOPES
        if not self.token_scopes & allowed:
            raise SheetsError(403, "insufficientPermissions", "Request had insufficient authentication scopes.")
        with self._lock:
            if self._fail_next > 0:
                self._fail_next -= 1
                raise self._quota_error(kind)
            if self.quota_per_minute is not None:
                calls, now = self._calls[kind], time.monotonic()
                while calls and now - calls[0] >= 60:
                    calls.popleft()
                if len(calls) >= self.quota_per_minute:
                    raise self._quota_error(kind)
                calls.append(now)

    @staticmethod
    def _quota_error(kind: str) -> SheetsError:
        metric = "Write requests" if kind == "write" else "Read requests"
        return SheetsError(429, "rateLimitExceeded", f"Quota exceeded for quota metric '{metric}' and limit "
                           f"'{metric} per minute per user' of service 'sheets.googleapis.com' for consumer "
                           "'project_number:000000000000'.")

    # ---- spreadsheets
    def create(self, req: Request) -> Response:
        body = req.json()
        props = body.get("properties") or {}
        record = self.store.create({"name": props.get("title") or "Untitled spreadsheet", "mimeType": SHEET},
                                   None, None, True)
        book = self.new_book(record.id, record.name, props.get("locale"))
        book.properties.update(props)
        if body.get("sheets"):
            book.sheets = []
            for i, sheet in enumerate(body["sheets"]):
                apply(book, [{"addSheet": {"properties": {"sheetId": i, **sheet.get("properties", {})}}}])
        record.spreadsheet = book
        return Response.json(self.resource(book))

    def get(self, req: Request, spreadsheet_id: str) -> Response:
        return Response.json(self.resource(self._book(spreadsheet_id)))

    def resource(self, book: Spreadsheet) -> dict:
        sheets = []
        for sheet in book.ordered():
            item = {"properties": json.loads(json.dumps(sheet.properties))}
            mine = [m for m in book.metadata if m["location"].get("sheetId") == sheet.sheet_id]
            if mine:
                item["developerMetadata"] = mine
            if sheet.basic_filter:
                item["basicFilter"] = sheet.basic_filter
            sheets.append(item)
        out = {"spreadsheetId": book.spreadsheet_id, "properties": book.properties, "sheets": sheets,
               "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit"}
        top = [m for m in book.metadata if m["location"].get("spreadsheet")]
        if top:
            out["developerMetadata"] = top
        return out

    def batch_update(self, req: Request, spreadsheet_id: str) -> Response:
        book = self._book(spreadsheet_id)
        body = req.json()
        if not body.get("requests"):
            raise SheetsError(400, "badRequest", "Must specify at least one request.")
        if "locale" in json.dumps([r.get("updateSpreadsheetProperties") for r in body["requests"]]):
            self._check_locale(body["requests"])
        snapshot = book.snapshot()
        try:
            replies = apply(book, body["requests"])
            cells = sum(s.grid.get("rowCount", 0) * s.grid.get("columnCount", 0) for s in book.sheets)
            if cells > self.cell_limit:
                raise RequestError("This action would increase the number of cells in the workbook above the "
                                   f"limit of {self.cell_limit} cells.")
        except (RequestError, RangeError, KeyError, TypeError) as error:
            book.restore(snapshot)
            raise SheetsError(400, "badRequest", str(error)) from None
        self.store.touch(self.store.lookup(spreadsheet_id))
        return Response.json({"spreadsheetId": spreadsheet_id, "replies": replies})

    @staticmethod
    def _check_locale(requests: list[dict]) -> None:
        for request in requests:
            locale = (request.get("updateSpreadsheetProperties") or {}).get("properties", {}).get("locale")
            if locale is not None and locale != "en_US" and sheet_locale(locale) is sheet_locale("en_US"):
                raise SheetsError(400, "badRequest", f"Invalid locale: {locale}")

    # ---- values
    def values_get(self, req: Request, spreadsheet_id: str, a1: str) -> Response:
        book = self._book(spreadsheet_id)
        return Response.json(self._read(book, parse_a1(book, a1), req.query))

    def values_batch_get(self, req: Request, spreadsheet_id: str) -> Response:
        book = self._book(spreadsheet_id)
        ranges = req.multi.get("ranges", [])
        return Response.json({"spreadsheetId": spreadsheet_id,
                              "valueRanges": [self._read(book, parse_a1(book, r), req.query) for r in ranges]})

    def values_by_filter(self, req: Request, spreadsheet_id: str) -> Response:
        book, body = self._book(spreadsheet_id), req.json()
        out = []
        for data_filter in body.get("dataFilters") or []:
            for box in boxes_of(book, data_filter):
                out.append({"valueRange": self._read(book, box, body), "dataFilters": [data_filter]})
        return Response.json({"spreadsheetId": spreadsheet_id, "valueRanges": out})

    @staticmethod
    def _read(book: Spreadsheet, box, options: dict) -> dict:
        return read(book, box, option=options.get("valueRenderOption", "FORMATTED_VALUE"),
                    datetime_option=options.get("dateTimeRenderOption", "SERIAL_NUMBER"),
                    major=options.get("majorDimension", "ROWS"))

    def values_update(self, req: Request, spreadsheet_id: str, a1: str) -> Response:
        book = self._book(spreadsheet_id)
        body = req.json()
        try:
            answer = write(book, parse_a1(book, a1), body.get("values") or [], req.query.get("valueInputOption", ""),
                           body.get("majorDimension", "ROWS"))
        except ValueError as error:
            raise SheetsError(400, "badRequest", str(error)) from None
        return Response.json({"spreadsheetId": spreadsheet_id, **answer})

    def values_append(self, req: Request, spreadsheet_id: str, a1: str) -> Response:
        book = self._book(spreadsheet_id)
        box = parse_a1(book, a1)
        last = max((i for i, line in enumerate(box.sheet.rows) if any(c for c in line)), default=-1)
        target = Box(box.sheet, last + 1, box.col0, box.sheet.grid["rowCount"], box.sheet.grid["columnCount"])
        try:
            answer = write(book, target, req.json().get("values") or [], req.query.get("valueInputOption", ""))
        except ValueError as error:
            raise SheetsError(400, "badRequest", str(error)) from None
        return Response.json({"spreadsheetId": spreadsheet_id, "updates": answer})

    def metadata_search(self, req: Request, spreadsheet_id: str) -> Response:
        book = self._book(spreadsheet_id)
        found = []
        for data_filter in req.json().get("dataFilters") or []:
            for meta in metadata_matches(book, data_filter.get("developerMetadataLookup") or {}):
                found.append({"developerMetadata": meta, "dataFilters": [data_filter]})
        return Response.json({"matchedDeveloperMetadata": found} if found else {})
