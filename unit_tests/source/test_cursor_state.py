"""Per-account cursor: moves only over fully finished windows, dedupes the boundary instant."""

import pytest

from source_bank_receipts.cursor_state import AccountCursor, AccountLedger, build_state, cursor_of_rows, parse_state

A = "2024-05-01T10:00:00.000Z"
B = "2024-05-02T10:00:00.000Z"
C = "2024-05-03T10:00:00.000Z"


def test_given_rows_when_cursor_computed_then_max_updated_at_with_all_ids_at_it():
    rows = [{"id": "t1", "updated_at": A}, {"id": "t2", "updated_at": B}, {"id": "t3", "updated_at": "2024-05-02T10:00:00Z"}]
    assert cursor_of_rows(rows) == AccountCursor(B, frozenset({"t2", "t3"}))


def test_given_windows_closing_out_of_order_when_ledger_closes_then_cursor_waits_for_the_first():
    ledger = AccountLedger(cursor=None)
    assert ledger.close(1, AccountCursor(C, frozenset({"t9"}))) is False
    assert ledger.cursor is None
    assert ledger.close(0, AccountCursor(A, frozenset({"t1"}))) is True
    assert ledger.cursor == AccountCursor(C, frozenset({"t9"}))


def test_given_failed_window_when_later_windows_finish_then_cursor_never_passes_it():
    ledger = AccountLedger(cursor=AccountCursor(A))
    ledger.close(0, AccountCursor(B, frozenset({"t2"})))
    # window 1 failed (never closed); window 2 finished
    ledger.close(2, AccountCursor(C, frozenset({"t3"})))
    assert ledger.cursor == AccountCursor(B, frozenset({"t2"}))


def test_given_empty_window_when_closed_then_cursor_stays():
    ledger = AccountLedger(cursor=AccountCursor(A, frozenset({"t1"})))
    assert ledger.close(0, None) is False
    assert ledger.cursor == AccountCursor(A, frozenset({"t1"}))


def test_given_same_instant_when_merged_then_ids_union():
    merged = AccountCursor(A, frozenset({"t1"})).merge(AccountCursor("2024-05-01T10:00:00Z", frozenset({"t2"})))
    assert merged.ids_at_cursor == {"t1", "t2"}


@pytest.mark.parametrize(
    "row, delivered",
    [
        pytest.param({"id": "t1", "updated_at": A}, True, id="same-row-same-instant"),
        pytest.param({"id": "t1", "updated_at": B}, False, id="same-row-updated-again"),
        pytest.param({"id": "t2", "updated_at": A}, False, id="other-row-same-instant"),
    ],
)
def test_given_row_at_cursor_when_checked_then_only_exact_repeat_is_skipped(row, delivered):
    assert AccountCursor(A, frozenset({"t1"})).already_delivered(row) is delivered


def test_given_cursors_when_state_built_and_parsed_then_round_trip():
    cursors = {"acc-2": AccountCursor(B, frozenset({"t2", "t1"})), "acc-1": AccountCursor(A)}
    state = build_state(cursors)
    assert state == {
        "states": [
            {"partition": {"bank_account_id": "acc-1"}, "cursor": {"updated_at": A, "ids_at_cursor": []}},
            {"partition": {"bank_account_id": "acc-2"}, "cursor": {"updated_at": B, "ids_at_cursor": ["t1", "t2"]}},
        ]
    }
    assert parse_state(state) == cursors


@pytest.mark.parametrize(
    "state",
    [None, {}, {"updated_at": A}, {"states": "x"}, {"states": [{"partition": {}, "cursor": {"updated_at": A}}]},
     {"states": [{"partition": {"bank_account_id": "a"}, "cursor": {"updated_at": "yesterday"}}]}],
    ids=["none", "empty", "legacy-flat", "not-a-list", "no-account", "bad-timestamp"],
)
def test_given_unrecognised_state_when_parsed_then_accounts_start_over(state):
    assert parse_state(state) == {}
