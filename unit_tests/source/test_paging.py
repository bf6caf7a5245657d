"""Listing pages: key-based continuation with overlap, tie blocks read whole, termination rules.

`simulate` plays a bank with every undocumented choice as a parameter (bounds inclusive or
exclusive, millisecond or microsecond timestamps, ties in a new order per request) and checks
the pager reads every row of the window.
"""

import random
from datetime import datetime, timedelta, timezone

import pytest

from source_bank_receipts.dates import format_ts, parse_ts
from source_bank_receipts.paging import MAX_TIE_PASSES, IncompleteTieBlock, KeyPager, has_more, transactions_params

UTC = timezone.utc
T0 = "2024-01-01T00:00:00.000Z"
BASE = datetime(2024, 1, 1, tzinfo=UTC)


def rows(*stamps):
    return [{"id": f"t{i}", "updated_at": stamp} for i, stamp in enumerate(stamps)]


def test_given_page_when_params_built_then_sorted_ascending_with_both_page_names():
    params = transactions_params("acc", "pending", T0, "2024-02-01T00:00:00.000Z", 3, with_attachments=True)
    assert params == {
        "bank_account_id": "acc", "status[]": "pending", "sort_by": "updated_at:asc",
        "updated_at_from": T0, "updated_at_to": "2024-02-01T00:00:00.000Z", "per_page": 100,
        "page": 3, "current_page": 3, "includes[]": "attachments", "with_attachments": "true",
    }


def test_given_several_statuses_when_params_built_then_sent_as_repeated_status_values():
    params = transactions_params("acc", ("completed", "pending"), T0, "2024-02-01T00:00:00.000Z")
    assert params["status[]"] == ["completed", "pending"]


@pytest.mark.parametrize(
    "page, meta, more",
    [
        pytest.param(rows(T0, T0), {"current_page": 1, "next_page": None}, False, id="last-page-null"),
        pytest.param(rows(T0, T0), {"current_page": 1, "next_page": 0}, False, id="next-page-zero"),
        pytest.param(rows(T0, T0), {"current_page": 2, "next_page": 2}, False, id="next-not-after-current"),
        pytest.param([], {"current_page": 1, "next_page": 2}, False, id="empty-page"),
        pytest.param(rows(T0, T0), None, True, id="no-meta-full-page"),
        pytest.param(rows(T0), None, False, id="no-meta-short-page"),
        pytest.param(rows(T0), {"current_page": 1, "next_page": 2}, True, id="meta-says-more"),
    ],
)
def test_given_answer_when_has_more_then_follows_meta_else_page_size(page, meta, more):
    assert has_more(page, meta, per_page=2) is more


def test_given_window_when_first_request_then_starts_one_millisecond_below_the_window():
    pager = KeyPager(BASE, BASE + timedelta(days=1))
    assert pager.request() == ("2023-12-31T23:59:59.999Z", "2024-01-02T00:00:00.000Z", 1)


def test_given_full_page_when_fed_then_next_request_overlaps_the_greatest_instant():
    pager = KeyPager(BASE, BASE + timedelta(days=1), per_page=3)
    pager.feed(rows(T0, "2024-01-01T00:00:01.000Z", "2024-01-01T00:00:02.500Z"), {"current_page": 1, "next_page": 2})
    assert pager.request() == ("2024-01-01T00:00:02.499Z", "2024-01-02T00:00:00.000Z", 1)


# -- a simulated bank ------------------------------------------------------------------------


def bank(dataset, inclusive, shuffled, per_page, seed=1):
    """A /v2/transactions stand-in: (from, to, page) -> (rows, meta)."""
    rng = random.Random(seed)

    def answer(updated_from, updated_to, page):
        low, high = parse_ts(updated_from), parse_ts(updated_to)
        inside = [r for r in dataset if (low <= r["at"] <= high if inclusive else low < r["at"] < high)]
        keys = {id(r): (r["at"], rng.random() if shuffled else r["id"]) for r in inside}
        inside.sort(key=lambda r: keys[id(r)])
        chunk = inside[(page - 1) * per_page: page * per_page]
        pages = -(-len(inside) // per_page)
        meta = {"current_page": page, "next_page": page + 1 if page < pages else None, "total_count": len(inside)}
        return [{"id": r["id"], "updated_at": r["text"]} for r in chunk], meta

    return answer


def stamp(moment, micro):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + (f"{moment.microsecond:06d}Z" if micro else f"{moment.microsecond // 1000:03d}Z")


def dataset(micro, tie_size=250):
    rng = random.Random(7)
    result, moment = [], BASE + timedelta(microseconds=123)
    for index in range(400):
        moment += timedelta(microseconds=rng.choice([1, 400, 999, 1000, 1001, 250_000]))
        result.append(moment)
    tie = BASE + timedelta(hours=1, microseconds=999_500)  # a bulk update: one instant, 250 rows
    result += [tie] * tie_size
    result.append(BASE)  # exactly at the window's start
    result.append(BASE + timedelta(days=1) - timedelta(microseconds=500))  # in the last millisecond (lost by a ".999" end)
    result.append(BASE + timedelta(days=1))  # exactly at the window's end: belongs to the next window
    out = []
    for index, at in enumerate(result):
        at = at if micro else at.replace(microsecond=(at.microsecond // 1000) * 1000)
        out.append({"id": f"r{index:04d}", "at": at, "text": stamp(at, micro)})
    return out


@pytest.mark.parametrize("inclusive", [True, False], ids=["inclusive", "exclusive"])
@pytest.mark.parametrize("micro", [False, True], ids=["ms", "us"])
@pytest.mark.parametrize("shuffled", [False, True], ids=["stable-ties", "shuffled-ties"])
def test_given_bank_behaviour_when_window_read_then_every_row_inside_is_read(inclusive, micro, shuffled):
    data = dataset(micro)
    lower, upper = BASE, BASE + timedelta(days=1)
    answer = bank(data, inclusive, shuffled, per_page=100)
    pager, seen, calls = KeyPager(lower, upper), set(), 0
    while not pager.done:
        page_rows, meta = answer(*pager.request())
        calls += 1
        seen.update(r["id"] for r in page_rows if lower <= parse_ts(r["updated_at"]) < upper)
        pager.feed(page_rows, meta)
    assert seen == {r["id"] for r in data if lower <= r["at"] < upper}
    assert calls < 40


def test_given_order_never_settles_when_tie_block_read_then_stops_instead_of_skipping():
    tie = [{"id": f"x{i}", "updated_at": T0} for i in range(5)]
    pager = KeyPager(BASE, BASE + timedelta(days=1), per_page=2)
    pager.feed(tie[:2], {"current_page": 1, "next_page": 2, "total_count": 5})
    pager.feed(tie[:2], {"current_page": 1, "next_page": 2, "total_count": 5})  # no progress: tie block
    with pytest.raises(IncompleteTieBlock):
        for _ in range(MAX_TIE_PASSES + 1):
            pager.feed(tie[:2], {"current_page": 1, "next_page": None, "total_count": 5})
