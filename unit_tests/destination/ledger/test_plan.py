"""Which ledger each transaction lands in, and which ledgers must drop it (pure)."""

import pytest

from destination_gdrive_receipts.ledger.hooks import truncates
from destination_gdrive_receipts.ledger.plan import group


def tx(tx_id, *, settled=None, emitted="2025-03-10T10:00:00Z", status=None, account="acc", **extra) -> dict:
    return {"id": tx_id, "bank_account_id": account, "settled_at": settled, "emitted_at": emitted,
            "status": status or ("completed" if settled else "pending"), "side": "debit",
            "attachment_required": True, **extra}


def plan(*transactions, period="month", timezone="Europe/Paris"):
    errors = []
    changes, filed = group(transactions, period=period, timezone=timezone, account_name=lambda a: f"Account {a}",
                           on_error=lambda t, e: errors.append(t["id"]))
    view = {key: (sorted(kept["id"] for kept in c.upserts), sorted(c.removals)) for key, c in changes.items()}
    return view, filed, errors


CASES = {
    "pending-by-emission": ([tx("p")], {("acc", "2025-03"): (["p"], [])}),
    "settled-same-month": ([tx("s", settled="2025-03-12T10:00:00Z")], {("acc", "2025-03"): (["s"], [])}),
    "settles-next-month-moves": ([tx("m", settled="2025-04-02T10:00:00Z")],
                                 {("acc", "2025-04"): (["m"], []), ("acc", "2025-03"): ([], ["m"])}),
    "time-zone-decides": ([tx("z", settled="2025-03-31T22:30:00Z", emitted="2025-03-31T22:00:00Z")],
                          {("acc", "2025-04"): (["z"], [])}),
    "declined-dropped": ([tx("d", status="declined")], {("acc", "2025-03"): ([], ["d"])}),
    "two-accounts": ([tx("a"), tx("b", account="other")],
                     {("acc", "2025-03"): (["a"], []), ("other", "2025-03"): (["b"], [])}),
    "last-record-wins-by-caller": ([tx("x"), tx("y")], {("acc", "2025-03"): (["x", "y"], [])}),
}


@pytest.mark.parametrize("transactions, expected", CASES.values(), ids=CASES.keys())
def test_given_transactions_when_grouped_then_each_row_goes_to_its_period(transactions, expected):
    assert plan(*transactions)[0] == expected


def test_given_quarters_when_grouped_then_the_period_is_the_quarter():
    view = plan(tx("q", settled="2025-05-02T10:00:00Z", emitted="2025-05-01T10:00:00Z"), period="quarter")[0]
    assert view == {("acc", "2025-Q2"): (["q"], [])}


def test_given_missing_and_declined_when_grouped_then_the_missing_list_knows_which_is_which():
    _, filed, _ = plan(tx("m"), tx("ok", attachment_ids=["a"]), tx("d", status="declined"))
    missing = dict(filed.missing())
    assert list(missing) == ["m"] and missing["m"].missing and len(filed) == 3
    assert missing["m"].account_name == "Account acc"


def test_given_a_transaction_without_dates_when_grouped_then_it_is_reported_not_fatal():
    view, filed, errors = plan(tx("bad", emitted=None), tx("good"))
    assert errors == ["bad"] and len(filed) == 1 and [t for t, _ in filed.missing()] == ["good"]


class Stream:
    def __init__(self, mode="append_dedup", generation=None, minimum=None, read="incremental"):
        self.destination_sync_mode, self.generation_id, self.minimum_generation_id = mode, generation, minimum
        self.sync_mode = read


@pytest.mark.parametrize("stream, expected", [
    (None, False), (Stream(), False), (Stream("overwrite"), False), (Stream("overwrite", read="full_refresh"), True),
    (Stream(generation=1, minimum=1), False), (Stream(generation=3, minimum=0), False),
    (Stream(generation=3, minimum=3, read="full_refresh"), True),
], ids=["absent", "incremental", "overwrite-of-an-incremental-read", "full-refresh-read",
        "pyairbyte-generation-1-incremental-read", "retain-refresh", "truncating-full-read"])
def test_given_catalog_stream_when_checked_then_only_a_full_read_rebuilds_ledgers(stream, expected):
    assert truncates(stream) is expected


def test_given_missing_and_filed_transactions_when_grouped_then_only_missing_ones_are_listed_in_arrival_order():
    _, filed, _ = plan(tx("m2", emitted="2025-04-01T10:00:00Z"), tx("ok", attachment_ids=["a"]), tx("m1"),
                       tx("d", status="declined"))
    assert [kept["id"] for kept in filed.missing_kept()] == ["m2", "m1"]
    assert [(t, f.period) for t, f in filed.missing()] == [("m2", "2025-04"), ("m1", "2025-03")]
    assert len(filed) == 4


def test_given_rows_built_lazily_when_taken_in_order_then_they_match_sorting_the_built_rows():
    from destination_gdrive_receipts.ledger.lazy_rows import LazyRows
    from destination_gdrive_receipts.ledger.typed import TypedRow
    stamps = {"b": "20250302T000000", "a": "20250302T000000", "c": "20250301T000000"}
    build = lambda t: TypedRow((t,), t, f"{stamps[t]}~h")  # noqa: E731
    built = []
    rows = LazyRows(["b", "a", "c"], build, stamps.__getitem__).in_order(lambda t, r: built.append(t))
    expected = sorted((build(t) for t in stamps), key=lambda r: (r.sort_key, r.transaction_id))
    assert len(rows) == 3 and built == []
    assert rows[0:2] + rows[2:3] == expected and built == ["c", "a", "b"]


def test_given_rows_known_by_spool_position_when_used_by_id_then_each_id_finds_its_row():
    from destination_gdrive_receipts.ledger.lazy_rows import LazyRows
    from destination_gdrive_receipts.ledger.typed import TypedRow
    records = {10: "b", 20: "a"}
    rows = LazyRows([10, 20], lambda k: TypedRow((records[k],), records[k], "s~h"), order_key=lambda k: 0,
                    id_of=records.__getitem__)
    assert "a" in rows and "z" not in rows and sorted(rows) == ["a", "b"] and len(rows) == 2
    assert rows["b"].transaction_id == "b"
    assert [r.transaction_id for r in rows.in_order()[0:2]] == ["a", "b"]     # equal keys: by id
