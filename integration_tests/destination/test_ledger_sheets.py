"""Ledgers in Google Sheets written through the Sheets API, judged as a user and an accountant see them:
typed values whatever the spreadsheet's locale, the user's own work kept, quotas and limits survived."""

from __future__ import annotations

import datetime
import io

import pytest
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.destination import ledger_view
from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_ledger_write import ledgers, sync_messages, transaction
from integration_tests.emulators.drive.client import build_drive
from integration_tests.emulators.drive.conversion import SHEET
from integration_tests.emulators.drive.sheets.locales import serial

pytestmark = pytest.mark.slow     # each run starts the destination process


def _ledger(drive, period: str = "2025-04"):
    (record,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "ledger" and not r.trashed
                 and r.app_properties.get("period") == period]
    return record


def _by_id(drive, period: str = "2025-04", shown: bool = False) -> dict[str, dict]:
    return {r["transaction_id"]: r for r in ledger_view.rows(drive.spreadsheet(_ledger(drive, period).id), shown=shown)}


@pytest.mark.parametrize("account_locale, ledger_locale, sheet_locale, shown_amount, shown_date", [
    ("en_US", "fr-FR", "fr_FR", "-721,28", "05/04/2025"),
    ("de_DE", "en-US", "en_US", "-721.28", "4/5/2025")])
def test_given_an_account_language_when_ledgers_are_written_then_values_are_typed_and_shown_in_the_configured_locale(
        drive, config, tmp_path, account_locale, ledger_locale, sheet_locale, shown_amount, shown_date):
    drive.sheets.account_locale = account_locale        # what a spreadsheet made in this account starts with
    txs = [transaction(1, amount=721.28), {**transaction(2, amount=5.5), "side": "credit", "vat_rate": 5.5}]

    result = run_write(tmp_path, {**config, "ledger_locale": ledger_locale}, sync_messages((), txs))

    assert result.returncode == 0, result.stderr
    book = drive.spreadsheet(_ledger(drive).id)
    rows = _by_id(drive)
    assert (book.locale, book.properties["timeZone"]) == (sheet_locale, "Europe/Paris")
    assert rows["tx-0001"]["amount"] == -721.28 and rows["tx-0002"]["amount"] == 5.5
    assert rows["tx-0002"]["vat_rate"] == 5.5 and rows["tx-0001"]["date"] == serial(datetime.date(2025, 4, 5))
    shown = _by_id(drive, shown=True)["tx-0001"]
    assert (shown["amount"], shown["date"]) == (shown_amount, shown_date)
    sheet, _ = ledger_view.connector_tab(book)
    assert sheet.grid.get("frozenRowCount") == 1
    assert sheet.cell(0, 0)["userEnteredFormat"]["textFormat"]["bold"] is True


def test_given_a_user_who_reshapes_the_ledger_when_syncs_change_and_add_rows_then_the_users_work_stays(
        drive, config, tmp_path):
    formula_like = {"note": "=1+1", "label": "+33 6 12 34 56 78"}      # text that a spreadsheet would evaluate
    txs = [{**transaction(1, amount=10.0), **formula_like}, transaction(2, amount=30.0), transaction(3, amount=20.0)]
    assert run_write(tmp_path, config, sync_messages((), txs)).returncode == 0
    ledger = _ledger(drive)
    sheet, columns = ledger_view.connector_tab(drive.spreadsheet(ledger.id))
    sid, amount_at = sheet.sheet_id, columns["amount"]
    drive.user_sheet_update(ledger.id, [
        {"insertDimension": {"range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": amount_at,
                                       "endIndex": amount_at + 1}}},
        {"updateCells": {"start": {"sheetId": sid, "rowIndex": 0, "columnIndex": amount_at}, "fields": "*",
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": "Checked"}}]}] + [
                             {"values": [{"userEnteredValue": {"stringValue": f"ok {r}"}}]} for r in (1, 2, 3)]}},
        {"sortRange": {"range": {"sheetId": sid, "startRowIndex": 1},
                       "sortSpecs": [{"dimensionIndex": amount_at + 1, "sortOrder": "ASCENDING"}]}},
        {"repeatCell": {"range": {"sheetId": sid, "startRowIndex": 0, "endRowIndex": 1},
                        "cell": {"userEnteredFormat": {"backgroundColor": {"red": 1}}},
                        "fields": "userEnteredFormat.backgroundColor"}},
        {"updateSheetProperties": {"properties": {"sheetId": sid, "title": "Mes opérations",
                                                  "gridProperties": {"frozenRowCount": 2}},
                                   "fields": "title,gridProperties.frozenRowCount"}},
        {"addSheet": {"properties": {"title": "Summary", "index": 0}}}])
    checked = {r["transaction_id"]: sheet.cell(i + 1, amount_at)["userEnteredValue"]["stringValue"]
               for i, r in enumerate(ledger_view.rows(drive.spreadsheet(ledger.id)))}

    changed = run_write(tmp_path, config, sync_messages((), [{**transaction(1, amount=14.0), **formula_like}]))
    result = run_write(tmp_path, config, sync_messages((), [{**transaction(1, amount=15.0), **formula_like},
                                                            transaction(4, amount=5.0)]))

    assert changed.returncode == 0 and result.returncode == 0, result.stderr
    book = drive.spreadsheet(ledger.id)
    sheet, columns = ledger_view.connector_tab(book)
    rows = ledger_view.rows(book)
    assert [s.properties["title"] for s in book.ordered()] == ["Summary", "Mes opérations"]
    assert sheet.grid["frozenRowCount"] == 2 and sheet.cell(0, 0)["userEnteredFormat"]["backgroundColor"] == {"red": 1}
    assert sorted(r["transaction_id"] for r in rows) == ["tx-0001", "tx-0002", "tx-0003", "tx-0004"]
    assert {r["transaction_id"]: r["amount"] for r in rows} == {"tx-0001": -15, "tx-0002": -30, "tx-0003": -20,
                                                              "tx-0004": -5}
    for r, row in enumerate(rows, start=1):               # the user's column stays beside its own row
        mine = (sheet.cell(r, columns["amount"] - 1) or {}).get("userEnteredValue", {}).get("stringValue")
        assert mine == checked.get(row["transaction_id"])
    assert rows[-1]["transaction_id"] == "tx-0004"        # new rows at the end
    first = next(r for r in rows if r["transaction_id"] == "tx-0001")
    assert (first["note"], first["counterparty"]) == ("=1+1", "+33 6 12 34 56 78")     # text after three syncs


