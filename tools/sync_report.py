"""Counting what a sync did, from the Airbyte messages both connectors print.

Pure bookkeeping: the runner feeds every message the source emits (records) and every message the
destination emits (its log lines and echoed states) into one `SyncTally`; progress lines and the
final summary are formatted from it. No I/O here, so it is tested without running a sync.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

RECEIPT_OUTCOMES = ("uploaded", "updated", "skipped", "restored", "moved")

# The destination logs running totals of what it did with the receipts, e.g.
# "Progress: uploaded 12, updated 0, restored 0, moved 1, skipped 3, skipped deleted folder 0,
# skipped expired url 0, 1048576 bytes uploaded", and its last line "Summary: …, 42 Drive write
# requests". The last such line of a run is its total.
_COUNT = re.compile(r"^\s*([a-z][a-z ]*?)\s+(\d+)\s*$")
_BYTES = re.compile(r"^\s*(\d+) bytes uploaded\s*$")
_WRITES = re.compile(r"^\s*(\d+) Drive write requests?\s*$")
# "Drive root folder Qonto (1abc): 120 receipts and 14 period folders known, 2 deleted period folders
# remembered" (at the sync's start; destinations before 0.2.0 end the line at "known")
_ROOT = re.compile(r"Drive root folder .* (\d+) receipts? and (\d+) period folders? known"
                   r"(?:, (\d+) deleted period folders? remembered)?")
_DELETED = re.compile(r"^Period folder (\S+) was deleted in Drive")
# The source's running total of what it will send (source_bank_receipts/send_plan.py), e.g.
# "Receipts to send: 12 (345 bytes) so far, 2 of 5 receipt windows listed" and at last
# "Receipts to send: 40 (at least 1234567 bytes) in all 5 receipt windows: the total of this sync".
_TO_SEND = re.compile(r"^Receipts to send: (\d+) \((at least )?(\d+) bytes\) (in all|so far)")


@dataclass(frozen=True)
class ToSend:
    """How many receipts (and bytes) the source said it will send; `final` once every window is listed."""

    receipts: int
    size: int
    size_exact: bool
    final: bool


def parse_to_send(text: str) -> ToSend | None:
    """The source's 'Receipts to send: …' log line, or None for any other line."""
    match = _TO_SEND.match(text)
    if match is None:
        return None
    return ToSend(int(match.group(1)), int(match.group(3)), match.group(2) is None, match.group(4) == "in all")


def parse_destination_counts(text: str) -> dict[str, int] | None:
    """Counters of one destination log line, or None when the line carries none."""
    _, _, body = text.partition(":")
    counts: dict[str, int] = {}
    for part in body.split(","):
        if match := _BYTES.match(part):
            counts["bytes_uploaded"] = int(match.group(1))
        elif match := _WRITES.match(part):
            counts["drive_writes"] = int(match.group(1))
        elif match := _COUNT.match(part):
            counts[match.group(1).replace(" ", "_")] = int(match.group(2))
    return counts if "uploaded" in counts and "skipped" in counts else None


