"""`make demo`: the whole product on one machine, with no account anywhere.

Starts emulators of the Qonto API and of Google Drive on 127.0.0.1 with a year of sample data,
then runs the real connectors through PyAirbyte three times, keeping the state in .demo/:

  1. backfill      every receipt since the start date is filed in Drive;
  2. no change     the same sync again: nothing is written;
  3. new activity  new transactions, a receipt attached late to an old one, a pending card payment
                   that settled the next month, a receipt the user deleted in Drive.

Prints the Drive tree, one period's ledger and the Missing receipts list, and one line per run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tools import drive_tree
from tools.pyairbyte_sync import run_sync
from tools.sync_report import human_bytes

ACCOUNTANT = {"email": "comptable@cabinet-exemple.fr", "role": "reader"}


@dataclass
class RunRow:
    title: str
    outcomes: dict
    receipt_files: int
    receipt_bytes: int
    drive_writes: int
    bank_calls: int
    seconds: float


def sample_bank(quick: bool):
    from integration_tests.emulators.bank import MiB, make_sample_dataset

    if quick:
        return make_sample_dataset(seed=2025, transactions=40, receipts=14, large_receipt_sizes=(int(3.5 * MiB),),
                                   probative=SEALING)
    return make_sample_dataset(
        seed=2025, accounts=3, closed_accounts=1, transactions=200, receipts=80,
        large_receipt_sizes=(int(3.5 * MiB), 5 * MiB, 9 * MiB), start="2025-01-01", end="2025-12-31",
        probative=SEALING,
    )


# Sealed (probative) copies: most made, a few still being sealed, some never produced by the bank.
SEALING = (("available", 8), ("pending", 1), ("unavailable", 1))


def print_sealed_copies(drive) -> None:
    """One period folder's files (sealed copies beside their originals) and the seal check's summary."""
    from destination_gdrive_receipts.config import parse_config
    from destination_gdrive_receipts.sync import open_gateway
    from tools.seals import report_lines, tally
    from tools.verify_seals import root_ids, verify

    sealed = [f for f in drive.files.values() if (f.app_properties or {}).get("var") == "probative" and not f.trashed]
    if not sealed:
        return
    folder = sealed[0].parents[0]
    names = sorted(f.name for f in drive.files.values() if folder in f.parents and not f.trashed
                   and (f.app_properties or {}).get("kind") == "receipt")
    print(f"\nSealed copies beside their originals, in {drive.files[folder].name}/:")
    print("\n".join(f"  {name}" for name in names[:6]))
    config = parse_config(drive.destination_config())
    gateway = open_gateway(config)
    results = list(verify(gateway, root_ids(gateway, config.root_folder_name)))
    intact = sum(r.intact for *_, r in results)
    print(f"Seal check (make verify): {intact} of {len(results)} sealed copies intact; for example")
    print("\n".join(f"  {line}" for line in report_lines(tally((a, p, r) for a, p, _, r in results))[:3]))


@contextlib.contextmanager
def quiet(log_path: Path):
    """PyAirbyte and the connector processes talk on stdout/stderr; the demo keeps that in a log."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(2)
    with open(log_path, "a") as log:
        os.dup2(log.fileno(), 2)
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def one_run(title: str, bank, drive, state_dir: Path) -> RunRow:
    print(f"… {title}", flush=True)
    bank.reset_counters()
    drive.reset_counters()
    with quiet(state_dir / "demo.log"):
        run = run_sync(
            bank.source_config(start_date="2025-01-01", probative_copies=True),
            drive.destination_config(share_with=[ACCOUNTANT]),
            state_dir=state_dir,
        )
    return RunRow(
        title=title,
        outcomes=run.tally.outcomes,
        receipt_files=run.tally.receipt_files,
        receipt_bytes=run.tally.receipt_bytes,
        drive_writes=drive.counts["write"],
        bank_calls=bank.count(prefix="/v2/") + bank.count(prefix="/_s3/"),
        seconds=run.seconds,
    )


