"""Ledgers and the missing-receipts list, written by the destination process against the Drive emulator."""

from __future__ import annotations

import csv
import io

import pytest

from integration_tests.destination import messages as M
from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, MISSING_COLUMNS
from integration_tests.destination import ledger_view
from integration_tests.destination.harness import run_write
from integration_tests.emulators.drive.conversion import SHEET

pytestmark = pytest.mark.slow     # each run starts the destination process (~2 s idle, more on a loaded machine)

APRIL = [M.receipt(n, settled_at=f"2025-04-0{n}T10:00:00Z", created_at=f"2025-04-0{n}T12:00:00Z") for n in (1, 2)]


def transaction(n: int, *, account: str = "acc-main", settled_at: str | None = "2025-04-05T10:00:00Z",
                emitted_at: str = "2025-04-05T09:00:00Z", attachments=(), required: bool = True,
                lost: bool = False, status: str | None = None, amount: float = 30.0, label: str = "Shop") -> dict:
    return {"id": f"tx-{n:04d}", "bank_account_id": account, "amount": amount, "currency": "EUR", "side": "debit",
            "status": status or ("completed" if settled_at else "pending"), "settled_at": settled_at,
            "emitted_at": emitted_at, "updated_at": settled_at or emitted_at, "label": label,
            "attachment_ids": list(attachments), "attachment_required": required, "attachment_lost": lost,
            "vat_amount": 5.0, "vat_rate": 20.0, "category": "fees", "note": None}


def for_receipt(meta: dict, n: int) -> dict:
    return {**transaction(n, account=meta["bank_account_id"], settled_at=meta["settled_at"],
                          emitted_at=meta["emitted_at"], attachments=[meta["attachment_id"]], amount=meta["amount"],
                          label=meta["label"]), "id": meta["transaction_id"]}


def sync_messages(receipts=(), transactions=()) -> list[dict]:
    out = [M.record("bank_accounts", a) for a in M.ACCOUNTS.values()]
    out += M.receipts_messages([(m, M.content_of(i)) for i, m in enumerate(receipts)]) if receipts else []
    out += [M.record("transactions", t) for t in transactions]
    out.append(M.state("transactions", {"cursor": "end"}))
    return out


HEADERS = {c.key: c.header for c in LEDGER_COLUMNS + MISSING_COLUMNS}


def _sheet_rows(drive, record, shown: bool = False) -> list[dict]:
    return [{HEADERS.get(k, k): v for k, v in row.items()}
            for row in ledger_view.rows(drive.spreadsheet(record.id), shown=shown)]


def ledgers(drive, shown: bool = False) -> dict[str, list[dict]]:
    """Period → rows (header → typed value, or as displayed) of every live ledger."""
    out = {}
    for record in drive.files.values():
        if record.app_properties.get("kind") == "ledger" and not record.trashed:
            if record.mime_type == SHEET:
                out[record.app_properties["period"]] = _sheet_rows(drive, record, shown)
            else:
                rows = list(csv.reader(io.StringIO(record.content.decode())))
                out[record.app_properties["period"]] = [dict(zip(rows[0], r)) for r in rows[1:]]
    return out


def receipt_links(drive, period: str) -> dict[str, list[str]]:
    """Transaction id → the links of its Receipts cell, in the live ledger of `period`."""
    (record,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "ledger"
                 and r.app_properties.get("period") == period and not r.trashed]
    book = drive.spreadsheet(record.id)
    sheet, columns = ledger_view.connector_tab(book)
    out = {}
    for r in range(1, len(sheet.rows)):
        tx = (sheet.cell(r, columns["transaction_id"]) or {}).get("userEnteredValue", {}).get("stringValue")
        if tx:
            out[tx] = ledger_view.links(book, r)
    return out


def missing_ids(drive) -> list[str]:
    """Transaction ids of the Missing receipts list, newest first."""
    (record,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "missing" and not r.trashed]
    rows = _sheet_rows(drive, record)
    return [r["Transaction id"] for r in sorted(rows, key=lambda r: (r["Date"], r["Transaction id"]), reverse=True)]


