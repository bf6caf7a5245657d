"""A yearly ledger of 40,000 transactions through the Sheets API: written in batches under Google's
advised payload, then merged by reading two of its columns only (no 10 MB export cap on this path)."""

from __future__ import annotations

import datetime
import os

import pytest

from destination_gdrive_receipts.config import parse_config
from destination_gdrive_receipts.drive.sheets import SheetsClient
from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, Facts
from destination_gdrive_receipts.ledger.sheet_table import ROWS_PER_BATCH, SheetTable
from destination_gdrive_receipts.ledger.typed import build
from integration_tests.destination import ledger_view
from integration_tests.emulators.drive.client import build_drive
from integration_tests.emulators.drive.conversion import SHEET

ROWS = 40_000


def _row(n: int, amount: float = 12.5):
    day = datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 365)
    tx = {"id": f"tx-{n:06d}", "amount": amount, "currency": "EUR", "side": "debit", "status": "completed",
          "settled_at": f"{day.isoformat()}T10:00:00Z", "label": f"Shop {n}"}
    return build(LEDGER_COLUMNS, Facts(tx, day))


@pytest.mark.large
@pytest.mark.skipif(os.environ.get("RUN_LARGE_TESTS") != "1", reason="production scale: make test-large")
def test_given_a_40000_row_yearly_ledger_when_written_and_merged_then_every_row_is_there_once_and_right(drive):
    client = SheetsClient(parse_config(drive.destination_config()))
    table = SheetTable(client, LEDGER_COLUMNS, tab_key="ledger", tab_title="Ledger", locale="fr-FR",
                       time_zone="Europe/Paris")
    sheet_id = build_drive(drive).files().create(body={"name": "Ledger 2025", "mimeType": SHEET}).execute()["id"]
    rows = [_row(n) for n in range(ROWS)]

    writes = table.fill_new(sheet_id, rows)
    drive.reset_counters()
    outcome = table.merge(sheet_id, {"tx-000007": _row(7, amount=99.0), "tx-999999": _row(999_999)}, ())

    assert writes == -(-ROWS // ROWS_PER_BATCH)
    assert outcome.writes == 1 and drive.counts["sheets.read"] == 2
    found = ledger_view.rows(drive.spreadsheet(sheet_id))
    assert len(found) == ROWS + 1 and len({r["transaction_id"] for r in found}) == ROWS + 1
    assert next(r for r in found if r["transaction_id"] == "tx-000007")["amount"] == -99
