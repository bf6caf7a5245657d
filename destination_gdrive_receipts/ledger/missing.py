"""The root `Missing receipts` list: every transaction still missing a receipt, newest first (pure).

Its title line says when it was last rewritten; the digest that decides a rewrite covers the rows
only, so the time alone never causes a write.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any, Iterable, Mapping

from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.ledger.formats import Locale, format_amount, format_date
from destination_gdrive_receipts.ledger.rows import Row, clean_text, folder_link, safe_text, sort_stamp, with_check

NAME = "Missing receipts"
MAX_ACCOUNT_MARKERS = 10
COLUMNS = ("Date", "Account", "Counterparty", "Amount", "Currency", "Payment status", "Period folder",
           "Transaction id", "Account id", "Row check")
ACCOUNT, ACCOUNT_ID = COLUMNS.index("Account"), COLUMNS.index("Account id")


def build_row(transaction: Mapping[str, Any], *, day: datetime.date, loc: Locale, account: str,
              period: str, folder_id: str | None) -> Row:
    currency = clean_text(transaction.get("currency")).upper()
    side = clean_text(transaction.get("side")).lower()
    counterparty = transaction.get("clean_counterparty_name") or transaction.get("label")
    folder = folder_link(folder_id) or f"{period} (folder deleted in Drive)"
    cells = [
        format_date(day, loc), safe_text(account), safe_text(counterparty),
        format_amount(transaction.get("amount"), currency, loc, negative=side == "debit"), currency,
        clean_text(transaction.get("status")).lower(), folder,
        clean_text(transaction.get("id")), clean_text(transaction.get("bank_account_id")),
    ]
    return with_check(cells, sort_stamp(transaction))


def title(count: int, now: datetime.datetime, loc: Locale, timezone: str) -> str:
    """"Missing receipts · 3 transactions · updated 14/03/2025 09:30 (Europe/Paris)"."""
    moment = f"{format_date(now.date(), loc)} {now:%H:%M}"
    noun = "transaction" if count == 1 else "transactions"
    return f"{NAME} · {count} {noun} · updated {moment} ({timezone})"


def per_account(rows: Iterable[Row]) -> dict[str, int]:
    """Missing receipts per account name, most first."""
    counts = Counter(row.cells[ACCOUNT].lstrip("'") or row.cells[ACCOUNT_ID] for row in rows)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def count_accounts(accounts: Iterable[str]) -> dict[str, int]:
    """Missing receipts per account, most first, from each row's account."""
    counts = Counter(a for a in accounts if a)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def summary(counts: Mapping[str, int]) -> str:
    if not counts:
        return "no transaction misses a receipt"
    total = sum(counts.values())
    detail = ", ".join(f"{name}: {n}" for name, n in counts.items())
    return f"{total} transaction{'s' if total != 1 else ''} still miss{'' if total != 1 else 'es'} a receipt ({detail})"


def count_markers(counts: Mapping[str, int], entry: Entry | None) -> dict[str, str | None]:
    """Missing receipts per account in appProperties ("m0" = "3\\tMain · FR76…1234"), for the summary of
    syncs that do not read the list. Keys no longer used are removed (None)."""
    out: dict[str, str | None] = {}
    for i, (name, n) in enumerate(list(counts.items())[:MAX_ACCOUNT_MARKERS]):
        value = f"{n}\t{name}"
        while len(f"m{i}".encode()) + len(value.encode()) > 124:
            value = value[:-1]
        out[f"m{i}"] = value
    for key in (entry.markers if entry else {}):
        if key.startswith("m") and key[1:].isdigit() and key not in out:
            out[key] = None
    return out


def counts_from_markers(entry: Entry | None) -> dict[str, int]:
    if entry is None:
        return {}
    out = {}
    for key, value in sorted(entry.markers.items()):
        if key.startswith("m") and key[1:].isdigit() and "\t" in value:
            n, name = value.split("\t", 1)
            out[name] = int(n) if n.isdigit() else 0
    return out
