"""The Drive emulator's CSV → Google Sheets import and CSV export, through the real client library, and
what they did to the ledgers of 0.2.0 (a CSV uploaded with conversion, updated with CSV media, read
back with files.export) in a real account (conversion.py, sheets/locales.py)."""

from __future__ import annotations

import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.emulators.drive.client import build_drive, build_sheets
from integration_tests.emulators.drive.conversion import SHEET

CSV_BYTES = b"Date,Amount\r\n14/03/2025,\"-12,50\"\r\n"
# What 0.2.0 wrote with its default ledger_locale fr-FR: a debit, a VAT rate, a date, guarded text.
LEDGER_020 = ('Date,Counterparty,Amount,VAT rate,Note,Transaction id\r\n'
              '03/04/2025,\'+33 6 12 34 56 78,"-721,28","5,5",\'=1+1,tx-1\r\n').encode()


@pytest.fixture
def client(drive):
    return build_drive(drive)


def _upload(client, data: bytes, *, body: dict, file_id: str | None = None) -> dict:
    media = MediaIoBaseUpload(io.BytesIO(data), "text/csv")
    if file_id:
        return client.files().update(fileId=file_id, body=body, media_body=media, fields="id,mimeType,size").execute()
    return client.files().create(body=body, media_body=media, fields="id,mimeType,size,md5Checksum").execute()


def _export(client, file_id: str) -> list[list[str]]:
    import csv
    text = client.files().export(fileId=file_id, mimeType="text/csv").execute().decode()
    return list(csv.reader(io.StringIO(text)))


def test_given_csv_uploaded_with_sheets_type_when_exported_then_it_is_a_sheet(client):
    created = _upload(client, b"Name,Note\r\nShop,fees\r\n", body={"name": "Ledger", "mimeType": SHEET})

    assert created["mimeType"] == SHEET and "size" not in created and "md5Checksum" not in created
    assert client.files().export(fileId=created["id"], mimeType="text/csv").execute() == b"Name,Note\r\nShop,fees\r\n"
    with pytest.raises(HttpError) as raised:
        client.files().get_media(fileId=created["id"]).execute()
    assert raised.value.resp.status == 403


def test_given_csv_without_sheets_type_when_uploaded_then_it_is_a_plain_file_that_cannot_be_exported(client):
    created = _upload(client, CSV_BYTES, body={"name": "ledger.csv"})

    assert created["mimeType"] == "text/csv" and created["size"] == str(len(CSV_BYTES))
    with pytest.raises(HttpError) as raised:
        client.files().export(fileId=created["id"], mimeType="text/csv").execute()
    assert raised.value.resp.status == 403 and b"fileNotExportable" in raised.value.content


def test_given_a_sheet_when_exported_to_an_unsupported_type_then_bad_request(client):
    created = _upload(client, CSV_BYTES, body={"name": "Ledger", "mimeType": SHEET})
    with pytest.raises(HttpError) as raised:
        client.files().export(fileId=created["id"], mimeType="application/zip").execute()
    assert raised.value.resp.status == 400


@pytest.mark.parametrize("account_locale, amount, rate, serial", [
    ("en_US", -72128, 55, 45720),         # 4 March 2025
    ("fr_FR", -721.28, 5.5, 45750)])      # right only where the CSV's locale is the account's
def test_given_a_020_ledger_csv_when_converted_in_an_account_locale_then_numbers_and_dates_follow_that_locale(
        drive, client, account_locale, amount, rate, serial):
    drive.sheets.account_locale = account_locale
    created = _upload(client, LEDGER_020, body={"name": "Ledger 2025-04", "mimeType": SHEET})

    row = build_sheets(drive).spreadsheets().values().get(
        spreadsheetId=created["id"], range="A2:F2", valueRenderOption="UNFORMATTED_VALUE").execute()["values"][0]

    assert (row[0], row[2], row[3]) == (serial, amount, rate)
    assert row[1] == "+33 6 12 34 56 78" and row[4] == "=1+1"          # the guard is consumed at import


def test_given_a_020_ledger_read_back_when_uploaded_again_then_guarded_text_becomes_a_formula(drive, client):
    created = _upload(client, LEDGER_020, body={"name": "Ledger 2025-04", "mimeType": SHEET})
    exported = _export(client, created["id"])
    again = io.StringIO()
    __import__("csv").writer(again, lineterminator="\r\n").writerows(exported)

    _upload(client, again.getvalue().encode(), body={}, file_id=created["id"])

    assert _export(client, created["id"])[1][1] == "#ERROR!" and _export(client, created["id"])[1][4] == "2"


def test_given_a_user_tab_frozen_header_and_metadata_when_updated_with_csv_then_the_whole_spreadsheet_is_replaced(
        drive, client):
    created = _upload(client, LEDGER_020, body={"name": "Ledger 2025-04", "mimeType": SHEET})
    drive.user_sheet_update(created["id"], [
        {"addSheet": {"properties": {"title": "Summary"}}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                                   "fields": "gridProperties.frozenRowCount"}}])

    updated = _upload(client, LEDGER_020, body={}, file_id=created["id"])

    book = drive.spreadsheet(created["id"])
    assert updated["id"] == created["id"] and updated["mimeType"] == SHEET
    assert [s.properties["title"] for s in book.sheets] == ["Sheet1"]
    assert "frozenRowCount" not in book.sheets[0].grid


def test_given_a_user_tab_moved_first_when_exported_then_only_that_tab_comes_back(drive, client):
    created = _upload(client, LEDGER_020, body={"name": "Ledger 2025-04", "mimeType": SHEET})
    drive.user_sheet_update(created["id"], [{"addSheet": {"properties": {"title": "Summary", "index": 0}}}])

    assert _export(client, created["id"]) == []


def test_given_a_sheet_over_10_mb_when_exported_then_export_size_limit_exceeded(drive, client):
    created = _upload(client, b"a\r\n", body={"name": "Ledger", "mimeType": SHEET})
    sheet = drive.spreadsheet(created["id"]).sheets[0]
    sheet.grid["rowCount"] = 40_000
    for r in range(40_000):
        sheet.put(r, 0, {"userEnteredValue": {"stringValue": "x" * 300}})

    with pytest.raises(HttpError) as raised:
        client.files().export(fileId=created["id"], mimeType="text/csv").execute()
    assert raised.value.resp.status == 403 and b"exportSizeLimitExceeded" in raised.value.content


def test_given_drive_refusing_csv_updates_when_switched_off_then_bad_request(drive, client):
    created = _upload(client, CSV_BYTES, body={"name": "Ledger", "mimeType": SHEET})
    drive.conversion.update_converts = False
    with pytest.raises(HttpError) as raised:
        _upload(client, CSV_BYTES, body={}, file_id=created["id"])
    assert raised.value.resp.status == 400