def test_given_receipts_and_transactions_when_written_then_each_period_has_a_ledger_and_the_root_a_missing_list(
        drive, config, tmp_path):
    txs = [for_receipt(m, i) for i, m in enumerate(APRIL)] + [
        transaction(10), transaction(11, lost=True), transaction(12, required=False),
        transaction(13, status="declined", settled_at=None),
        transaction(14, settled_at="2025-05-02T08:00:00Z", emitted_at="2025-05-01T08:00:00Z")]

    result = run_write(tmp_path, config, sync_messages(APRIL, txs))

    assert result.returncode == 0, result.stderr
    books = ledgers(drive)
    assert sorted(books) == ["2025-04", "2025-05"]
    april = {row["Transaction id"]: row for row in books["2025-04"]}
    assert set(april) == {"tx-0001", "tx-0002", "tx-0010", "tx-0011", "tx-0012"}       # declined left out
    assert april["tx-0001"]["Receipt status"] == "receipt present" and april["tx-0001"]["Receipts"] == "Receipt 1"
    assert april["tx-0010"]["Receipt status"] == "receipt missing"
    assert april["tx-0011"]["Receipt status"] == "declared lost"
    assert april["tx-0012"]["Receipt status"] == "not required"
    assert april["tx-0010"]["Amount"] == -30 and april["tx-0010"]["Date"] == 45752          # typed: 5 April 2025
    assert missing_ids(drive) == ["tx-0014", "tx-0010"]
    assert "still miss a receipt" in result.logs
    assert result.states[-1]["stream"]["stream_descriptor"]["name"] == "transactions"


def test_given_written_ledgers_when_same_transactions_come_again_then_nothing_is_written(drive, config, tmp_path):
    txs = [for_receipt(m, i) for i, m in enumerate(APRIL)] + [transaction(10)]
    assert run_write(tmp_path, config, sync_messages(APRIL, txs)).returncode == 0
    drive.reset_counters()

    result = run_write(tmp_path, config, sync_messages((), txs))

    assert result.returncode == 0, result.stderr
    assert drive.counts["write"] == 0 and drive.counts["sheets.write"] == 0
    assert "0 ledger write(s)" in result.logs


def test_given_a_missing_receipt_when_it_arrives_later_then_only_its_ledger_and_the_list_change(
        drive, config, tmp_path):
    late = M.receipt(7, settled_at="2025-04-07T10:00:00Z", created_at="2025-05-01T12:00:00Z")
    may = transaction(20, settled_at="2025-05-03T10:00:00Z", emitted_at="2025-05-03T09:00:00Z")
    first = [{**for_receipt(late, 7), "attachment_ids": []}, may]
    assert run_write(tmp_path, config, sync_messages((), first)).returncode == 0
    assert missing_ids(drive) == ["tx-0020", "tx-0007"]
    drive.reset_counters()

    result = run_write(tmp_path, config, sync_messages([late], [for_receipt(late, 7)]))

    assert result.returncode == 0, result.stderr
    april = {row["Transaction id"]: row for row in ledgers(drive)["2025-04"]}
    assert april["tx-0007"]["Receipt status"] == "receipt present" and april["tx-0007"]["Receipts"]
    assert missing_ids(drive) == ["tx-0020"]
    assert "2 ledger write(s) (missing list rewritten)" in result.logs


def test_given_a_pending_payment_when_it_settles_next_month_then_its_row_moves(drive, config, tmp_path):
    pending = transaction(30, settled_at=None, emitted_at="2025-04-30T20:00:00Z")
    assert run_write(tmp_path, config, sync_messages((), [pending, transaction(31)])).returncode == 0
    assert "tx-0030" in {r["Transaction id"] for r in ledgers(drive)["2025-04"]}

    settled = {**pending, "status": "completed", "settled_at": "2025-05-02T08:00:00Z"}
    result = run_write(tmp_path, config, sync_messages((), [settled]))

    assert result.returncode == 0, result.stderr
    books = ledgers(drive)
    assert {r["Transaction id"] for r in books["2025-04"]} == {"tx-0031"}
    assert {r["Transaction id"] for r in books["2025-05"]} == {"tx-0030"}


def test_given_a_transaction_declined_later_when_written_then_its_row_and_missing_entry_go(drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(40), transaction(41)])).returncode == 0

    result = run_write(tmp_path, config, sync_messages((), [transaction(40, status="declined", settled_at=None)]))

    assert result.returncode == 0, result.stderr
    assert {r["Transaction id"] for r in ledgers(drive)["2025-04"]} == {"tx-0041"}
    assert missing_ids(drive) == ["tx-0041"]


def test_given_csv_option_when_written_then_the_ledger_is_a_plain_csv_file(drive, config, tmp_path):
    result = run_write(tmp_path, {**config, "ledger": "csv"}, sync_messages((), [transaction(50)]))

    assert result.returncode == 0, result.stderr
    (ledger,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "ledger"]
    assert ledger.mime_type == "text/csv" and ledger.name == "Ledger 2025-04.csv"
    assert b"tx-0050" in drive.content(ledger.id)


