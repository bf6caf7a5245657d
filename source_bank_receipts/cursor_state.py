"""Per bank account cursor bookkeeping (pure).

State of an incremental stream:
    {"states": [{"partition": {"bank_account_id": "<id>"},
                 "cursor": {"updated_at": "<RFC 3339>", "ids_at_cursor": ["<transaction id>", ...]}}]}

`updated_at` is the greatest `updated_at` the account has fully delivered (as the bank wrote it,
microseconds included); the next sync reads from that instant on (its listing starts a
millisecond earlier whatever the bank's bounds, paging.py), and `ids_at_cursor` lists the
transactions already delivered at exactly that instant so they are not sent twice. Windows of one account may finish in any order (they run concurrently): the
cursor only moves over the longest run of finished windows from the first one, so it never
passes a window whose records were not all emitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, Mapping, Optional

from .dates import parse_ts


@dataclass(frozen=True)
class AccountCursor:
    updated_at: str
    ids_at_cursor: FrozenSet[str] = frozenset()

    def merge(self, other: Optional["AccountCursor"]) -> "AccountCursor":
        if other is None:
            return self
        mine, theirs = parse_ts(self.updated_at), parse_ts(other.updated_at)
        if theirs > mine:
            return other
        if theirs < mine:
            return self
        return AccountCursor(self.updated_at, self.ids_at_cursor | other.ids_at_cursor)

    def already_delivered(self, row: Mapping[str, Any]) -> bool:
        """True for a row re-read at exactly the cursor instant that the last sync emitted."""
        value = row.get("updated_at")
        return bool(value) and row.get("id") in self.ids_at_cursor and parse_ts(value) == parse_ts(self.updated_at)

    def to_state(self) -> Dict[str, Any]:
        return {"updated_at": self.updated_at, "ids_at_cursor": sorted(self.ids_at_cursor)}


def merge(first: Optional[AccountCursor], second: Optional[AccountCursor]) -> Optional[AccountCursor]:
    if first is None:
        return second
    return first.merge(second)


def cursor_of_rows(rows: List[Mapping[str, Any]]) -> Optional[AccountCursor]:
    """The greatest updated_at among rows and the ids that carry it."""
    result: Optional[AccountCursor] = None
    for row in rows:
        if row.get("updated_at") and row.get("id"):
            result = merge(result, AccountCursor(row["updated_at"], frozenset([row["id"]])))
    return result


def parse_state(state: Optional[Mapping[str, Any]]) -> Dict[str, AccountCursor]:
    """Read the per-account cursors; anything unrecognisable is ignored (that account starts over)."""
    cursors: Dict[str, AccountCursor] = {}
    entries = (state or {}).get("states")
    if not isinstance(entries, list):
        return cursors
    for entry in entries:
        try:
            account_id = entry["partition"]["bank_account_id"]
            cursor = entry["cursor"]
            parse_ts(cursor["updated_at"])
            cursors[account_id] = AccountCursor(cursor["updated_at"], frozenset(cursor.get("ids_at_cursor") or []))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
    return cursors


def build_state(cursors: Mapping[str, AccountCursor]) -> Dict[str, Any]:
    return {
        "states": [
            {"partition": {"bank_account_id": account_id}, "cursor": cursors[account_id].to_state()}
            for account_id in sorted(cursors)
        ]
    }


@dataclass
class AccountLedger:
    """Windows of one account in order; the cursor advances over the finished prefix."""

    cursor: Optional[AccountCursor]
    _results: Dict[int, Optional[AccountCursor]] = field(default_factory=dict)
    _next: int = 0

    def close(self, index: int, result: Optional[AccountCursor]) -> bool:
        """Record a finished window; returns True when the account cursor moved."""
        self._results[index] = result
        moved = False
        while self._next in self._results:
            merged = merge(self.cursor, self._results.pop(self._next))
            moved = moved or merged != self.cursor
            self.cursor = merged
            self._next += 1
        return moved
