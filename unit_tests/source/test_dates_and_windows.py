from datetime import datetime, timedelta, timezone

import pytest

from source_bank_receipts.dates import TICK, filing_datetime, format_ts, is_dated_on_or_after, parse_ts, split_windows

UTC = timezone.utc


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-08-01T10:35:09.027Z", datetime(2024, 8, 1, 10, 35, 9, 27000, tzinfo=UTC)),
        ("2024-08-01T10:35:09Z", datetime(2024, 8, 1, 10, 35, 9, tzinfo=UTC)),
        ("2022-12-01 08:57:00.123047", datetime(2022, 12, 1, 8, 57, 0, 123047, tzinfo=UTC)),
        ("2024-08-01T12:35:09.000+02:00", datetime(2024, 8, 1, 10, 35, 9, tzinfo=UTC)),
    ],
)
def test_given_bank_timestamp_when_parsed_then_utc(text, expected):
    assert parse_ts(text) == expected


def test_given_datetime_when_formatted_then_milliseconds_and_z():
    assert format_ts(datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)) == "2024-01-02T03:04:05.678Z"


START = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "transaction, included",
    [
        pytest.param({"settled_at": "2024-03-01T00:00:00.000Z", "emitted_at": "2024-02-27T10:00:00.000Z"}, True, id="settled-on-start"),
        pytest.param({"settled_at": "2024-02-29T23:59:59.999Z", "emitted_at": "2024-02-28T10:00:00.000Z"}, False, id="settled-before"),
        pytest.param({"settled_at": None, "emitted_at": "2024-03-02T10:00:00.000Z"}, True, id="pending-emitted-after"),
        pytest.param({"settled_at": None, "emitted_at": "2024-02-02T10:00:00.000Z"}, False, id="pending-emitted-before"),
        pytest.param({"settled_at": "2024-03-04T00:00:00.000Z", "emitted_at": "2024-02-20T10:00:00.000Z"}, True, id="emitted-before-settled-after"),
        pytest.param({}, False, id="undated"),
    ],
)
def test_given_transaction_when_filtered_by_start_date_then_settled_else_emitted_counts(transaction, included):
    assert is_dated_on_or_after(transaction, START) is included


def test_given_pending_when_filing_date_then_emitted_at():
    assert filing_datetime({"settled_at": None, "emitted_at": "2024-03-02T10:00:00.000Z"}) == datetime(2024, 3, 2, 10, tzinfo=UTC)


def test_given_range_when_split_then_windows_cover_it_without_overlap_or_gap():
    lower = datetime(2024, 1, 1, tzinfo=UTC)
    upper = datetime(2024, 12, 31, 12, 0, 0, 123456, tzinfo=UTC)
    windows = split_windows(lower, upper, timedelta(days=90))
    assert windows[0][0] == lower
    assert windows[-1][1] == upper
    for (_, end), (begin, _) in zip(windows, windows[1:]):
        assert begin == end  # half-open: the next window starts where this one ends
    assert all(end - begin <= timedelta(days=90) for begin, end in windows)


@pytest.mark.parametrize(
    "lower, upper, count",
    [
        pytest.param("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 0, id="empty-range"),
        pytest.param("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.001Z", 1, id="one-tick"),
        pytest.param("2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z", 0, id="cursor-after-sync-start"),
        pytest.param("2024-01-01T00:00:00Z", "2024-03-31T00:00:00Z", 1, id="exactly-one-step"),
        pytest.param("2024-01-01T00:00:00Z", "2024-03-31T00:00:00.001Z", 2, id="one-tick-more"),
        pytest.param("2024-01-01T00:00:00.000500Z", "2024-03-31T00:00:00Z", 1, id="cursor-with-microseconds"),
    ],
)
def test_given_bounds_when_split_then_window_count(lower, upper, count):
    assert len(split_windows(parse_ts(lower), parse_ts(upper), timedelta(days=90))) == count
