"""A change of `period`: the rows of the old periods' ledgers regrouped into the new periods' ledgers.

Ledgers written through the Sheets API hold typed values written from the bank's data (never parsed
from text), so their rows can be carried over as they are: each goes to the ledger of the new
period holding its date, and this sync's transactions win over carried rows. An old ledger, once
carried over, is retired: its marker changes (kind `retired-ledger`), it stays in its old folder
as the user left it and is no longer updated. 0.2.0 ledgers (converted CSV) are not carried over:
a refresh of the transactions stream rebuilds them from the bank.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, Mapping

from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.ledger.rows import LOST, MISSING

RETIRED = "retired-ledger"
_KEY = re.compile(r"^(\d{4})(?:-(\d{2})|-Q([1-4]))?$")


def period_start(key: str) -> datetime.date | None:
    """First day of a period key ("2025-04", "2025-Q2", "2025"); None when it is not one."""
    match = _KEY.match(key or "")
    if match is None:
        return None
    year, month, quarter = match.groups()
    if month:
        return datetime.date(int(year), int(month), 1)
    if quarter:
        return datetime.date(int(year), 3 * int(quarter) - 2, 1)
    return datetime.date(int(year), 1, 1)


def is_foreign(key: str, period: str) -> bool:
    """A period key of another `period` setting than the configured one."""
    start = period_start(key)
    return start is not None and layout.period_key(start, period) != key


def from_serial(number: Any) -> datetime.date | None:
    try:
        return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(number))
    except (TypeError, ValueError, OverflowError):
        return None


def _decimal(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(repr(value))
    return value


def as_transaction(cells: Mapping[str, Any]) -> dict[str, Any]:
    """A transaction as its ledger row tells it, enough to build the same row again."""
    amount = _decimal(cells.get("amount"))
    status = str(cells.get("receipt_status") or "")
    receipt_ids = str(cells.get("receipt_ids") or "").split()
    return {
        "id": str(cells.get("transaction_id") or ""), "label": cells.get("counterparty") or "",
        "amount": abs(amount) if isinstance(amount, Decimal) else amount, "currency": cells.get("currency") or "",
        "side": cells.get("side") or "", "vat_amount": _decimal(cells.get("vat_amount")),
        "vat_rate": _decimal(cells.get("vat_rate")), "category": cells.get("category") or "",
        "status": cells.get("payment_status") or "", "note": cells.get("note") or "",
        "attachment_ids": receipt_ids, "attachment_lost": status == LOST, "attachment_required": status == MISSING,
    }
