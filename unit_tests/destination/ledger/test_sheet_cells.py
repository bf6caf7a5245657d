"""Typed ledger rows and their Sheets cells (pure)."""

import datetime
from decimal import Decimal

import pytest

from destination_gdrive_receipts.drive.sheets import MinuteWindow
from destination_gdrive_receipts.ledger import sheet_cells as cells
from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, MONEY, RATE, TEXT, Facts, Links
from destination_gdrive_receipts.ledger.typed import build

TX = {"id": "tx-1", "bank_account_id": "acc", "amount": 721.28, "currency": "EUR", "side": "debit",
      "vat_amount": 120.21, "vat_rate": 5.5, "status": "completed", "settled_at": "2025-04-03T10:00:00Z",
      "label": "+33 6 12 34 56 78", "note": "=1+1", "attachment_ids": ["a1", "a2"], "attachment_required": True}


@pytest.mark.parametrize("value, kind, currency, iso, expected", [
    (datetime.date(2025, 4, 3), "date", "", False,
     {"userEnteredValue": {"numberValue": 45750}, "userEnteredFormat": {"numberFormat": {"type": "DATE"}}}),
    (datetime.date(2025, 4, 3), "date", "", True,
     {"userEnteredValue": {"numberValue": 45750},
      "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "yyyy-mm-dd"}}}),
    (Decimal("-721.28"), MONEY, "EUR", False,
     {"userEnteredValue": {"numberValue": -721.28},
      "userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": "#,##0.00"}}}),
    (Decimal("1500"), MONEY, "JPY", False,
     {"userEnteredValue": {"numberValue": 1500.0},
      "userEnteredFormat": {"numberFormat": {"type": "NUMBER", "pattern": "#,##0"}}}),
    (Decimal("5.5"), RATE, "", False,
     {"userEnteredValue": {"numberValue": 5.5}, "userEnteredFormat": {"numberFormat": {"type": "NUMBER",
                                                                                        "pattern": "0.0#"}}}),
    ("=1+1", TEXT, "", False, {"userEnteredValue": {"stringValue": "=1+1"}}),
    ("00123", TEXT, "", False, {"userEnteredValue": {"stringValue": "00123"}}),
    ("", TEXT, "", False, {}),
])
def test_given_a_typed_value_when_made_a_cell_then_numbers_dates_and_text_keep_their_type(
        value, kind, currency, iso, expected):
    assert cells.cell(value, kind, currency, iso) == expected


def test_given_several_receipts_when_made_a_cell_then_each_label_is_its_own_link():
    cell = cells.cell(Links((("Receipt 1", "https://a"), ("Receipt 2", "https://b"))), "links")

    assert cell["userEnteredValue"] == {"stringValue": "Receipt 1 · Receipt 2"}
    assert [r.get("format", {}).get("link", {}).get("uri") for r in cell["textFormatRuns"]] == \
        ["https://a", None, "https://b"]
    assert [r["startIndex"] for r in cell["textFormatRuns"]] == [0, 9, 12]


def test_given_a_transaction_when_its_row_is_built_then_values_are_typed_and_user_text_is_never_a_formula():
    row = build(LEDGER_COLUMNS, Facts(TX, datetime.date(2025, 4, 3)))
    by_key = {c.key: v for c, v in zip(LEDGER_COLUMNS, row.values)}

    assert by_key["amount"] == Decimal("-721.28") and by_key["vat_amount"] == Decimal("120.21")
    assert by_key["vat_rate"] == Decimal("5.5") and by_key["date"] == datetime.date(2025, 4, 3)
    assert by_key["counterparty"] == "+33 6 12 34 56 78" and by_key["note"] == "=1+1"
    assert row.transaction_id == "tx-1" and row.sort_key == "20250403T100000"


def test_given_the_same_transaction_when_built_twice_then_the_check_is_equal_and_a_change_moves_it():
    day = datetime.date(2025, 4, 3)
    first, again = build(LEDGER_COLUMNS, Facts(TX, day)), build(LEDGER_COLUMNS, Facts(dict(TX), day))
    changed = build(LEDGER_COLUMNS, Facts({**TX, "amount": 721.29}, day))
    linked = build(LEDGER_COLUMNS, Facts(TX, day, receipts=Links((("Receipt 1", "https://x"),))))

    assert first.check == again.check
    assert len({first.check, changed.check, linked.check}) == 3


@pytest.mark.parametrize("positions, expected", [([3, 1, 2], [(1, 3)]), ([0, 2, 3, 7], [(0, 1), (2, 2), (7, 1)]),
                                                 ([], [])])
def test_given_column_positions_when_grouped_then_each_contiguous_run_is_one_write(positions, expected):
    assert cells.runs(positions) == expected


def test_given_a_new_spreadsheet_when_laid_out_then_locale_zone_frozen_bold_header_and_column_identities_are_set():
    requests = cells.new_spreadsheet(0, "Ledger", LEDGER_COLUMNS, locale="de-DE", time_zone="Europe/Berlin",
                                     tab_key="ledger")
    kinds = [next(iter(r)) for r in requests]

    assert requests[0]["updateSpreadsheetProperties"]["properties"] == {"locale": "de_DE", "timeZone": "Europe/Berlin"}
    assert requests[1]["updateSheetProperties"]["properties"]["gridProperties"] == {"frozenRowCount": 1}
    assert kinds.count("createDeveloperMetadata") == len(LEDGER_COLUMNS) + 1
    header = requests[2]["updateCells"]["rows"][0]["values"]
    assert header[0] == {"userEnteredValue": {"stringValue": "Date"}, "userEnteredFormat": {"textFormat": {"bold": True}}}


def test_given_a_minute_quota_when_more_calls_come_then_the_extra_one_waits_for_the_oldest_to_age():
    now, slept = [0.0], []
    window = MinuteWindow(2, clock=lambda: now[0], sleep=slept.append)

    window.acquire()
    now[0] = 10.0
    window.acquire()
    now[0] = 20.0
    window.acquire()

    assert slept == [40.0]


def test_given_the_sheets_discovery_document_when_made_lean_then_every_method_still_builds_its_request():
    import json

    from googleapiclient import discovery, discovery_cache
    from googleapiclient.http import build_http

    from destination_gdrive_receipts.drive.sheets import lean

    doc = lean(json.loads(discovery_cache.get_static_doc("sheets", "v4")))
    doc["rootUrl"] = "http://127.0.0.1:9/"
    sheets = discovery.build_from_document(doc, http=build_http()).spreadsheets()

    request = sheets.batchUpdate(spreadsheetId="s1", body={"requests": [{"updateCells": {"fields": "*"}}]})
    search = sheets.developerMetadata().search(spreadsheetId="s1", body={"dataFilters": []})
    values = sheets.values().batchGetByDataFilter(spreadsheetId="s1", body={"dataFilters": []})

    assert request.uri.startswith("http://127.0.0.1:9/v4/spreadsheets/s1:batchUpdate")
    assert json.loads(request.body) == {"requests": [{"updateCells": {"fields": "*"}}]}
    assert "/developerMetadata:search" in search.uri and "/values:batchGetByDataFilter" in values.uri
