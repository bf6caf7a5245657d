"""The connector's ledger columns: what each holds and how it is typed (pure, table-tested).

A column is found in a spreadsheet by its key (developer metadata), never by position or header,
so the user may move, rename or surround it with columns of their own. Adding a connector-owned
column is one line in LEDGER_COLUMNS: existing ledgers get it at their right end the next time they
are written, filled for the rows that change from then on.

Values are typed: a Decimal is a number (amounts keep their currency's decimals), a date a date, a
Links a list of (label, url) shown as separate clickable links, anything else text, never parsed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Mapping, Sequence

TEXT, MONEY, RATE, DATE, LINKS = "text", "money", "rate", "date", "links"


@dataclass(frozen=True)
class Links:
    items: tuple[tuple[str, str], ...]       # (label, url)

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Facts:
    """What a row is made of: the transaction as the bank sent it and what the destination knows."""
    transaction: Mapping[str, Any]
    day: datetime.date
    receipts: Links = Links(())              # the transaction's receipt files in Drive
    account: str = ""                         # account folder name
    period: str = ""
    folder: Links = Links(())                 # the period folder (missing list)
    sealed: Links = Links(())                 # the receipts' sealed (probative) copies in Drive
    sealed_status: str = ""                   # "sealed copy", "pending at the bank", … ("" when not exported)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str
    value: Callable[[Facts], Any]
    hidden: bool = False


def text(value: object) -> str:
    """One line, no control characters."""
    if value is None:
        return ""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())


def number(value: object) -> Decimal | str:
    """The bank's number as a Decimal; what the bank sent as text when it is not a finite number."""
    if value is None or value == "":
        return ""
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        return text(value)
    return parsed if parsed.is_finite() else text(value)


def signed_amount(tx: Mapping[str, Any], field: str = "amount") -> Decimal | str:
    """Money going out is negative."""
    value = number(tx.get(field))
    if isinstance(value, Decimal) and text(tx.get("side")).lower() == "debit":
        return -abs(value)
    return abs(value) if isinstance(value, Decimal) else value


def counterparty(tx: Mapping[str, Any]) -> str:
    return text(tx.get("clean_counterparty_name") or tx.get("label"))


def _c(key: str, header: str, kind: str, value: Callable[[Facts], Any], hidden: bool = False) -> Column:
    return Column(key, header, kind, value, hidden)


def _t(field: str) -> Callable[[Facts], str]:
    return lambda f: text(f.transaction.get(field))


def _receipt_status(f: Facts) -> str:
    from destination_gdrive_receipts.ledger.rows import receipt_status
    return receipt_status(f.transaction)


LEDGER_COLUMNS: tuple[Column, ...] = (
    _c("date", "Date", DATE, lambda f: f.day),
    _c("counterparty", "Counterparty", TEXT, lambda f: counterparty(f.transaction)),
    _c("amount", "Amount", MONEY, lambda f: signed_amount(f.transaction)),
    _c("currency", "Currency", TEXT, lambda f: text(f.transaction.get("currency")).upper()),
    _c("side", "Side", TEXT, lambda f: text(f.transaction.get("side")).lower()),
    _c("vat_amount", "VAT amount", MONEY, lambda f: abs(v) if isinstance(v := number(f.transaction.get("vat_amount")),
                                                                          Decimal) else v),
    _c("vat_rate", "VAT rate", RATE, lambda f: number(f.transaction.get("vat_rate"))),
    _c("category", "Category", TEXT, _t("category")),
    _c("payment_status", "Payment status", TEXT, lambda f: text(f.transaction.get("status")).lower()),
    _c("receipt_status", "Receipt status", TEXT, _receipt_status),
    _c("receipts", "Receipts", LINKS, lambda f: f.receipts),
    _c("probative_copy", "Probative copy", LINKS, lambda f: f.sealed),
    _c("probative_status", "Probative status", TEXT, lambda f: f.sealed_status),
    _c("note", "Note", TEXT, _t("note")),
    _c("transaction_id", "Transaction id", TEXT, _t("id")),
    _c("receipt_ids", "Receipt ids", TEXT, lambda f: " ".join(str(a) for a in f.transaction.get("attachment_ids") or [])),
)

MISSING_COLUMNS: tuple[Column, ...] = (
    _c("date", "Date", DATE, lambda f: f.day),
    _c("account", "Account", TEXT, lambda f: text(f.account)),
    _c("counterparty", "Counterparty", TEXT, lambda f: counterparty(f.transaction)),
    _c("amount", "Amount", MONEY, lambda f: signed_amount(f.transaction)),
    _c("currency", "Currency", TEXT, lambda f: text(f.transaction.get("currency")).upper()),
    _c("payment_status", "Payment status", TEXT, lambda f: text(f.transaction.get("status")).lower()),
    _c("period_folder", "Period folder", LINKS, lambda f: f.folder),
    _c("transaction_id", "Transaction id", TEXT, _t("id")),
    _c("account_id", "Account id", TEXT, _t("bank_account_id")),
)

ROW_CHECK = Column("row_check", "Row check", TEXT, lambda f: "", hidden=True)
TX_KEY = "transaction_id"


def with_check(columns: Sequence[Column]) -> tuple[Column, ...]:
    """The columns a table is written with: the given ones, then the hidden row check."""
    return tuple(columns) + (ROW_CHECK,)


def position(columns: Sequence[Column], key: str) -> int:
    return next(i for i, c in enumerate(columns) if c.key == key)
