"""The format marker of the `transactions` state, and what a state without it means (pure).

Since 0.3.0 the `transactions` state carries `"ledger_rows": 2`. A state without it was written by
0.2.0, whose destination made its ledgers by converting CSV files: their numbers and dates were
parsed in the Google account's locale and may be wrong. Given such a state, the source reads
`transactions` once from `start_date` (about one bank call per 100 transactions; the other streams
are not affected), so the destination gets every transaction and rebuilds each 0.2.0 ledger from
the bank's data. The state it then writes carries the marker: later syncs read incrementally as
before. An empty state (a first sync) is read from `start_date` anyway.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

MARKER, LEDGER_ROWS = "ledger_rows", 2
MARKED_STREAMS = ("transactions",)


def predates_marker(stream_name: str, state: Optional[Mapping[str, Any]]) -> bool:
    """Whether `state` is a per-account transactions state written before the marker existed."""
    if stream_name not in MARKED_STREAMS or not isinstance(state, Mapping) or not state.get("states"):
        return False
    marker = state.get(MARKER)
    return not (isinstance(marker, int) and marker >= LEDGER_ROWS)


def marked(stream_name: str, state: Dict[str, Any]) -> Dict[str, Any]:
    """The state to write, with the marker for the streams that carry one."""
    return {**state, MARKER: LEDGER_ROWS} if stream_name in MARKED_STREAMS else state
