"""Which rows change in which period ledger, from this sync's transactions (pure, table-tested).

A transaction is filed like its receipts: by its settled date, else its emitted date, in the
configured time zone. A pending payment is filed by its emitted date; once it settles in another
period its row moves, so the emitted period is told to drop it. Declined and reversed transactions
are dropped everywhere.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.ledger.rows import MISSING, is_void, receipt_status


@dataclass
class PeriodChange:
    account_id: str
    period: str
    account_name: str = ""
    # What `keep` made of each transaction to write, in arrival order; its id and day are read again
    # when the row is built (an id-keyed dict, and before it a tuple and a date each, were ~6 and
    # ~9 MB of an archive's 50,000 transactions)
    upserts: list[Any] = field(default_factory=list)
    removals: set[str] = field(default_factory=set)
    restore_only: bool = False     # nothing changed: only put back a ledger the user trashed
    carried: dict[str, tuple[Any, datetime.date]] = field(default_factory=dict)   # rows of a former period's ledger


@dataclass(frozen=True, slots=True)
class Filed:
    transaction: Any          # what `keep` made of it: the record, or a reference to it
    day: datetime.date
    period: str
    account_name: str
    missing: bool


class Filing:
    """This sync's transactions as the missing list needs them: how many there were, and where each
    one missing a receipt is filed (worked out again from the transaction when asked for).

    Per transaction missing a receipt, only what `keep` made of it (a spool position: no copy), in
    arrival order; nothing for the others, whose ids are read back from the transactions when an
    existing list needs them. A dict of every id (and before it, a Filed each) was ~8 MB (~15 MB) of
    an archive's 50,000 transactions. The caller passes each transaction once (the spool keeps the
    last record of each id).
    """

    def __init__(self, locate: Callable[[Any], Filed | None], load: Callable[[Any], Mapping[str, Any]]) -> None:
        self._missing: list[Any] = []
        self._count = 0
        self._locate, self._load = locate, load

    def add(self, filed: Filed | None) -> None:
        self._count += 1
        if filed is not None and filed.missing:
            self._missing.append(filed.transaction)

    def __len__(self) -> int:
        """Transactions of the sync, dropped ones included (not those left out for an error)."""
        return self._count

    def missing_kept(self) -> list[Any]:
        """What `keep` made of each transaction missing a receipt, in arrival order."""
        return list(self._missing)

    def missing(self) -> Iterator[tuple[str, Filed]]:
        """(id, where it is filed) of every transaction missing a receipt, in arrival order."""
        for kept in self._missing:
            filed = self._locate(kept)
            if filed is not None:
                yield str(self._load(kept)["id"]), filed

    def locate(self, kept: Any) -> Filed | None:
        return self._locate(kept)


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
          keep: Callable[[Mapping[str, Any]], Any] = dict,
          load: Callable[[Any], Mapping[str, Any]] = lambda kept: kept,
          ) -> tuple[dict[tuple[str, str], PeriodChange], Filing]:
    """Changes per (account id, period), and per transaction id where it is filed (None: dropped).

    `keep` decides what is held per transaction: a whole archive's records would not fit the
    memory goal, so the destination keeps a position in its spool file instead, and `load`
    reads the transaction back from it.
    """
    changes: dict[tuple[str, str], PeriodChange] = {}

    def locate(kept: Any) -> Filed | None:
        return file_one(load(kept), period=period, timezone=timezone, account_name=account_name,
                        keep=lambda _: kept)[0]

    filing = Filing(locate, load)

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
        filing.add(filed)
        if filed is not None:
            target = change(account, filed.period)
            target.account_name = filed.account_name
            target.upserts.append(filed.transaction)
        for key in drop_from:
            change(account, key).removals.add(tx_id)
    return changes, filing
