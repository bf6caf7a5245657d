"""The preview `make setup` shows before anything is written to Drive (pure).

Counted from what the source itself emits: `bank_accounts` records and the `receipt_index` stream
(every receipt since the start date, with the size the bank announces, no download). The backfill
time is the Drive writes it takes divided by the write pace the destination keeps (3 per second,
its `writes_per_second` default): one upload per receipt, one folder per account and per period,
the root folder, one permission per person it is shared with, and the manifest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tools.sync_report import human_bytes

WRITES_PER_SECOND = 3.0


@dataclass(frozen=True)
class Preview:
    accounts: list[str]          # display names, in the bank's order
    receipts: int
    total_bytes: int
    unknown_sizes: int           # receipts whose size the bank did not announce
    folders: int                 # account + period folders to create
    writes: int

    @property
    def seconds(self) -> float:
        return self.writes / WRITES_PER_SECOND


def period_of(record: dict, period: str, zone: str) -> str | None:
    """The period folder a receipt goes to: its transaction's settled (else emitted) day in `zone`."""
    stamp = record.get("settled_at") or record.get("emitted_at")
    if not stamp:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    day = moment.astimezone(ZoneInfo(zone))
    if period == "year":
        return f"{day.year}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def account_label(account: dict) -> str:
    name = account.get("name") or "(unnamed)"
    iban = account.get("iban") or ""
    closed = " (closed)" if account.get("status") == "closed" else ""
    return f"{name} · {iban[:4]}…{iban[-4:]}{closed}" if len(iban) > 8 else f"{name}{closed}"


def build_preview(accounts: list[dict], index: list[dict], period: str, zone: str, shares: int = 0) -> Preview:
    periods = {(r.get("bank_account_id"), period_of(r, period, zone)) for r in index}
    accounts_with_receipts = {account for account, _ in periods}
    sizes = [r.get("size") for r in index]
    folders = len(accounts_with_receipts) + len(periods)
    return Preview(
        accounts=[account_label(a) for a in accounts],
        receipts=len(index),
        total_bytes=sum(s for s in sizes if isinstance(s, int)),
        unknown_sizes=sum(1 for s in sizes if not isinstance(s, int)),
        folders=folders,
        writes=len(index) + folders + 1 + shares + 1,
    )


def duration_text(seconds: float) -> str:
    """42 -> 'under a minute'; 3900 -> 'about 1 h 5 min'."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60:02d} min"


def preview_lines(preview: Preview, start_date: str) -> list[str]:
    size = human_bytes(preview.total_bytes)
    if preview.unknown_sizes:
        size += f" (+ {preview.unknown_sizes} of unknown size)"
    lines = [f"Bank accounts ({len(preview.accounts)}):"]
    lines += [f"  - {label}" for label in preview.accounts]
    lines.append(f"Receipts since {start_date}: {preview.receipts}, {size}")
    lines.append(f"First backfill: {preview.writes} Drive writes at ~{WRITES_PER_SECOND:.0f} per second, "
                 f"{duration_text(preview.seconds)}; later nights only file what changed.")
    return lines