def test_given_ledger_off_when_written_then_no_ledger_and_transactions_state_is_passed_on(drive, config, tmp_path):
    result = run_write(tmp_path, {**config, "ledger": "off"}, sync_messages((), [transaction(60)]))

    assert result.returncode == 0, result.stderr
    # Held to the end of input, where the bank's corrections are applied, then passed on.
    assert [s["stream"]["stream_descriptor"]["name"] for s in result.states] == ["transactions"]
    assert not [r for r in drive.files.values() if r.app_properties.get("kind") in ("ledger", "missing")]


def test_given_pyairbyte_generation_fields_on_an_incremental_read_when_synced_again_then_older_rows_stay(
        drive, config, tmp_path):
    # PyAirbyte sends generation_id = minimum_generation_id = 1 on every sync (see ledger/hooks.py).
    catalog = M.catalog(generation_id=1)
    for stream in catalog["streams"]:
        stream["minimum_generation_id"] = 1
    assert run_write(tmp_path, config, sync_messages((), [transaction(70)]), catalog=catalog).returncode == 0

    result = run_write(tmp_path, config, sync_messages((), [transaction(71)]), catalog=catalog)

    assert result.returncode == 0, result.stderr
    assert {r["Transaction id"] for r in ledgers(drive)["2025-04"]} == {"tx-0070", "tx-0071"}
    assert sorted(missing_ids(drive)) == ["tx-0070", "tx-0071"]


def test_given_a_full_refresh_read_when_synced_then_ledgers_are_rebuilt_from_it(drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(80), transaction(81)])).returncode == 0
    catalog = M.catalog()
    for stream in catalog["streams"]:
        if stream["stream"]["name"] == "transactions":
            stream.update(sync_mode="full_refresh", destination_sync_mode="overwrite")

    result = run_write(tmp_path, config, sync_messages((), [transaction(81)]), catalog=catalog)

    assert result.returncode == 0, result.stderr
    assert {r["Transaction id"] for r in ledgers(drive)["2025-04"]} == {"tx-0081"}
    assert missing_ids(drive) == ["tx-0081"]


def test_given_a_user_edit_when_rows_do_not_change_then_it_stays_and_a_changed_row_replaces_only_itself(
        drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(90), transaction(91)])).returncode == 0
    (record,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "ledger"]
    sheet, columns = ledger_view.connector_tab(drive.spreadsheet(record.id))
    for r in (1, 2):                                                     # what a user types in the Sheet
        sheet.put(r, columns["note"], {"userEnteredValue": {"stringValue": "checked by the accountant"}})
    drive.reset_counters()

    quiet = run_write(tmp_path, config, sync_messages((), [transaction(90), transaction(91)]))
    assert quiet.returncode == 0 and drive.counts["write"] == drive.counts["sheets.write"] == 0

    changed = run_write(tmp_path, config, sync_messages((), [transaction(90, amount=45.0)]))

    assert changed.returncode == 0, changed.stderr
    rows = {r["Transaction id"]: r for r in ledgers(drive)["2025-04"]}
    assert rows["tx-0090"]["Amount"] == -45 and rows["tx-0090"]["Note"] == ""          # replaced by the bank's
    assert rows["tx-0091"]["Note"] == "checked by the accountant"                      # kept


def test_given_user_trashed_the_ledger_and_the_list_when_a_sync_opens_drive_then_both_come_back_without_a_read(
        drive, config, bank, tmp_path):
    from integration_tests.destination.test_write_reconcile import index_messages

    txs = [for_receipt(m, i) for i, m in enumerate(APRIL)] + [transaction(10)]
    assert run_write(tmp_path, config, sync_messages(APRIL, txs)).returncode == 0
    kept = {r.app_properties["kind"]: r.id for r in drive.files.values()
            if r.app_properties.get("kind") in ("ledger", "missing")}
    for file_id in kept.values():
        drive.user_trash(file_id)
    drive.reset_counters()

    result = run_write(tmp_path, config, index_messages(bank, APRIL))      # a quiet night: only the index

    assert result.returncode == 0, result.stderr
    assert not any(drive.files[i].trashed for i in kept.values())
    assert drive.counts["sheets.read"] == drive.counts["sheets.write"] == 0 and drive.counts["write"] == 2
    assert {r["Transaction id"] for r in ledgers(drive)["2025-04"]} == {"tx-0001", "tx-0002", "tx-0010"}


def test_given_a_ledger_deleted_forever_when_its_period_changes_then_it_comes_back_with_a_warning(
        drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(95), transaction(96)])).returncode == 0
    (ledger,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "ledger"]
    drive.user_delete(ledger.id)

    result = run_write(tmp_path, config, sync_messages((), [transaction(96, amount=1.0)]))

    assert result.returncode == 0, result.stderr
    assert {r["Transaction id"] for r in ledgers(drive)["2025-04"]} == {"tx-0096"}     # what Drive still allows
    assert "is gone from Drive (deleted forever?)" in result.logs
