"""Pacing the bank API: the documented rate windows, and patience through a storm of 429s.

The bank allows 1,000 requests per 10 s and 10,000 per 10 minutes per IP address and answers
429 beyond, without a documented Retry-After (docs.qonto.com, "Rate limitations"). The source
paces itself with the CDK's API budget over both windows (a little under the limits: the token
endpoint and other clients behind the same IP share them), and a 429 that still comes (another
client exhausted the IP's window) is waited out for up to `STORM_PATIENCE_S` in all before the
sync gives up.

`TIME_SCALE` compresses every duration here (windows, waits, patience) so tests can replay a
five-minute storm in seconds; it is 1 in production.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Optional

from airbyte_cdk.sources.streams.call_rate import HttpAPIBudget, MovingWindowCallRatePolicy, Rate

TIME_SCALE = 1.0
# (requests, seconds): the documented windows, with 5 % headroom.
RATE_WINDOWS = ((950, 10.0), (9_500, 600.0))
# Waits for a 429 without Retry-After: 5, 10, 20, 40, 60, 60 ... seconds.
FIRST_WAIT_S = 5.0
MAX_WAIT_S = 60.0
# A 10-minute window exhausted by others can mean ~10 minutes of 429s; wait a little longer.
STORM_PATIENCE_S = 15 * 60.0


def scaled(seconds: float) -> float:
    return seconds * TIME_SCALE


def api_budget() -> HttpAPIBudget:
    rates = [Rate(limit=limit, interval=timedelta(seconds=scaled(window))) for limit, window in RATE_WINDOWS]
    return HttpAPIBudget(policies=[MovingWindowCallRatePolicy(rates=rates, matchers=[])])


def too_many_requests_wait(attempt: int, retry_after: Optional[float]) -> float:
    """Seconds to wait after the attempt-th 429 in a row (Retry-After wins when the bank sends one)."""
    if retry_after is not None:
        return retry_after
    return scaled(min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** max(0, attempt)))
