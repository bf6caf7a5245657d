"""The run history `make sync` keeps and `make status` reads: one JSON object per line (pure parts).

.local-sync/runs.jsonl, appended once per run, success or failure. A line that cannot be read
(a run killed while writing it) is skipped, never fatal.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field

HISTORY_FILE = "runs.jsonl"


@dataclass
class RunRecord:
    started: str                  # ISO 8601 with offset
    seconds: float
    ok: bool
    outcomes: dict = field(default_factory=dict)   # uploaded / restored / moved / skipped / …
    receipt_files: int = 0
    receipt_bytes: int = 0
    error: str | None = None      # one line, no secret (the connectors' own messages)
    archive: dict = field(default_factory=dict)    # receipts_known, periods_known, deleted_periods

    def to_line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @property
    def started_at(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.started)
        except ValueError:
            return None


def one_line(text: str, limit: int = 500) -> str:
    """Errors in the history are one line each, shortened at a word boundary."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def parse_history(text: str) -> list[RunRecord]:
    runs = []
    for line in text.splitlines():
        try:
            data = json.loads(line)
            runs.append(RunRecord(**{k: v for k, v in data.items() if k in RunRecord.__dataclass_fields__}))
        except (ValueError, TypeError):
            continue
    return runs
