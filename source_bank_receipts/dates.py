"""Timestamps, sync windows and the start-date filter (pure functions)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, List, Mapping, Optional, Tuple

# Requests carry milliseconds (the format the bank uses); rows may carry microseconds.
TICK = timedelta(milliseconds=1)
# Windows bound checkpoints and are read in parallel, but each one ends with a partial page.
# Receipts (download-bound) keep quarters so that one busy account still spreads over several
# workers; transactions (listing-bound) use two years, so partial last pages and empty windows
# are rare: 1 call per ~100 rows instead of an extra near-empty call per quarter, and still a
# checkpoint every two years of history on a long backfill.
WINDOW_STEP = timedelta(days=90)
LISTING_WINDOW_STEP = timedelta(days=731)


def parse_ts(value: str) -> datetime:
    """Parse the bank's timestamps ("2024-08-01T10:35:09.027Z", "...T10:35:09Z", "2022-12-01 08:57:00.123047")."""
    text = value.strip().replace(" ", "T", 1)
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_ts(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, the format the bank itself uses."""
    moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def floor_to_tick(moment: datetime) -> datetime:
    return moment.replace(microsecond=(moment.microsecond // 1000) * 1000)


def filing_datetime(transaction: Mapping[str, Any]) -> Optional[datetime]:
    """The date a transaction is filed under: settled_at, else emitted_at."""
    value = transaction.get("settled_at") or transaction.get("emitted_at")
    return parse_ts(value) if value else None


def is_dated_on_or_after(transaction: Mapping[str, Any], start: datetime) -> bool:
    dated = filing_datetime(transaction)
    return dated is not None and dated >= start


def split_windows(lower: datetime, upper: datetime, step: timedelta = WINDOW_STEP) -> List[Tuple[datetime, datetime]]:
    """Cut [lower, upper) into consecutive half-open windows of at most `step`.

    Each window ends exactly where the next begins (a row at that instant belongs to the next):
    no window relies on a `.999` end, which would lose rows stamped with microseconds.
    `lower` is kept as it is (a cursor may carry microseconds); an empty range gives no window.
    """
    windows: List[Tuple[datetime, datetime]] = []
    begin = lower
    while begin < upper:
        end = min(floor_to_tick(begin) + step, upper)
        windows.append((begin, end))
        begin = end
    return windows
