"""Which rows change in which period ledger, from this sync's transactions (pure, table-tested).

A transaction is filed like its receipts: by its settled date, else its emitted date, in the
configured time zone. A pending payment is filed by its emitted date; once it settles in another
period its row moves, so the emitted period is told to drop it. Declined and reversed transactions
are dropped everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.ledger.rows import MISSING, is_void, receipt_status


@dataclass
class PeriodChange:
    account_id: str
    period: str
    account_name: str = ""
    upserts: dict[str, tuple[Any, datetime.date]] = field(default_factory=dict)  # id → (kept transaction, day)
    removals: set[str] = field(default_factory=set)
    restore_only: bool = False     # nothing changed: only put back a ledger the user trashed
    carried: dict[str, tuple[Any, datetime.date]] = field(default_factory=dict)   # rows of a former period's ledger


@dataclass(frozen=True, slots=True)     # one per transaction of the sync: an archive holds 50,000
class Filed:
    transaction: Any          # what `keep` made of it: the record, or a reference to it
    day: datetime.date
    period: str
    account_name: str
    missing: bool


def file_one(transaction: Mapping[str, Any], *, period: str, timezone: str, account_name: Callable[[str], str],
             keep: Callable[[Mapping[str, Any]], Any] = dict) -> tuple[Filed | None, set[str]]:
    """Where the transaction's row goes (None when declined or reversed), and the periods that must drop it."""
    day = layout.filing_date(transaction, timezone)
    key = layout.period_key(day, period)
    periods = {key}
    if transaction.get("settled_at") and transaction.get("emitted_at"):    # else the emitted date is `day`
        periods.add(layout.period_key(layout.filing_date({"emitted_at": transaction["emitted_at"]}, timezone), period))
    if is_void(transaction):
        return None, periods | {key}
    filed = Filed(keep(transaction), day, key, account_name(str(transaction["bank_account_id"])),
                  receipt_status(transaction) == MISSING)
    return filed, periods - {key}


def group(transactions: Iterable[Mapping[str, Any]], *, period: str, timezone: str,
          account_name: Callable[[str], str], on_error: Callable[[Mapping, Exception], None],
          keep: Callable[[Mapping[str, Any]], Any] = dict
          ) -> tuple[dict[tuple[str, str], PeriodChange], dict[str, Filed | None]]:
    """Changes per (account id, period), and per transaction id where it is filed (None: dropped).

    `keep` decides what is held per transaction: a whole archive's records would not fit the
    memory goal, so the destination keeps a position in its spool file instead.
    """
    changes: dict[tuple[str, str], PeriodChange] = {}
    filed_by_id: dict[str, Filed | None] = {}

    def change(account: str, key: str) -> PeriodChange:
        return changes.setdefault((account, key), PeriodChange(account, key))

    for transaction in transactions:
        account, tx_id = str(transaction["bank_account_id"]), str(transaction["id"])
        try:
            filed, drop_from = file_one(transaction, period=period, timezone=timezone, account_name=account_name,
                                        keep=keep)
        except ValueError as error:
            on_error(transaction, error)
            continue
        filed_by_id[tx_id] = filed
        if filed is not None:
            target = change(account, filed.period)
            target.account_name = filed.account_name
            target.upserts[tx_id] = (filed.transaction, filed.day)
        for key in drop_from:
            change(account, key).removals.add(tx_id)
    return changes, filed_by_id
