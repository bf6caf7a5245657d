"""Listing one window of transactions page by page (pure: no I/O, the caller sends the requests).

The bank documents neither whether `updated_at_from`/`_to` are inclusive, nor the precision of
`updated_at` (milliseconds today, microseconds in older examples), nor the order of rows that
share one `updated_at` (a bulk update can give hundreds of rows one instant). The walk is correct
under every combination:

- Pages are walked by key, not by number: after a full page the next request starts one
  millisecond below the page's greatest `updated_at` (page 1), so the rows at that instant are read
  again whatever the bounds and the precision; the caller drops rows it already has (by id) and
  rows outside its window. Numbered pages over a key that changes during the sync would shift.
- When a full page brings nothing past the instant already reached (a tie block larger than a
  page), the few milliseconds around it are read whole by page number, pass after pass, until the
  distinct ids read match `meta.total_count` of that query: over an unstable order one pass can
  miss rows. Then the walk resumes just past the block. Passes are bounded; a block that cannot be
  completed stops the sync (nothing is skipped silently).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Union

from .dates import floor_to_tick, format_ts, parse_ts

PER_PAGE = 100
TICK = timedelta(milliseconds=1)
MAX_TIE_PASSES = 60


class IncompleteTieBlock(Exception):
    """The rows around one instant could not all be read (order changing at every request)."""


def transactions_params(
    bank_account_id: str,
    status: Union[str, Sequence[str]],
    updated_at_from: str,
    updated_at_to: str,
    page: int = 1,
    *,
    with_attachments: bool = False,
    per_page: int = PER_PAGE,
) -> Dict[str, Any]:
    params: Dict[str, Any] = {
        "bank_account_id": bank_account_id,
        # several values are sent as repeated `status[]=` parameters
        "status[]": status if isinstance(status, str) else list(status),
        "sort_by": "updated_at:asc",
        "updated_at_from": updated_at_from,
        "updated_at_to": updated_at_to,
        "per_page": per_page,
        # both names: the documentation uses `page` in examples and `current_page` in its table
        "page": page,
        "current_page": page,
    }
    if with_attachments:
        params["includes[]"] = "attachments"
        params["with_attachments"] = "true"
    return params


def has_more(rows: List[Mapping[str, Any]], meta: Optional[Mapping[str, Any]], per_page: int) -> bool:
    """Whether another page may exist; `meta` is absent on some endpoints and next_page may be 0."""
    if not rows:
        return False
    if isinstance(meta, Mapping) and "next_page" in meta:
        next_page, current = meta.get("next_page"), meta.get("current_page")
        if not (isinstance(next_page, int) and next_page > 0):
            return False
        if isinstance(current, int) and next_page <= current:
            return False
        return True
    return len(rows) >= per_page


def total_count(meta: Optional[Mapping[str, Any]]) -> Optional[int]:
    count = meta.get("total_count") if isinstance(meta, Mapping) else None
    return count if isinstance(count, int) and not isinstance(count, bool) else None


def greatest_tick(rows: List[Mapping[str, Any]]) -> Optional[datetime]:
    """The millisecond holding the page's greatest updated_at."""
    moments = [parse_ts(row["updated_at"]) for row in rows if isinstance(row.get("updated_at"), str) and row["updated_at"]]
    return floor_to_tick(max(moments)) if moments else None


class KeyPager:
    """The requests that read every row with updated_at in [lower, upper) (caller filters the window)."""

    def __init__(self, lower: datetime, upper: datetime, earliest: Optional[datetime] = None, per_page: int = PER_PAGE) -> None:
        self.upper = floor_to_tick(upper)
        self.per_page = per_page
        self._earliest = earliest
        self._from = self._clamp(floor_to_tick(lower) - TICK)
        self._page = 1
        self._reached: Optional[datetime] = None  # millisecond of the greatest updated_at read
        self._tie: Optional[datetime] = None  # millisecond whose surroundings are read whole
        self._tie_ids: Set[str] = set()
        self._tie_grew = False
        self._tie_passes = 0
        self.done = False
        self.tie_blocks = 0

    def _clamp(self, moment: datetime) -> datetime:
        return max(moment, self._earliest) if self._earliest is not None else moment

    def request(self) -> Tuple[str, str, int]:
        """(updated_at_from, updated_at_to, page) of the next request."""
        if self._tie is not None:
            return format_ts(self._clamp(self._tie - TICK)), format_ts(self._tie + 2 * TICK), self._page
        return format_ts(self._from), format_ts(self.upper), self._page

    def feed(self, rows: List[Mapping[str, Any]], meta: Optional[Mapping[str, Any]]) -> None:
        """Take the answer to the last request."""
        if self._tie is not None:
            self._feed_tie(rows, meta)
            return
        if not has_more(rows, meta, self.per_page):
            self.done = True
            return
        top = greatest_tick(rows)
        if top is None:  # rows without updated_at: nothing to key on, fall back to numbers
            self._page += 1
            return
        if self._reached is not None and top <= self._reached:
            self._start_tie(self._reached)
            return
        self._reached = top
        self._from = self._clamp(top - TICK)
        self._page = 1

    def _start_tie(self, moment: datetime) -> None:
        self._tie, self._page, self._tie_passes = moment, 1, 0
        self._tie_ids, self._tie_grew = set(), False
        self.tie_blocks += 1

    def _feed_tie(self, rows: List[Mapping[str, Any]], meta: Optional[Mapping[str, Any]]) -> None:
        before = len(self._tie_ids)
        self._tie_ids.update(str(row["id"]) for row in rows if row.get("id"))
        self._tie_grew = self._tie_grew or len(self._tie_ids) > before
        expected = total_count(meta)
        if has_more(rows, meta, self.per_page) and not (expected is not None and len(self._tie_ids) >= expected):
            self._page += 1
            return
        # End of a pass over the block.
        complete = len(self._tie_ids) >= expected if expected is not None else not self._tie_grew
        if complete:
            assert self._tie is not None
            self._reached = self._from = self._tie + TICK
            self._tie, self._page = None, 1
            self.done = self._from >= self.upper
            return
        self._tie_passes += 1
        if self._tie_passes >= MAX_TIE_PASSES:
            raise IncompleteTieBlock(
                f"{expected} rows share the updated_at around {format_ts(self._tie)} but only {len(self._tie_ids)} "
                f"could be read in {MAX_TIE_PASSES} passes"
            )
        self._page, self._tie_grew = 1, False
