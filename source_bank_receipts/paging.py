"""Listing transactions page by page (pure).

Pages are walked by key, not by number: after a full page the next request starts at the last
row's `updated_at` (inclusive, duplicates dropped by id) on page 1. A row updated while the sync
runs leaves the window (its new `updated_at` is past the window's end), which would shift
numbered pages and silently skip a row; starting from the last key cannot. Only when a whole page
shares the starting instant (a burst of rows updated in the same millisecond) is the page
number increased instead. Both `page` and `current_page` are sent because the bank's
documentation names both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from .dates import parse_ts

PER_PAGE = 100


@dataclass(frozen=True)
class PageToken:
    updated_at_from: str
    page: int = 1


def transactions_params(
    bank_account_id: str,
    status: Union[str, Sequence[str]],
    token: PageToken,
    updated_at_to: str,
    *,
    with_attachments: bool = False,
    per_page: int = PER_PAGE,
) -> Dict[str, Any]:
    params: Dict[str, Any] = {
        "bank_account_id": bank_account_id,
        # several values are sent as repeated `status[]=` parameters
        "status[]": status if isinstance(status, str) else list(status),
        "sort_by": "updated_at:asc",
        "updated_at_from": token.updated_at_from,
        "updated_at_to": updated_at_to,
        "per_page": per_page,
        "page": token.page,
        "current_page": token.page,
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


def next_page_token(
    token: PageToken, rows: List[Mapping[str, Any]], meta: Optional[Mapping[str, Any]], per_page: int = PER_PAGE
) -> Optional[PageToken]:
    if not has_more(rows, meta, per_page):
        return None
    last = rows[-1].get("updated_at")
    if not last or parse_ts(last) <= parse_ts(token.updated_at_from):
        return PageToken(token.updated_at_from, token.page + 1)
    return PageToken(last, 1)
