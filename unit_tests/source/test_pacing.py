"""The bank API budget under a storm of 429s (pacing.py, BEHAVIOR.md 22).

Reproduction of the stall: with the CDK's HttpAPIBudget each 429 filled the moving windows with
phantom calls; ten of them ten seconds apart filled the 10-minute window and every worker slept
until it drained, long after the storm. Time is compressed 1,000 times (windows of 10 ms and
0.6 s); the assertions are about what the budget holds, not about how long anything took.
"""

from __future__ import annotations

import time

import pytest
import requests
from airbyte_cdk.sources.streams.call_rate import CallRateLimitHit

from connector_runtime.liveness import LIVENESS
from source_bank_receipts import pacing

SCALE = 0.001


@pytest.fixture(autouse=True)
def compressed(monkeypatch):
    monkeypatch.setattr(pacing, "TIME_SCALE", SCALE)


def request() -> requests.PreparedRequest:
    return requests.Request("GET", "http://127.0.0.1:1/v2/transactions").prepare()


def answer(status: int) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    return response


def storm(budget, seconds: float = 150.0, every: float = 15.0) -> None:
    """429s answered `every` seconds (scaled) for `seconds`: each one lands in a fresh short window."""
    for _ in range(int(seconds / every)):
        budget.update_from_response(request(), answer(429))
        time.sleep(pacing.scaled(every))


def test_given_a_150_s_storm_of_429s_when_it_ends_then_the_ten_minute_window_still_has_room():
    budget = pacing.api_budget()

    storm(budget)

    policy = budget.get_matching_policy(request())
    try:
        policy.try_acquire(request(), weight=1)
    except CallRateLimitHit as hit:  # the stall: a wait of minutes for calls never made
        pytest.fail(f"the budget holds phantom calls after the storm: wait {hit.time_to_wait} ({hit.rate})")


def test_given_a_429_when_the_next_request_is_acquired_then_every_thread_holds_back_for_at_most_the_short_window():
    budget = pacing.api_budget()

    budget.update_from_response(request(), answer(429))

    assert 0 < budget.paused_for() <= pacing.scaled(pacing.RATE_WINDOWS[0][1])


def test_given_requests_sent_when_answered_then_counted_as_progress_and_only_real_requests_fill_the_window(monkeypatch):
    monkeypatch.setattr(pacing, "RATE_WINDOWS", ((3, 10.0), (5, 600.0)))
    budget = pacing.api_budget()
    LIVENESS.reset()

    for _ in range(3):
        budget.acquire_call(request())
        budget.update_from_response(request(), answer(200))

    assert LIVENESS.counts["bank requests answered"] == 3
    with pytest.raises(CallRateLimitHit):
        budget.get_matching_policy(request()).try_acquire(request(), weight=1)  # 3 real calls fill 3 / 10 s


def test_given_a_429_without_retry_after_when_backed_off_then_the_wait_is_announced_until_the_retry_and_ends_with_the_next_answer():
    from source_bank_receipts.errors import RetryAfterBackoff

    LIVENESS.reset()
    budget = pacing.api_budget()

    wait = RetryAfterBackoff().backoff_time(answer(429), attempt_count=3)

    (announced,) = LIVENESS.waits()
    assert "rate limit" in announced.what and announced.until is not None
    assert announced.until - time.monotonic() == pytest.approx(wait + 1.0, abs=0.5)  # the CDK sleeps 1 s more
    assert LIVENESS.stall_deadline(60.0) >= announced.until + 60.0
    budget.update_from_response(request(), answer(200))
    assert LIVENESS.waits() == []  # the streak of 429s is over
