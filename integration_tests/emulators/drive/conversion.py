"""CSV import into Google Sheets and CSV export, as Drive does them.

Evidence:
- Upload with a Google Workspace target type converts the content ("import"): a files.create whose
  metadata mimeType is application/vnd.google-apps.spreadsheet and whose media is text/csv makes
  a Google Sheet, https://developers.google.com/drive/api/guides/manage-uploads#import-docs
  (and the CSV → Sheets row of the import formats table there).
- A Sheet has no binary content: files.get alt=media answers 403 fileNotDownloadable; its rows come
  back through files.export with mimeType=text/csv (first sheet only, at most 10 MB),
  https://developers.google.com/drive/api/guides/manage-downloads#export and
  https://developers.google.com/drive/api/reference/rest/v3/files/export . Exporting a file that is
  not a Docs Editors file answers 403 fileNotExportable.
- A Sheet stores no size or md5Checksum (only blob files have them: files resource reference).
- Import reads every cell like text typed into the Sheets UI, in the new spreadsheet's locale (the
  owner's language; no Drive parameter chooses it): "-721,28" is -72128 in en_US, "03/04/2025" is
  4 March in fr_FR, a leading "'" is consumed and "=" starts a formula (sheets/locales.py).
- "When you upload and convert media during an update request to a Docs, Sheets, or Slides file,
  the full contents of the document are replaced" (manage-uploads#import-docs): every tab, format,
  frozen row and developer metadata is gone, the spreadsheet's locale stays.
- Export returns the first tab's displayed values (files.export reference: "the first sheet").
Not documented, made a switch:
- files.update with CSV media on an existing Sheet: `update_converts=False` makes the emulator
  refuse it (400 badRequest) instead of replacing the contents as the guide above says.
"""
from __future__ import annotations

import csv
import io

from .errors import ApiError
from .sheets.locales import parse_user_entered
from .store import FileRecord
from .wire import Request, Response

SHEET = "application/vnd.google-apps.spreadsheet"
CSV_TYPES = ("text/csv", "text/tab-separated-values")
EXPORT_LIMIT_BYTES = 10 * 1024 * 1024


class Conversion:
    def __init__(self) -> None:
        self.update_converts = True
        self.sheets = None           # the SheetsApi holding each Sheet's cells (set by the server)

    # ---- import
    def converts(self, meta: dict, media_type: str | None, target: FileRecord | None) -> bool:
        """Whether this upload is a CSV import into a Sheet (new file with a Sheets type, or a Sheet updated)."""
        wants_sheet = meta.get("mimeType") == SHEET or (target is not None and target.mime_type == SHEET)
        return wants_sheet and (media_type or "").split(";")[0].strip() in CSV_TYPES

    def commit(self, api, req: Request, file_id: str | None, meta: dict, media_type: str, content: bytes) -> FileRecord:
        if file_id is not None and not self.update_converts:
            raise ApiError(400, "badRequest", "Updating a Google Sheet with CSV content is switched off in this emulator.")
        meta = {**meta, "mimeType": SHEET}
        if file_id is None:
            record = api.store.create(meta, None, None, req.all_drives)
            locale = None
        else:
            record = api.update_record(req, file_id, meta)
            locale = self.sheets.book_of(record).locale      # the contents go, the locale stays
        book = self.sheets.new_book(record.id, record.name, locale)
        sheet = book.sheets[0]
        delimiter = "\t" if media_type.startswith("text/tab-separated-values") else ","
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace")), delimiter=delimiter))
        sheet.grid["rowCount"] = max(len(rows), sheet.grid["rowCount"])
        sheet.grid["columnCount"] = max(max((len(r) for r in rows), default=0), sheet.grid["columnCount"])
        for r, line in enumerate(rows):
            for c, text in enumerate(line):
                if text:
                    sheet.put(r, c, _typed(text, book.locale))
        record.spreadsheet = book
        return record

    # ---- export
    def export(self, api, req: Request, file_id: str) -> Response:
        record = api.store.get_visible(file_id, req.all_drives)
        wanted = req.query.get("mimeType")
        if not wanted:
            raise ApiError(400, "required", "Required parameter: mimeType", location="mimeType")
        if not record.mime_type.startswith("application/vnd.google-apps.") or record.is_folder:
            raise ApiError(403, "fileNotExportable", "Export only supports Docs Editors files.")
        if record.mime_type != SHEET or wanted not in CSV_TYPES:
            raise ApiError(400, "badRequest", "The requested conversion is not supported.", location="mimeType")
        out = io.StringIO()
        csv.writer(out, delimiter="\t" if wanted != "text/csv" else ",", lineterminator="\r\n").writerows(
            sheet_rows(record))
        body = out.getvalue().encode()
        if len(body) > EXPORT_LIMIT_BYTES:
            raise ApiError(403, "exportSizeLimitExceeded", "This file is too large to be exported.")
        return Response(200, body, {"Content-Type": f"{wanted}; charset=utf-8"})


def _typed(text: str, locale: str) -> dict:
    value, implied = parse_user_entered(text, locale)
    return {"userEnteredValue": value, **({"userEnteredFormat": {"numberFormat": implied}} if implied else {})}


def sheet_rows(record: FileRecord) -> list[list[str]]:
    """What the first tab of a Sheet displays, row by row (trailing empty cells left out)."""
    book = getattr(record, "spreadsheet", None)
    if book is None:
        return []
    first = book.ordered()[0]
    out = [[book.formatted(cell) for cell in line] for line in first.rows]
    for line in out:
        while line and line[-1] == "":
            line.pop()
    while out and not out[-1]:
        out.pop()
    return out
