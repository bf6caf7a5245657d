"""A ledger row as typed values and its row check (pure).

The row check (`<sort key>~<hash>`) is computed from the typed values, not from how a spreadsheet
displays them, so neither the spreadsheet's locale nor `ledger_locale` changes it: a row is
rewritten only when its transaction or a receipt link changes.
"""

from __future__ import annotations

import datetime
import hashlib
import sys
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Sequence

from destination_gdrive_receipts.ledger.columns import TX_KEY, Column, Facts, Links, position
from destination_gdrive_receipts.ledger.rows import sort_stamp


@dataclass(frozen=True, slots=True)      # the missing list of an archive holds tens of thousands
class TypedRow:
    values: tuple[Any, ...]        # one per column, in the columns' order
    transaction_id: str
    check: str                     # "<sort key>~<hash>"
    currency: str = ""

    @property
    def sort_key(self) -> str:
        return self.check.split("~", 1)[0]


def canonical(value: Any) -> str:
    if isinstance(value, Decimal):
        return "n:" + format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return "d:" + value.isoformat()
    if isinstance(value, Links):
        return "l:" + "\x1d".join(f"{label}\x1c{url}" for label, url in value.items)
    return "t:" + str(value)


def build(columns: Sequence[Column], facts: Facts) -> TypedRow:
    # Short texts (currency, status, account names) repeat on every row: one copy of each.
    values = tuple(sys.intern(v) if isinstance(v, str) and len(v) <= 64 else v
                   for v in (column.value(facts) for column in columns))
    digest = hashlib.sha256("\x1f".join(canonical(v) for v in values).encode()).hexdigest()[:12]
    tx_id = str(values[position(columns, TX_KEY)])
    currency = str(facts.transaction.get("currency") or "").upper()
    return TypedRow(values, tx_id, f"{sort_stamp(facts.transaction)}~{digest}", currency)
