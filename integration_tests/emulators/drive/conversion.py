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
Not documented, made a switch:
- files.update with CSV media on an existing Sheet: we believe Drive re-imports the CSV into the same
  Sheet (the file id and type stay), as upload tools relying on it observe; `update_converts=False`
  makes the emulator refuse it (400 badRequest) instead.
- How a cell is displayed after import: Sheets parses numbers and dates with the sheet's locale and
  exports display values. `reformat_numbers=True` drops trailing decimal zeros of plain numbers
  ("12.50" → "12.5"), a plausible re-display, so a client is tested against cells that do not come
  back byte for byte.
"""
from __future__ import annotations

import csv
import io
import re

from .errors import ApiError
from .store import FileRecord
from .wire import Request, Response

SHEET = "application/vnd.google-apps.spreadsheet"
CSV_TYPES = ("text/csv", "text/tab-separated-values")
EXPORT_LIMIT_BYTES = 10 * 1024 * 1024
_PLAIN_DECIMAL = re.compile(r"^-?\d+\.\d*0$")


class Conversion:
    def __init__(self) -> None:
        self.update_converts = True
        self.reformat_numbers = False

    # ---- import
    def converts(self, meta: dict, media_type: str | None, target: FileRecord | None) -> bool:
        """Whether this upload is a CSV import into a Sheet (new file with a Sheets type, or a Sheet updated)."""
        wants_sheet = meta.get("mimeType") == SHEET or (target is not None and target.mime_type == SHEET)
        return wants_sheet and (media_type or "").split(";")[0].strip() in CSV_TYPES

    def commit(self, api, req: Request, file_id: str | None, meta: dict, media_type: str, content: bytes) -> FileRecord:
        if file_id is not None and not self.update_converts:
            raise ApiError(400, "badRequest", "Updating a Google Sheet with CSV content is switched off in this emulator.")
        rows = self._parse(content, media_type)
        meta = {**meta, "mimeType": SHEET}
        if file_id is None:
            record = api.store.create(meta, None, None, req.all_drives)
        else:
            record = api.update_record(req, file_id, meta)
        record.sheet_rows = rows           # the Sheet's first (only) sheet
        return record

    def _parse(self, content: bytes, media_type: str) -> list[list[str]]:
        delimiter = "\t" if media_type.startswith("text/tab-separated-values") else ","
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig", errors="replace")), delimiter=delimiter))
        return [[self._display(cell) for cell in row] for row in rows]

    def _display(self, cell: str) -> str:
        if self.reformat_numbers and _PLAIN_DECIMAL.match(cell):
            return cell.rstrip("0").rstrip(".")
        return cell

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


def sheet_rows(record: FileRecord) -> list[list[str]]:
    """The cells of a converted Sheet (tests read and edit them as a user would)."""
    return getattr(record, "sheet_rows", [])