def new_activity(bank, drive) -> list[str]:
    """What happens between two nights; returns a description of each change."""
    data = bank.dataset
    main = next(account for account in data.accounts.values() if account.main)
    bank.add_transaction(main.id, amount=64.8, label="Boulangerie Paul", emitted_at="2025-12-30T07:45:00.000Z",
                         attachments=[{"file_name": "Reçu boulangerie.jpg", "content_type": "image/jpeg", "size": 48_000}])
    bank.add_transaction(main.id, amount=1290.0, label="OVHcloud", emitted_at="2025-12-30T10:00:00.000Z",
                         attachments=[{"file_name": "Facture OVH n°2025-1207.pdf", "content_type": "application/pdf",
                                       "size": 180_000}])
    bank.add_transaction(main.id, amount=3500.0, side="credit", label="Client Dupont & Fils", operation_type="income",
                         emitted_at="2025-12-30T14:00:00.000Z")
    old = min((t for t in data.transactions.values() if t.status == "completed" and not t.attachment_ids),
              key=lambda t: t.emitted_ms)
    bank.add_attachment(old.id, file_name="ticket retrouvé.pdf", content_type="application/pdf", size=35_000)
    changes = [
        "3 new transactions (2 with a receipt)",
        f"a receipt attached late to a transaction of {time.strftime('%B %Y', time.gmtime(old.emitted_ms / 1000))}",
    ]
    pending = next((t for t in data.transactions.values() if t.status == "pending" and t.attachment_ids), None)
    if pending is not None:
        bank.settle(pending.id, settled_at="2026-01-02T09:00:00.000Z")
        changes.append(f"a pending card payment ({pending.label}) settled on 2026-01-02")
    victim = next(f for f in drive.files.values() if (f.app_properties or {}).get("kind") == "receipt" and not f.trashed)
    drive.user_delete(victim.id)
    changes.append(f"the user deleted “{victim.name}” in Drive")
    return changes


def print_table(rows: list[RunRow]) -> None:
    header = f"{'run':<16}{'uploaded':>9}{'skipped':>9}{'restored':>9}{'moved':>7}{'receipts read':>16}{'Drive writes':>14}{'bank calls':>12}{'time':>9}"
    print(header)
    print("─" * len(header))
    for row in rows:
        o = row.outcomes
        read = f"{row.receipt_files} ({human_bytes(row.receipt_bytes)})"
        print(f"{row.title:<16}{o.get('uploaded', 0):>9}{o.get('skipped', 0):>9}{o.get('restored', 0):>9}"
              f"{o.get('moved', 0):>7}{read:>16}{row.drive_writes:>14}{row.bank_calls:>12}{row.seconds:>8.1f}s")


def _latest(drive, kind: str) -> list:
    found = [f for f in drive.files.values() if (f.app_properties or {}).get("kind") == kind and not f.trashed]
    return sorted(found, key=lambda f: f.app_properties.get("period", ""), reverse=True)


def read_connector_table(sheets, spreadsheet_id: str) -> tuple[list[str], list[list], list[list]]:
    """Through the Sheets API, as any client would: the connector's columns found by their developer
    metadata, then their values typed (UNFORMATTED_VALUE) and as the spreadsheet displays them."""
    found = sheets.spreadsheets().developerMetadata().search(spreadsheetId=spreadsheet_id, body={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "receipts.column"}}]}).execute()
    keys = [m["developerMetadata"]["metadataValue"] for m in found.get("matchedDeveloperMetadata", [])]
    columns = []
    for option in ("UNFORMATTED_VALUE", "FORMATTED_VALUE"):
        answer = sheets.spreadsheets().values().batchGetByDataFilter(spreadsheetId=spreadsheet_id, body={
            "dataFilters": [{"developerMetadataLookup": {"metadataKey": "receipts.column", "metadataValue": k}}
                            for k in keys], "valueRenderOption": option, "majorDimension": "COLUMNS"}).execute()
        columns.append([(v["valueRange"].get("values") or [[]])[0] for v in answer["valueRanges"]])
    height = max((len(c) for c in columns[0]), default=0)
    rows = [[[c[r] if r < len(c) else "" for c in cols] for r in range(1, height)] for cols in columns]
    return keys, rows[0], rows[1]


