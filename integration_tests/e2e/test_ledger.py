"""Ledgers and the Missing receipts list across a user's syncs, both connectors as processes.

The oracle is the bank's own data: every completed or pending transaction has one row in the ledger
of its account and period (settled date, else emitted date, Europe/Paris), its amount a number equal
to the bank's (negative for a debit), its date the filing date, with a link to each of its receipts
in Drive; a debit without receipt is in the root list.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from integration_tests.e2e.drive_view import EXPORTED_STATUSES, receipt_files
from integration_tests.destination import ledger_view
from integration_tests.emulators.drive.sheets.locales import serial

pytestmark = pytest.mark.slow


def _day(millis: int):
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).astimezone(ZoneInfo("Europe/Paris")).date()


def expected_rows(bank) -> dict[tuple[str, str], dict[str, tuple]]:
    """(account id, period) → transaction id → (attachment ids, signed amount, serial date), from the bank."""
    out: dict[tuple[str, str], dict[str, tuple]] = defaultdict(dict)
    with bank.dataset.lock:
        for txn in bank.dataset.transactions.values():
            if txn.status in EXPORTED_STATUSES:
                day = _day(txn.settled_ms or txn.emitted_ms)
                amount = txn.amount_cents / 100 * (-1 if txn.side == "debit" else 1)
                out[(txn.bank_account_id, f"{day:%Y-%m}")][txn.id] = (tuple(txn.attachment_ids), amount, serial(day))
    return out


def expected_missing(bank) -> list[str]:
    with bank.dataset.lock:
        missing = [t for t in bank.dataset.transactions.values()
                   if t.status in EXPORTED_STATUSES and t.side == "debit" and not t.attachment_ids]
    return [t.id for t in sorted(missing, key=lambda t: (serial(_day(t.settled_ms or t.emitted_ms)), t.id), reverse=True)]


def live_ledgers(drive) -> dict[tuple[str, str], list]:
    found = defaultdict(list)
    for record in list(drive.files.values()):
        props = record.app_properties
        if props.get("kind") == "ledger" and not record.trashed:
            found[(props["acct"], props["period"])].append(record)
    return found


def ledger_problems(bank, drive) -> list[str]:
    """What differs between the ledgers in Drive and the bank (empty when every ledger is exact)."""
    problems = []
    ledgers = live_ledgers(drive)
    receipts = {att: files[0].id for att, files in receipt_files(drive).items()}
    live_periods = {(f.app_properties["acct"], f.app_properties["period"]) for f in drive.files.values()
                    if f.app_properties.get("kind") == "period" and not f.trashed}
    for key, transactions in sorted(expected_rows(bank).items()):
        if key not in live_periods:
            if key in ledgers:
                problems.append(f"{key}: a ledger in a period folder the user deleted")
            continue
        if len(ledgers.get(key, [])) != 1:
            problems.append(f"{key}: {len(ledgers.get(key, []))} ledgers")
            continue
        book = drive.spreadsheet(ledgers[key][0].id)
        rows = ledger_view.rows(book)
        table = {r["transaction_id"]: (i + 1, r) for i, r in enumerate(rows)}
        if len(rows) != len(table) or set(table) != set(transactions):
            problems.append(f"{key}: rows {sorted(set(table) ^ set(transactions))} differ (or repeat)")
            continue
        for tx_id, (attachments, amount, day) in transactions.items():
            at, row = table[tx_id]
            links = set(ledger_view.links(book, _row_index(book, tx_id)))
            wanted = {f"https://drive.google.com/file/d/{receipts[a]}/view" for a in attachments if a in receipts}
            if links != wanted:
                problems.append(f"{key} {tx_id}: links {sorted(links)} != {sorted(wanted)}")
            if abs(row["amount"] - amount) > 1e-9 or row["date"] != day:
                problems.append(f"{key} {tx_id}: {row['amount']} on {row['date']} != {amount} on {day}")
    extra = set(ledgers) - set(expected_rows(bank))
    problems += [f"{key}: ledger without transactions" for key in sorted(extra)]
    return problems


def _row_index(book, tx_id: str) -> int:
    sheet, columns = ledger_view.connector_tab(book)
    return next(r for r in range(len(sheet.rows))
                if (sheet.cell(r, columns["transaction_id"]) or {}).get("userEnteredValue", {}).get("stringValue") == tx_id)


def missing_rows(drive) -> list[str]:
    """The list's transaction ids, newest first (the order a user gets by sorting on the date)."""
    (record,) = [r for r in drive.files.values() if r.app_properties.get("kind") == "missing" and not r.trashed]
    rows = ledger_view.rows(drive.spreadsheet(record.id))
    return [r["transaction_id"] for r in sorted(rows, key=lambda r: (r["date"], r["transaction_id"]), reverse=True)]