def human_bytes(size: int) -> str:
    """1536 -> '1.5 KiB'."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def decoded_size(content_base64: str) -> int:
    """Byte length of standard base64 text without decoding it."""
    if not content_base64:
        return 0
    padding = content_base64.count("=", -2)
    return len(content_base64) * 3 // 4 - padding


@dataclass
class SyncTally:
    """Running counts of one sync."""

    records: Counter = field(default_factory=Counter)  # per source stream
    receipt_files: int = 0  # complete receipt files read (last chunk seen)
    receipt_bytes: int = 0  # raw bytes of receipt content read
    states_confirmed: int = 0  # STATE messages echoed by the destination
    outcomes: dict[str, int] = field(default_factory=dict)  # destination report
    index_complete: bool = False  # the source has listed every receipt (receipt_index done)
    archive: dict[str, int] = field(default_factory=dict)  # what the destination found in Drive
    ledgers: str = ""  # the destination's ledger report line
    errors: list = field(default_factory=list)  # (connector, message) of each TRACE error, in order
    to_send: ToSend | None = None  # the source's running total of the receipts it will send

    @property
    def cause(self) -> str | None:
        """The first error a connector reported: the cause (later ones are often its consequences)."""
        return f"{self.errors[0][0]}: {self.errors[0][1]}" if self.errors else None

    def _observe_error(self, side: str, message: dict) -> bool:
        error = (message.get("trace") or {}).get("error") if message.get("type") == "TRACE" else None
        if error is None:
            return False
        self.errors.append((side, error.get("message") or "no message"))
        return True

    def observe_source(self, message: dict) -> None:
        """Count one message the source emitted (a RECORD, or anything else: ignored)."""
        if self._observe_error("bank side", message):
            return
        if message.get("type") == "TRACE":
            status = (message.get("trace") or {}).get("stream_status") or {}
            if status.get("name") == "receipt_index" and status.get("status") == "COMPLETE":
                self.index_complete = True
            return
        if message.get("type") == "LOG":
            self.to_send = parse_to_send(message["log"].get("message", "")) or self.to_send
            return
        if message.get("type") != "RECORD":
            return
        record = message["record"]
        self.records[record["stream"]] += 1
        if record["stream"] == "receipts":
            data = record.get("data") or {}
            self.receipt_bytes += decoded_size(data.get("content_base64") or "")
            if data.get("chunk_index", 0) == data.get("chunk_count", 1) - 1:
                self.receipt_files += 1

    def observe_destination(self, message: dict) -> None:
        """Count one message the destination emitted (STATE echoes, LOG reports)."""
        if self._observe_error("Drive side", message):
            return
        if message.get("type") == "STATE":
            self.states_confirmed += 1
        elif message.get("type") == "LOG":
            self.observe_destination_log(message["log"].get("message", ""))

    def observe_destination_log(self, text: str) -> None:
        counts = parse_destination_counts(text)
        if counts:
            self.outcomes = counts
        elif match := _ROOT.search(text):
            self.archive["receipts_known"] = int(match.group(1))
            self.archive["periods_known"] = int(match.group(2))
            if match.group(3) is not None:
                self.archive["deleted_remembered"] = int(match.group(3))
        elif _DELETED.match(text):
            self.archive["deleted_periods_seen"] = self.archive.get("deleted_periods_seen", 0) + 1
        elif text.startswith("Reset") and "deleted period folders are forgotten" in text:
            self.archive["reset"] = 1
        elif text.startswith("Ledgers: "):
            # "Ledgers: 2 period(s) touched, 3 ledger write(s); 4 transactions still miss a receipt (Main: 4)"
            self.ledgers = text.removeprefix("Ledgers: ")
            self.archive["missing_receipts"] = self.ledgers.rpartition("; ")[2]

    def stream_count(self, name: str) -> str:
        """One vocabulary: a receipt is a file; the `receipts` stream carries it in one or more chunks."""
        count = self.records.get(name, 0)
        if name == "receipts":
            return f"{self.receipt_files} ({count} chunk{'' if count == 1 else 's'})"
        return str(count)

    def progress_line(self) -> str:
        streams = ", ".join(f"{name} {self.stream_count(name)}" for name in sorted(self.records))
        line = f"read: {streams or 'nothing yet'} | {human_bytes(self.receipt_bytes)} of receipts"
        if self.to_send is not None:
            line += f" | to send {self.to_send.receipts}{'' if self.to_send.final else '+'}"
        if self.outcomes:
            line += " | " + outcome_text(self.outcomes)
        return line


_SKIP_REASONS = {"skipped_deleted_folder": "in deleted folders", "skipped_expired_url": "with an expired link",
                 "skipped_unsealed": "sealed copies without a valid signature"}


def outcome_text(outcomes: dict[str, int]) -> str:
    """'uploaded 3, updated 0, skipped 5 (2 in deleted folders), restored 1, moved 0'."""
    parts = []
    for name in RECEIPT_OUTCOMES:
        text = f"{name} {outcomes.get(name, 0)}"
        if name == "skipped":
            details = [
                f"{value} {_SKIP_REASONS.get(kind, kind.removeprefix('skipped_').replace('_', ' '))}"
                for kind, value in sorted(outcomes.items())
                if kind.startswith("skipped_") and value
            ]
            text += f" ({', '.join(details)})" if details else ""
        parts.append(text)
    return ", ".join(parts)


def summary_lines(tally: SyncTally, seconds: float) -> list[str]:
    """The final report of a sync, one fact per line."""
    lines = [f"records read:   {sum(tally.records.values())}"]
    lines += [f"  {name:<14}{tally.stream_count(name)}" for name in sorted(tally.records)]
    lines.append(f"receipts read:  {tally.receipt_files} ({human_bytes(tally.receipt_bytes)}) sent to Drive")
    lines.append(
        "in Drive:       " + (outcome_text(tally.outcomes) if tally.outcomes else "(the destination reported no counts)")
    )
    if "drive_writes" in tally.outcomes:
        uploaded = human_bytes(tally.outcomes.get("bytes_uploaded", 0))
        lines.append(f"Drive writes:   {tally.outcomes['drive_writes']} ({uploaded} uploaded)")
    if tally.ledgers:
        lines.append(f"ledgers:        {tally.ledgers}")
    lines.append(f"states saved:   {tally.states_confirmed}")
    lines.append(f"time:           {seconds:.1f} s")
    return lines


class Throttle:
    """Calls `emit` with a progress line at most once per `every` seconds."""

    def __init__(self, emit: Callable[[str], None], every: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self._emit, self._every, self._clock = emit, every, clock
        self._last = clock()

    def maybe(self, line_factory: Callable[[], str]) -> None:
        now = self._clock()
        if now - self._last >= self._every:
            self._last = now
            self._emit(line_factory())
