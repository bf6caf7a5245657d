"""The Drive emulator's Sheets API v4 subset, driven by the real google-api-python-client (sheets.v4.json)."""
import datetime
import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.drive_client_fixtures import drive, emu  # noqa: F401 (fixtures)
from integration_tests.emulators.drive.client import build_sheets
from integration_tests.emulators.drive.sheets import locales

SHEET = "application/vnd.google-apps.spreadsheet"


@pytest.fixture
def sheets(emu):
    return build_sheets(emu)


@pytest.fixture
def book(drive):
    return drive.files().create(body={"name": "Ledger", "mimeType": SHEET}, fields="id").execute()["id"]


def _typed(row: int, col: int, value: dict, number_format: dict | None = None) -> dict:
    cell = {"userEnteredValue": value}
    if number_format:
        cell["userEnteredFormat"] = {"numberFormat": number_format}
    return {"updateCells": {"start": {"sheetId": 0, "rowIndex": row, "columnIndex": col},
                            "fields": "userEnteredValue,userEnteredFormat.numberFormat",
                            "rows": [{"values": [cell]}]}}


@pytest.mark.parametrize("locale, amount, day", [("en_US", "-721.28", "4/3/2025"), ("fr_FR", "-721,28", "03/04/2025"),
                                                 ("de_DE", "-721,28", "03.04.2025")])
def test_given_typed_cells_when_read_then_numbers_stay_numbers_and_display_in_the_sheet_locale(
        sheets, book, locale, amount, day):
    sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [
        {"updateSpreadsheetProperties": {"properties": {"locale": locale, "timeZone": "Europe/Paris"},
                                         "fields": "locale,timeZone"}},
        _typed(0, 0, {"numberValue": -721.28}, {"type": "NUMBER", "pattern": "#,##0.00"}),
        _typed(0, 1, {"numberValue": locales.serial(datetime.date(2025, 4, 3))}, {"type": "DATE"}),
        _typed(0, 2, {"stringValue": "=1+1"})]}).execute()

    shown = sheets.spreadsheets().values().get(spreadsheetId=book, range="A1:C1").execute()["values"]
    raw = sheets.spreadsheets().values().get(spreadsheetId=book, range="A1:C1",
                                             valueRenderOption="UNFORMATTED_VALUE").execute()["values"]
    props = sheets.spreadsheets().get(spreadsheetId=book).execute()["properties"]

    assert shown == [[amount, day, "=1+1"]]
    assert raw == [[-721.28, 45750, "=1+1"]]
    assert (props["locale"], props["timeZone"]) == (locale, "Europe/Paris")


@pytest.mark.parametrize("locale, typed, expected", [
    ("en_US", "-721,28", {"numberValue": -72128}), ("en_US", "5,5", {"numberValue": 55}),
    ("en_US", "03/04/2025", {"numberValue": 45720}), ("fr_FR", "-721,28", {"numberValue": -721.28}),
    ("fr_FR", "03/04/2025", {"numberValue": 45750}), ("de_DE", "-721.28", {"numberValue": -72128}),
    ("de_DE", "-721,28", {"numberValue": -721.28}), ("de_DE", "03.04.2025", {"numberValue": 45750}),
    ("en_US", "'=1+1", {"stringValue": "=1+1"}), ("en_US", "=1+1", {"formulaValue": "=1+1"}),
    ("en_US", "00123", {"numberValue": 123}), ("en_US", "+33 6 12 34 56 78", {"formulaValue": "=+33 6 12 34 56 78"}),
    ("fr_FR", "Café", {"stringValue": "Café"})])
def test_given_text_typed_in_a_locale_when_parsed_then_it_is_read_as_the_sheets_ui_reads_it(locale, typed, expected):
    assert locales.parse_user_entered(typed, locale)[0] == expected


def test_given_user_entered_and_raw_writes_when_read_then_only_user_entered_is_parsed(sheets, book):
    for option, cell in (("USER_ENTERED", "Sheet1!A1"), ("RAW", "Sheet1!B1")):
        sheets.spreadsheets().values().update(spreadsheetId=book, range=cell, valueInputOption=option,
                                              body={"values": [["-721,28"]]}).execute()

    got = sheets.spreadsheets().values().get(spreadsheetId=book, range="A1:B1",
                                             valueRenderOption="UNFORMATTED_VALUE").execute()["values"]

    assert got == [[-72128, "-721,28"]]        # a new spreadsheet is in the owner's locale: en_US here


