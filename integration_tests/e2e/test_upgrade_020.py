"""Upgrade from 0.2.0: ledgers rebuilt from the bank's data, never from the possibly misread cells.

0.2.0 made its ledgers by uploading a CSV converted to a Sheet: Drive parsed the numbers and dates in
the Google account's language, so a fr-FR ledger (its default) in an en_US account holds -72128 for
-721,28. The first sync after the upgrade gets a transactions state without the format marker: the
source reads every transaction again and the destination replaces each 0.2.0 ledger whole.
"""

from __future__ import annotations

import datetime
import io

import pytest
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.destination import ledger_view
from integration_tests.e2e.test_ledger import expected_rows, ledger_problems, live_ledgers
from integration_tests.emulators.drive.client import build_drive
from integration_tests.emulators.drive.conversion import SHEET

pytestmark = pytest.mark.slow
EPOCH = datetime.date(1899, 12, 30)      # Sheets' date serial 0


def _as_written_by_020(world) -> dict[str, int]:
    """Each ledger swapped for what 0.2.0 left (a fr-FR CSV converted in the en_US account), and the
    transactions state stripped of its format marker. Returns old ledger id → its row count."""
    client, old = build_drive(world.drive), {}
    for records in live_ledgers(world.drive).values():
        record = records[0]
        rows = ledger_view.rows(world.drive.spreadsheet(record.id))
        lines = ["Date,Amount,Transaction id"] + [
            f'{EPOCH + datetime.timedelta(days=int(r["date"])):%d/%m/%Y},"{r["amount"]:.2f}",{r["transaction_id"]}'
            .replace(".", ",") for r in rows]
        markers = {k: v for k, v in record.app_properties.items() if k not in ("v", "dg")}
        world.drive.user_delete(record.id)
        made = client.files().create(
            body={"name": record.name, "mimeType": SHEET, "parents": record.parents, "appProperties": markers},
            media_body=MediaIoBaseUpload(io.BytesIO("\r\n".join(lines).encode()), "text/csv")).execute()
        old[made["id"]] = len(rows)
    (state,) = [s for s in world.pipeline.state if s["stream"]["stream_descriptor"]["name"] == "transactions"]
    assert state["stream"]["stream_state"].pop("ledger_rows") == 2
    return old


def _converted_amounts(drive, ids):
    """(transaction id, amount as Drive's conversion parsed it) of each row of the 0.2.0 ledgers."""
    for file_id in ids:
        sheet = drive.spreadsheet(file_id).sheets[0]
        for r in range(1, len(sheet.rows)):
            cells = [(sheet.cell(r, c) or {}).get("userEnteredValue") or {} for c in (1, 2)]
            yield cells[1].get("stringValue"), cells[0].get("numberValue")


def test_given_020_ledgers_with_misread_amounts_and_a_020_state_when_synced_once_then_every_ledger_holds_the_banks_exact_rows(world):
    world.sync()
    old = _as_written_by_020(world)
    bank_amounts = {tx: amount for rows in expected_rows(world.bank).values() for tx, (_, amount, _) in rows.items()}
    misread = [tx for tx, amount in _converted_amounts(world.drive, old) if amount != bank_amounts[tx]]
    assert misread and len(old) >= 3          # the world really is 0.2.0's

    result = world.sync()

    assert ledger_problems(world.bank, world.drive) == []       # every transaction once, typed, exact
    assert all(world.drive.files[i].trashed for i in old)
    # Every transaction came again (declined ones too, which have no row).
    assert result.sent.records["transactions"] >= sum(len(rows) for rows in expected_rows(world.bank).values())
    logs = [m["log"]["message"] for m in result.messages if m.get("type") == "LOG"]
    assert any("written by 0.2.0" in line for line in logs)
    world.drive.reset_counters()
    quiet = world.sync()          # the platform handed the state back with its marker: incremental as before
    assert quiet.sent.records["transactions"] == 0
    assert world.drive.counts["write"] + world.drive.counts["sheets.write"] == 0