def test_given_a_backfill_when_synced_then_every_period_has_an_exact_ledger_and_nothing_changes_next_night(world):
    world.sync()

    assert ledger_problems(world.bank, world.drive) == []
    assert missing_rows(world.drive) == expected_missing(world.bank)
    assert world.sync_counting_drive_writes() == 0


def test_given_late_receipt_settlement_and_decline_when_synced_then_ledgers_follow_with_few_writes(world):
    world.sync()
    main = next(a for a in world.bank.dataset.accounts.values() if a.main)
    pending = world.bank.add_transaction(main.id, amount=40.0, label="Péage", status="pending",
                                         emitted_at="2025-10-31T21:00:00.000Z", settled_at=None)
    world.sync()
    old = min((t for t in world.bank.dataset.transactions.values()
               if t.status == "completed" and t.side == "debit" and not t.attachment_ids), key=lambda t: t.emitted_ms)
    world.bank.add_attachment(old.id, file_name="retrouvé.pdf", size=10_000)
    world.bank.settle(pending["id"], settled_at="2025-11-03T10:00:00.000Z")    # October → November
    declined = next(t for t in world.bank.dataset.transactions.values() if t.status == "completed" and t.id != old.id)
    world.bank.decline(declined.id)
    world.drive.reset_counters()

    result = world.sync()

    assert ledger_problems(world.bank, world.drive) == []
    assert missing_rows(world.drive) == expected_missing(world.bank)
    assert old.id not in missing_rows(world.drive)
    # at most: October, November, the late receipt's and the declined one's periods, and the list
    summary = next(m["log"]["message"] for m in result.messages
                   if m.get("type") == "LOG" and "ledger write(s)" in m["log"]["message"])
    writes = int(summary.split(" ledger write(s)")[0].rsplit(" ", 1)[1])
    touched = int(summary.split(" period(s) touched")[0].rsplit(" ", 1)[1])
    assert touched <= 4 and writes <= touched + 1


def test_given_a_sync_killed_while_writing_ledgers_when_synced_again_then_no_row_is_lost(world):
    world.sync()
    accounts = [a.id for a in world.bank.dataset.accounts.values() if a.status == "active"]
    for month in ("03", "06", "09"):
        world.bank.add_transaction(accounts[0], amount=9.0, label=f"Kiosque {month}",
                                   emitted_at=f"2025-{month}-20T10:00:00.000Z")
    versions = {r.id: r.version for recs in live_ledgers(world.drive).values() for r in recs}

    def first_ledger_rewritten() -> bool:
        return any(r.version != versions.get(r.id) for recs in live_ledgers(world.drive).values() for r in recs)

    killed = world.sync(expect_success=False, kill_destination_when=first_ledger_rewritten)
    assert killed.killed
    assert all(s.get("stream", {}).get("stream_descriptor", {}).get("name") != "transactions" for s in killed.states)

    world.sync()

    assert ledger_problems(world.bank, world.drive) == []
    assert missing_rows(world.drive) == expected_missing(world.bank)


def test_given_user_trashes_a_ledger_and_a_period_folder_when_synced_then_the_ledger_returns_and_the_folder_stays_away(
        world):
    world.sync()
    ledgers = live_ledgers(world.drive)
    (trashed_ledger,), (folder_ledger,) = [ledgers[k] for k in sorted(ledgers)[:2]]
    world.drive.user_trash(trashed_ledger.id)
    period_folder = folder_ledger.parents[0]
    world.drive.user_trash(period_folder)

    world.sync()

    assert ledger_problems(world.bank, world.drive) == []
    assert not world.drive.files[trashed_ledger.id].trashed            # put back, same file
    assert world.drive.files[period_folder].trashed                     # not recreated for its ledger
    assert world.sync_counting_drive_writes() == 0

    # A receipt attached now to that period recreates the folder, and its ledger comes back whole.
    account, period = folder_ledger.app_properties["acct"], folder_ledger.app_properties["period"]
    world.bank.add_transaction(account, amount=7.5, label="Boulangerie Paul", emitted_at=f"{period}-15T08:00:00.000Z",
                               attachments=[{"file_name": "pain.jpg", "content_type": "image/jpeg", "size": 5_000}])
    world.sync()

    assert ledger_problems(world.bank, world.drive) == []
