"""Deciding whether one call may ask several statuses: proofs from pages and from counts."""

import logging

import pytest

from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_bank_receipts.config import ConfigError
from source_bank_receipts.status_support import ReversedSupport, StatusSupport, counts_prove_multi, proves_multi

ASKED = ("completed", "pending", "declined")


def rows(*statuses):
    return [{"id": f"t{i}", "status": status} for i, status in enumerate(statuses)]


@pytest.mark.parametrize(
    "page, proven",
    [
        pytest.param(rows("completed", "pending"), True, id="two-statuses"),
        pytest.param(rows("completed", "completed"), False, id="one-status"),
        pytest.param(rows(), False, id="empty-page"),
        pytest.param(rows("completed", "reversed"), False, id="status-not-asked-for"),
    ],
)
def test_given_page_when_checked_then_only_rows_of_two_asked_statuses_prove(page, proven):
    assert proves_multi(page, ASKED) is proven


@pytest.mark.parametrize(
    "together, alone, proven",
    [
        pytest.param(130, [100, 20, 10], True, id="sum-matches"),
        pytest.param(100, [100, 20, 10], False, id="first-value-only"),
        pytest.param(10, [100, 20, 10], False, id="last-value-only"),
        pytest.param(100, [100, 0, 0], False, id="one-status-cannot-tell"),
        pytest.param(None, [100, 20, 10], False, id="no-meta"),
        pytest.param(130, [100, None, 10], False, id="one-probe-without-meta"),
    ],
)
def test_given_counts_when_compared_then_proof_only_when_sum_matches_with_two_statuses(together, alone, proven):
    assert counts_prove_multi(together, alone) is proven


class FakeBank:
    def __init__(self, page, counts, error=None):
        self.page, self.counts, self.error, self.calls = page, counts, error, 0

    def sample(self, account_id, statuses, per_page):
        self.calls += 1
        if self.error:
            raise self.error
        key = tuple(statuses)
        return (self.page if per_page > 1 else []), self.counts.get(key)


@pytest.mark.parametrize(
    "bank, multi, calls",
    [
        pytest.param(FakeBank(rows("pending", "completed"), {ASKED: 3}), True, 1, id="sample-page-proves"),
        pytest.param(FakeBank(rows("completed"), {ASKED: 5, ("completed",): 3, ("pending",): 2, ("declined",): 0}), True, 4, id="counts-prove"),
        pytest.param(FakeBank(rows("completed"), {ASKED: 3, ("completed",): 3, ("pending",): 2, ("declined",): 0}), False, 4, id="single-value-bank"),
        pytest.param(FakeBank([], {}, error=RuntimeError("down")), False, 1, id="probe-error-not-proven"),
    ],
)
def test_given_bank_when_resolved_then_decided_once_per_sync(bank, multi, calls):
    support = StatusSupport(bank.sample, logging.getLogger("test"))

    assert support.resolve("acc") is multi
    assert support.resolve("other") is multi
    assert (support.multi, bank.calls) == (multi, calls)


def test_given_undecided_when_page_with_two_statuses_observed_then_multi_without_probe():
    bank = FakeBank([], {})
    support = StatusSupport(bank.sample, logging.getLogger("test"))

    support.observe(rows("completed", "declined"), ASKED)

    assert support.multi is True and support.resolve("acc") is True and bank.calls == 0


class SingleValueApi:
    """Lists like a bank honouring only the first status[] value."""

    DATA = [{"id": "c1", "status": "completed", "updated_at": "2025-02-01T00:00:00.000Z", "emitted_at": "2025-02-01T00:00:00.000Z"},
            {"id": "p1", "status": "pending", "updated_at": "2025-02-02T00:00:00.000Z", "emitted_at": "2025-02-02T00:00:00.000Z"}]

    def transaction_pages(self, account_id, statuses, lower, upper, with_attachments=False):
        first = statuses if isinstance(statuses, str) else statuses[0]
        yield [row for row in self.DATA if row["status"] == first], 0.0


class DecidedElsewhere(StatusSupport):
    """Another window settles 'one status per call' while this window reads its first page."""

    def observe(self, rows, asked):
        self.multi = False


def test_given_other_window_decides_single_while_first_page_read_when_window_read_then_other_statuses_still_listed():
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from source_bank_receipts.partitions import TransactionsPartition

    context = SimpleNamespace(
        api=SingleValueApi(), statuses=DecidedElsewhere(lambda *a: ([], None), logging.getLogger("test")), logger=logging.getLogger("test"),
        settings=SimpleNamespace(start_datetime=datetime(2025, 1, 1, tzinfo=timezone.utc)),
    )
    window = (datetime(2025, 1, 1, tzinfo=timezone.utc), datetime(2025, 12, 31, tzinfo=timezone.utc))
    partition = TransactionsPartition("transactions", context, {"id": "acc"}, window)

    assert sorted(row["id"] for row, _ in partition.transactions()) == ["c1", "p1"]


def _answer(error, *, refused=("reversed",), times=None):
    """A bank whose one-status calls raise `error` for the statuses in `refused` (the first `times` calls)."""
    calls = []

    def sample(account, statuses, per_page):
        calls.append((account, tuple(statuses), per_page))
        if error is not None and set(statuses) & set(refused) and (times is None or len(calls) <= times):
            raise error
        return [], 0
    return sample, calls


REFUSED_400 = AirbyteTracedException(message="The bank API rejected a request (HTTP 400): At least one status isn't valid")


@pytest.mark.parametrize(
    "error, listed, asked",
    [
        pytest.param(None, True, [("reversed",)], id="accepted"),
        pytest.param(REFUSED_400, False, [("reversed",), ("completed",), ("reversed",)], id="refused-400"),
        pytest.param(AirbyteTracedException(message="The bank API rejected a request (HTTP 422): invalid"), False,
                     [("reversed",), ("completed",), ("reversed",)], id="refused-422"),
    ],
)
def test_given_the_banks_answer_to_status_reversed_when_asked_twice_then_decided_once(error, listed, asked, caplog):
    sample, calls = _answer(error)
    support = ReversedSupport(sample, logging.getLogger("test"))

    assert [support.listed("acc-1"), support.listed("acc-2")] == [listed, listed]
    assert calls == [("acc-1", statuses, 1) for statuses in asked]
    assert ("refuses status[]=reversed" in caplog.text) is (not listed)


@pytest.mark.parametrize(
    "error, refused",
    [
        pytest.param(AirbyteTracedException(message="The bank API at http://x kept failing for GET /v2/transactions"),
                     ("reversed",), id="outage"),
        pytest.param(ConfigError("The bank rejected the credentials (HTTP 401)"), ("reversed",), id="credentials"),
        pytest.param(REFUSED_400, ("reversed", "completed"), id="every-listing-refused"),
    ],
)
def test_given_an_outage_refused_credentials_or_every_listing_refused_when_probing_reversed_then_the_error_is_the_syncs(
        error, refused):
    sample, _ = _answer(error, refused=refused)

    with pytest.raises(type(error)):
        ReversedSupport(sample, logging.getLogger("test")).listed("acc-1")


def test_given_a_one_off_refusal_of_status_reversed_when_probing_then_asked_again_and_listed():
    sample, calls = _answer(REFUSED_400, times=1)

    assert ReversedSupport(sample, logging.getLogger("test")).listed("acc-1") is True
    assert [statuses for _, statuses, _ in calls] == [("reversed",), ("completed",), ("reversed",)]