def test_given_column_metadata_when_the_user_inserts_a_column_before_it_then_it_follows_its_column(sheets, book):
    sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [
        _typed(0, 1, {"stringValue": "Transaction id"}),
        {"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": "receipts.column", "metadataValue": "tx_id", "visibility": "PROJECT",
            "location": {"dimensionRange": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 2}}}}},
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}}}]}
    ).execute()

    found = sheets.spreadsheets().developerMetadata().search(spreadsheetId=book, body={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "receipts.column"}}]}).execute()["matchedDeveloperMetadata"]
    values = sheets.spreadsheets().values().batchGetByDataFilter(spreadsheetId=book, body={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "receipts.column", "metadataValue": "tx_id"}}],
        "majorDimension": "COLUMNS"}).execute()["valueRanges"]

    assert found[0]["developerMetadata"]["location"]["dimensionRange"]["startIndex"] == 3
    assert values[0]["valueRange"]["values"] == [["Transaction id"]]


def test_given_a_batch_with_one_bad_request_when_sent_then_nothing_is_applied(sheets, book):
    with pytest.raises(HttpError) as raised:
        sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [
            _typed(0, 0, {"stringValue": "kept?"}),
            {"updateSheetProperties": {"properties": {"sheetId": 42, "title": "x"}, "fields": "title"}}]}).execute()

    assert raised.value.resp.status == 400
    assert "values" not in sheets.spreadsheets().values().get(spreadsheetId=book, range="A1").execute()


def test_given_the_quota_is_spent_when_called_then_429_resource_exhausted(emu, sheets, book):
    emu.sheets.fail_next(1)
    with pytest.raises(HttpError) as raised:
        sheets.spreadsheets().get(spreadsheetId=book).execute()
    assert raised.value.resp.status == 429 and b"RESOURCE_EXHAUSTED" in raised.value.content
    assert sheets.spreadsheets().get(spreadsheetId=book).execute()["spreadsheetId"] == book


def test_given_a_per_minute_quota_when_exceeded_then_429_until_the_minute_passes(emu, sheets, book):
    emu.sheets.quota_per_minute = 2
    sheets.spreadsheets().get(spreadsheetId=book).execute()
    sheets.spreadsheets().get(spreadsheetId=book).execute()
    with pytest.raises(HttpError) as raised:
        sheets.spreadsheets().get(spreadsheetId=book).execute()
    assert raised.value.resp.status == 429


def test_given_read_only_scope_when_batch_updating_then_insufficient_scopes(emu, sheets, book):
    emu.sheets.token_scopes = {"https://www.googleapis.com/auth/drive.readonly"}
    assert sheets.spreadsheets().get(spreadsheetId=book).execute()["spreadsheetId"] == book
    with pytest.raises(HttpError) as raised:
        sheets.spreadsheets().batchUpdate(spreadsheetId=book, body={"requests": [_typed(0, 0, {"numberValue": 1})]}
                                          ).execute()
    assert raised.value.resp.status == 403


def test_given_drive_file_scope_when_the_sheet_was_made_by_the_user_then_not_found(emu, sheets):
    with emu._as_user():
        record = emu._store.create({"name": "Mine", "mimeType": SHEET}, None, None, True, app_created=False)
    with pytest.raises(HttpError) as raised:
        sheets.spreadsheets().get(spreadsheetId=record.id).execute()
    assert raised.value.resp.status == 404
    emu.grant_app_access(record.id)
    assert sheets.spreadsheets().get(spreadsheetId=record.id).execute()["spreadsheetId"] == record.id


def test_given_a_blob_file_when_read_as_a_spreadsheet_then_bad_request(drive, sheets):
    media = MediaIoBaseUpload(io.BytesIO(b"a,b\r\n"), "text/csv")
    created = drive.files().create(body={"name": "ledger.csv"}, media_body=media, fields="id").execute()
    with pytest.raises(HttpError) as raised:
        sheets.spreadsheets().get(spreadsheetId=created["id"]).execute()
    assert raised.value.resp.status == 400
