"""The transactions state's format marker: which states predate it (pure, table-driven)."""

from __future__ import annotations

import pytest

from source_bank_receipts.state_format import marked, predates_marker

ACCOUNT_STATE = {"states": [{"partition": {"bank_account_id": "a"},
                             "cursor": {"updated_at": "2025-01-01T00:00:00Z", "ids_at_cursor": []}}]}


@pytest.mark.parametrize("stream, state, expected", [
    ("transactions", ACCOUNT_STATE, True),                              # written by 0.2.0
    ("transactions", {**ACCOUNT_STATE, "ledger_rows": 2}, False),       # written since
    ("transactions", {**ACCOUNT_STATE, "ledger_rows": 3}, False),       # a later format
    ("transactions", {**ACCOUNT_STATE, "ledger_rows": "2"}, True),      # not ours
    ("transactions", None, False),                                      # first sync: read from start_date anyway
    ("transactions", {}, False),
    ("transactions", {"states": []}, False),
    ("receipts", ACCOUNT_STATE, False),                                 # other streams are not affected
])
def test_given_a_stream_state_when_checked_then_only_unmarked_transactions_states_predate_the_marker(stream, state, expected):
    assert predates_marker(stream, state) is expected


@pytest.mark.parametrize("stream, expected", [
    ("transactions", {**ACCOUNT_STATE, "ledger_rows": 2}),
    ("receipts", ACCOUNT_STATE),
])
def test_given_a_state_to_write_when_marked_then_only_transactions_carry_the_marker(stream, expected):
    assert marked(stream, dict(ACCOUNT_STATE)) == expected