def test_given_a_020_ledger_with_misread_amounts_when_the_transactions_are_refreshed_then_it_is_rebuilt_typed(
        drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(1, amount=721.28)])).returncode == 0
    current = _ledger(drive)
    folder, markers = current.parents[0], {k: v for k, v in current.app_properties.items() if k not in ("v", "dg")}
    drive.user_delete(current.id)
    old_csv = b'Date,Amount,Transaction id\r\n05/04/2025,"-721,28",tx-0001\r\n'     # 0.2.0, fr-FR, in an en_US account
    old = build_drive(drive).files().create(body={"name": "Ledger 2025-04", "mimeType": SHEET, "parents": [folder],
                                                  "appProperties": markers},
                                            media_body=MediaIoBaseUpload(io.BytesIO(old_csv), "text/csv")).execute()
    assert drive.spreadsheet(old["id"]).sheets[0].cell(1, 1)["userEnteredValue"] == {"numberValue": -72128}
    catalog = M.catalog()
    for stream in catalog["streams"]:
        if stream["stream"]["name"] == "transactions":
            stream.update(sync_mode="full_refresh", destination_sync_mode="overwrite")

    result = run_write(tmp_path, config, sync_messages((), [transaction(1, amount=721.28)]), catalog=catalog)

    assert result.returncode == 0, result.stderr
    assert drive.files[old["id"]].trashed
    assert _by_id(drive)["tx-0001"]["amount"] == -721.28
    assert "written by 0.2.0" in result.logs


def test_given_sheets_quota_errors_during_a_backfill_when_synced_then_they_are_retried_and_ledgers_are_whole(
        drive, config, tmp_path):
    drive.sheets.fail_next(3)
    txs = [transaction(1), transaction(2, settled_at="2025-05-02T10:00:00Z")]

    result = run_write(tmp_path, config, sync_messages((), txs))

    assert result.returncode == 0, result.stderr
    assert set(_by_id(drive, "2025-04")) == {"tx-0001"} and set(_by_id(drive, "2025-05")) == {"tx-0002"}
    assert drive.counts["sheets.write"] >= 3 + 3      # two ledgers, the list, and the three refused


def test_given_a_ledger_too_large_for_sheets_when_synced_then_a_warning_names_it_and_the_sync_goes_on(
        drive, config, tmp_path):
    drive.sheets.cell_limit = 1000                   # below a new tab's 1000 × 26 grid: every write is refused
    result = run_write(tmp_path, config, sync_messages((), [transaction(1)]))

    assert result.returncode == 0, result.stderr
    assert "The ledger of 2025-04 (account" in result.logs and "could not be written" in result.logs
    assert result.states[-1]["stream"]["stream_descriptor"]["name"] == "transactions"


def test_given_month_ledgers_when_the_period_becomes_quarter_then_the_quarter_ledger_holds_every_row(
        drive, config, tmp_path):
    txs = [transaction(1, amount=11.0), transaction(2, amount=22.0, settled_at="2025-05-02T10:00:00Z")]
    assert run_write(tmp_path, config, sync_messages((), txs)).returncode == 0
    months = {r.id for r in drive.files.values() if r.app_properties.get("kind") == "ledger"}

    result = run_write(tmp_path, {**config, "period": "quarter"},
                       sync_messages((), [transaction(3, amount=33.0, settled_at="2025-06-03T10:00:00Z")]))

    assert result.returncode == 0, result.stderr
    quarter = _by_id(drive, "2025-Q2")
    assert {t: r["amount"] for t, r in quarter.items()} == {"tx-0001": -11, "tx-0002": -22, "tx-0003": -33}
    assert quarter["tx-0002"]["date"] == serial(datetime.date(2025, 5, 2))
    assert all(drive.files[i].app_properties["kind"] == "retired-ledger" and not drive.files[i].trashed
               for i in months)                            # kept in their folders, no longer updated


def test_given_the_user_deleted_the_connectors_tab_when_a_transaction_changes_then_a_new_tab_holds_it(
        drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(1), transaction(2)])).returncode == 0
    ledger = _ledger(drive)
    sheet, _ = ledger_view.connector_tab(drive.spreadsheet(ledger.id))
    drive.user_sheet_update(ledger.id, [{"addSheet": {"properties": {"title": "Notes"}}},
                                        {"deleteSheet": {"sheetId": sheet.sheet_id}}])

    result = run_write(tmp_path, config, sync_messages((), [transaction(2, amount=45.0)]))

    assert result.returncode == 0, result.stderr
    book = drive.spreadsheet(ledger.id)
    assert "Notes" in [s.properties["title"] for s in book.sheets] and len(book.sheets) == 2
    assert {r["transaction_id"]: r["amount"] for r in ledger_view.rows(book)} == {"tx-0002": -45}
    assert "tab was deleted" in result.logs
