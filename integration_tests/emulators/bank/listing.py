"""/v2/transactions query rules as pure functions: validate, filter, sort, paginate.

Choices where the bank's behaviour is undocumented (see qonto.md §3.1, §4.3, §7):
- per_page > 100 is clamped to 100 (meta.per_page says 100); per_page < 1 or not a number -> 422.
- page < 1 -> 1; a page past the last returns an empty list with next_page null.
- with_attachments=true keeps rows with >= 1 attachment; any other value does not filter.
- sort ties are broken by id ascending; rows with a null sort key (settled_at of a pending
  row) come last in both directions. Switch ``tie_order="shuffled"``: rows sharing one sort key
  come in a new order at every request (nothing documents a stable order).
- date bounds are inclusive on both ends. Switch ``bounds="exclusive"``: both ends exclusive
  (nothing documents either).
- ``precision="us"``: updated_at carries microseconds (older documentation examples show
  "2022-12-01 08:57:00.123047"); rows sharing a millisecond share the microseconds too (one bulk
  update, one database transaction, one timestamp).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from .clock import parse_iso_us, year_of_us
from .dataset import Transaction

Query = dict[str, list[str]]

STATUSES = ("pending", "declined", "completed", "reversed")
DATE_FIELDS = ("updated_at", "emitted_at", "settled_at")
SORT_FIELDS = ("updated_at", "settled_at", "emitted_at", "created_at")
MAX_PER_PAGE = 100
_SORT_RE = re.compile(r"^(?P<field>[a-z_]+):(?P<order>asc|desc)$")


class QueryError(Exception):
    """A request the bank rejects: HTTP status and JSON body."""

    def __init__(self, status: int, body: dict) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


def first(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def page_number(query: Query, mode: str) -> int:
    """Page asked for; ``mode`` says which parameter the emulated bank honours."""
    raw = None
    if mode in ("page", "both"):
        raw = first(query, "page")
    if raw is None and mode in ("current_page", "both"):
        raw = first(query, "current_page")
    if raw is None or raw == "":
        return 1
    try:
        return max(1, int(raw))
    except ValueError:
        raise QueryError(422, {"errors": [{"code": "invalid", "detail": "page must be an integer",
                                           "source": {"parameter": "page"}}]}) from None


def per_page(query: Query) -> int:
    raw = first(query, "per_page")
    if raw is None or raw == "":
        return MAX_PER_PAGE
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise QueryError(422, {"errors": [{"code": "invalid",
                                           "detail": "per_page must be between 1 and 100",
                                           "source": {"parameter": "per_page"}}]})
    return min(value, MAX_PER_PAGE)


def paginate(items: list, page: int, size: int) -> tuple[list, dict]:
    total = len(items)
    total_pages = math.ceil(total / size) if total else 0
    meta = {
        "current_page": page,
        "next_page": page + 1 if page < total_pages else None,
        "prev_page": page - 1 if page > 1 else None,
        "total_pages": total_pages,
        "total_count": total,
        "per_page": size,
    }
    return items[(page - 1) * size: page * size], meta


def statuses(query: Query, mode: str, reversed_filter: str = "listed") -> tuple[str, ...]:
    values = [v for v in query.get("status[]", []) if v != ""]
    if not values:
        return ("completed",)
    # The OpenAPI enum of status[] is pending, declined, completed; `reversed` is a status rows
    # can hold (Transaction.settled_at's description) but not a documented filter value. Switch
    # ``reversed_filter``: "listed" (accepted like the others) or "rejected" (400, as any value
    # outside the enum). Nothing says which; BEHAVIOR.md of the source, entry 34.
    accepted = STATUSES if reversed_filter == "listed" else tuple(s for s in STATUSES if s != "reversed")
    if any(v not in accepted for v in values):
        raise QueryError(400, {"errors": [{"code": "status_invalid",
                                           "message": "At least one status isn't valid"}]})
    # "single": the emulated bank honours only the first value (the unverified claim).
    return tuple(values[:1]) if mode == "single" else tuple(dict.fromkeys(values))


def _date_bound(query: Query, name: str) -> int | None:
    raw = first(query, name)
    if raw is None or raw == "":
        return None
    try:
        us = parse_iso_us(raw)
        if year_of_us(us) < 2017:
            raise ValueError("year out of range")
    except (ValueError, OverflowError, OSError):
        raise QueryError(400, {"errors": [{"code": "date_invalid", "message":
                               f"The datetime in {name} param isn't well formatted (ISO 8601) "
                               "or year is out of range"}]}) from None
    return us


def sort_order(query: Query) -> tuple[str, bool]:
    raw = first(query, "sort_by") or "settled_at:desc"
    match = _SORT_RE.match(raw)
    if not match or match["field"] not in SORT_FIELDS:
        raise QueryError(400, {"errors": [{"code": "sort_invalid", "message": "Sort field is invalid"}]})
    return match["field"], match["order"] == "desc"


@dataclass(frozen=True)
class TransactionFilter:
    statuses: tuple[str, ...]
    windows: tuple[tuple[str, int | None, int | None], ...]   # (field, from_us, to_us)
    side: str | None
    operation_types: tuple[str, ...]
    with_attachments: bool
    sort_field: str
    descending: bool


def transaction_filter(query: Query, status_mode: str, reversed_filter: str = "listed") -> TransactionFilter:
    windows = []
    for name in DATE_FIELDS:
        low, high = _date_bound(query, f"{name}_from"), _date_bound(query, f"{name}_to")
        if low is not None or high is not None:
            windows.append((name, low, high))
    field, descending = sort_order(query)
    return TransactionFilter(
        statuses=statuses(query, status_mode, reversed_filter),
        windows=tuple(windows),
        side=first(query, "side") or None,
        operation_types=tuple(v for v in query.get("operation_type[]", []) if v),
        with_attachments=(first(query, "with_attachments") or "").lower() == "true",
        sort_field=field,
        descending=descending,
    )


_MS_FIELD = {"updated_at": "updated_ms", "emitted_at": "emitted_ms",
             "settled_at": "settled_ms", "created_at": "created_ms"}


def micro_part(ms: int) -> int:
    """The microseconds below the millisecond in ``precision="us"`` (a function of the ms value,
    so rows sharing a millisecond share one instant)."""
    return (ms * 7919 + 123) % 1000


def updated_us(txn: Transaction, micro: bool) -> int:
    return txn.updated_ms * 1000 + (micro_part(txn.updated_ms) if micro else 0)


def _value_us(txn: Transaction, name: str, micro: bool) -> int | None:
    if name == "updated_at":
        return updated_us(txn, micro)
    ms = getattr(txn, _MS_FIELD[name])
    return None if ms is None else ms * 1000


def _matches(txn: Transaction, flt: TransactionFilter, exclusive: bool = False, micro: bool = False) -> bool:
    if txn.status not in flt.statuses:
        return False
    if flt.side and txn.side != flt.side:
        return False
    if flt.operation_types and txn.operation_type not in flt.operation_types:
        return False
    if flt.with_attachments and not txn.attachment_ids:
        return False
    for name, low, high in flt.windows:
        us = _value_us(txn, name, micro)
        if us is None:
            return False
        if exclusive and ((low is not None and us <= low) or (high is not None and us >= high)):
            return False
        if (low is not None and us < low) or (high is not None and us > high):
            return False
    return True


def shuffle_ties(rows: list[Transaction], sort_field: str, rng: random.Random) -> list[Transaction]:
    """Rows sharing one sort key in a new random order (the runs stay in place)."""
    attr = _MS_FIELD[sort_field]
    out: list[Transaction] = []
    start = 0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or getattr(rows[index], attr) != getattr(rows[start], attr):
            run = rows[start:index]
            if len(run) > 1:
                run = run[:]
                rng.shuffle(run)
            out.extend(run)
            start = index
    return out


def select(rows: list[Transaction], flt: TransactionFilter, exclusive: bool = False, micro: bool = False) -> list[Transaction]:
    """Filtered and sorted rows (ties by id; null sort keys last)."""
    attr = _MS_FIELD[flt.sort_field]
    chosen = [t for t in rows if _matches(t, flt, exclusive, micro)]
    present = [t for t in chosen if getattr(t, attr) is not None]
    missing = sorted((t for t in chosen if getattr(t, attr) is None), key=lambda t: t.id)
    if flt.descending:
        present.sort(key=lambda t: t.id)
        present.sort(key=lambda t: getattr(t, attr), reverse=True)   # stable: ties keep id order
    else:
        present.sort(key=lambda t: (getattr(t, attr), t.id))
    return present + missing
