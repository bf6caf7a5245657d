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
    # id → what `keep` made of the transaction; its day is worked out again when the row is built
    # (a tuple and a date per transaction were ~9 MB of an archive's 50,000)
    upserts: dict[str, Any] = field(default_factory=dict)
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


class Filing(Mapping[str, "Filed | None"]):
    """Where each transaction of the sync is filed (None: dropped), held compactly.

    Per id only what `keep` made of it (a spool position: no copy) and, for those missing a
    receipt, the id in a set; a Filed is worked out again from the transaction when asked for.
    One Filed per transaction of an archive (its date, period text and the rest) was ~15 MB.
    """

    def __init__(self, locate: Callable[[Any], Filed | None]) -> None:
        self._kept: dict[str, Any] = {}          # id → kept, None when dropped
        self._missing: set[str] = set()
        self._locate = locate

    def add(self, tx_id: str, filed: Filed | None) -> None:
        self._kept[tx_id] = None if filed is None else filed.transaction
        if filed is not None and filed.missing:
            self._missing.add(tx_id)
        else:
            self._missing.discard(tx_id)

    def __getitem__(self, tx_id: str) -> Filed | None:
        kept = self._kept[tx_id]
        return None if kept is None else self._locate(kept)

    def __contains__(self, tx_id: object) -> bool:
        return tx_id in self._kept

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def kept(self, tx_id: str) -> Any:
        return self._kept[tx_id]

    def missing_ids(self) -> list[str]:
        """Ids of the transactions missing a receipt, in arrival order."""
        return [tx_id for tx_id in self._kept if tx_id in self._missing]

    def missing(self) -> Iterator[tuple[str, Filed]]:
        """(id, where it is filed) of every transaction missing a receipt, in arrival order."""
        for tx_id, kept in self._kept.items():
            if tx_id in self._missing:
                filed = self._locate(kept)
                if filed is not None:
                    yield tx_id, filed


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

    filing = Filing(locate)

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
        filing.add(tx_id, filed)
        if filed is not None:
            target = change(account, filed.period)
            target.account_name = filed.account_name
            target.upserts[tx_id] = filed.transaction
        for key in drop_from:
            change(account, key).removals.add(tx_id)
    return changes, filing