def print_ledgers(drive, rows_shown: int = 8) -> None:
    """The latest ledger of the main account and the Missing receipts list, read back through the Sheets API."""
    from integration_tests.emulators.drive.client import build_sheets

    sheets = build_sheets(drive)
    ledgers = _latest(drive, "ledger")
    if ledgers:
        ledger = ledgers[0]
        keys, typed, shown = read_connector_table(sheets, ledger.id)
        locale = sheets.spreadsheets().get(spreadsheetId=ledger.id).execute()["properties"]["locale"]
        print(f"{drive.files[drive.files[ledger.parents[0]].parents[0]].name}/{ledger.name} (Google Sheet in "
              f"{locale}, {len(typed)} row{'' if len(typed) == 1 else 's'}), read back through the Sheets API:")
        print(f"  {'date (serial)':<22}{'counterparty':<25}{'amount (number)':>22}  {'receipt status':<16}"
              f"{'receipts':<24}probative status")
        for value, text in list(zip(typed, shown))[:rows_shown]:
            row, display = dict(zip(keys, value)), dict(zip(keys, text))
            print(f"  {display['date']:<11}{row['date']!s:<11}{str(row['counterparty'])[:24]:<25}"
                  f"{row['amount']!r:>10} ({display['amount']:>9})  {row['receipt_status']:<16}"
                  f"{str(display['receipts'])[:23]:<24}{display.get('probative_status', '')}")
    lists = _latest(drive, "missing")
    if lists:
        keys, typed, shown = read_connector_table(sheets, lists[0].id)
        print(f"\n{lists[0].name} (at the root, {len(typed)} transactions, newest first):")
        newest = sorted(zip(typed, shown), key=lambda pair: dict(zip(keys, pair[0]))["date"], reverse=True)
        for _, text in newest[: rows_shown // 2]:
            row = dict(zip(keys, text))
            print(f"  {row['date']:<11}{str(row['account'])[:28]:<29}{str(row['counterparty'])[:24]:<25}"
                  f"{row['amount']:>10}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller bank (14 receipts) for a fast look")
    parser.add_argument("--state-dir", type=Path, default=Path(".demo"))
    args = parser.parse_args(argv)

    from integration_tests.emulators.bank import BankEmulator
    from integration_tests.emulators.drive import DriveEmulator

    shutil.rmtree(args.state_dir, ignore_errors=True)
    args.state_dir.mkdir(parents=True)
    dataset = sample_bank(args.quick)
    with BankEmulator(dataset) as bank, DriveEmulator() as drive:
        receipts = len(dataset.attachments)
        print(f"Bank emulator  {bank.url}  {len(dataset.accounts)} accounts "
              f"({sum(a.status == 'closed' for a in dataset.accounts.values())} closed), "
              f"{len(dataset.transactions)} transactions, {receipts} receipts")
        print(f"Drive emulator {drive.url}  empty; Drive allows ~3 writes/s and so does the destination\n")
        rows = [one_run("1 backfill", bank, drive, args.state_dir), one_run("2 no change", bank, drive, args.state_dir)]
        changes = new_activity(bank, drive)
        print("… meanwhile: " + "; ".join(changes))
        rows.append(one_run("3 new activity", bank, drive, args.state_dir))

        print("\nGoogle Drive (emulated), as the accountant sees it:")
        print("\n".join(drive_tree.render(drive.paths(), max_files=2)))
        root = next(f for f in drive.files.values() if (f.app_properties or {}).get("kind") == "root")
        shared = ", ".join(
            f"{p['emailAddress']} ({p.get('role')})"
            for p in drive.permissions(root.id)
            if p.get("emailAddress") and p.get("role") != "owner"
        )
        print(f"\n{root.name}/ is shared with: {shared or 'nobody'}\n")
        print_sealed_copies(drive)
        print_ledgers(drive)
        print_table(rows)
        print("\nskipped = already in its folder in Drive (checked against the bank's receipt index, no write);")
        print("receipts read = receipt files the source sent, with their size.")
        print(f"State kept by PyAirbyte in {args.state_dir}/state.duckdb. Your own accounts: `make setup` (rehearse it first with `make try`).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
