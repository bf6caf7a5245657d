"""Pacing the bank API: the documented rate windows, and patience through a storm of 429s.

The bank allows 1,000 requests per 10 s and 10,000 per 10 minutes per IP address and answers
429 beyond, without a documented Retry-After (docs.qonto.com, "Rate limitations"). The source
paces itself over both windows (a little under the limits: the token endpoint and other clients
behind the same IP share them), and a 429 that still comes (another client exhausted the IP's
window) is waited out for up to `STORM_PATIENCE_S` in all before the sync gives up.

The windows count the requests this source actually sent, nothing else. The CDK's
`HttpAPIBudget` reacts to a 429 by filling its moving windows with phantom calls (as many as the
strictest window has left, CDK 7.39): in a storm each 429 ten seconds apart added ~950 of them,
ten such 429s filled the 10-minute window, and every worker then slept in the budget for up to
ten minutes after the storm had ended, without a log line (BEHAVIOR.md 22). Here a 429 pauses
every thread for the short window instead; every wait of the budget is announced to the stall
watchdog, bounded, and logged when it lasts.

`TIME_SCALE` compresses every duration here (windows, waits, patience) so tests can replay a
five-minute storm in seconds; it is 1 in production.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any, Optional
from urllib.parse import urlsplit

import requests
from airbyte_cdk.sources.streams.call_rate import APIBudget, CallRateLimitHit, MovingWindowCallRatePolicy, Rate

from connector_runtime.liveness import LIVENESS

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


class BankBudget(APIBudget):
    """The CDK's budget interface (the HTTP client's session calls `acquire_call` before each
    request and `update_from_response` after it), over windows of the requests really sent."""

    def __init__(self) -> None:
        rates = [Rate(limit=limit, interval=timedelta(seconds=scaled(window))) for limit, window in RATE_WINDOWS]
        self.policy = MovingWindowCallRatePolicy(rates=rates, matchers=[])
        super().__init__(policies=[self.policy])
        self._lock = threading.Lock()
        self._paused_until = 0.0  # monotonic: after a 429, nobody sends before this

    def acquire_call(self, request: Any, block: bool = True, timeout: Optional[float] = None) -> None:
        while True:
            pause = self.paused_for()
            if pause > 0:
                with LIVENESS.waiting("the bank's rate limit to lift (HTTP 429: every request holds back)", pause):
                    time.sleep(pause)
                continue
            try:
                self.policy.try_acquire(request, weight=1)
                LIVENESS.doing(f"a bank API request (GET {urlsplit(getattr(request, 'url', '') or '').path})")
                return
            except CallRateLimitHit as hit:
                # Bounded by the longest window: only requests really sent are in it.
                wait = max(0.0, min(hit.time_to_wait.total_seconds(), scaled(RATE_WINDOWS[-1][1])))
                with LIVENESS.waiting(f"a free slot in the bank's rate window ({hit.rate})", wait):
                    time.sleep(wait)

    def paused_for(self) -> float:
        """Seconds every thread still holds back after the last 429 (0: none)."""
        with self._lock:
            return max(0.0, self._paused_until - time.monotonic())

    def update_from_response(self, request: Any, response: Any) -> None:
        if not isinstance(response, requests.Response):
            return
        LIVENESS.progress("bank requests answered")
        LIVENESS.doing(None)
        LIVENESS.end_wait(f"retry-after@{threading.get_ident()}")  # errors.retry_after_key(): this thread's wait is over
        if response.status_code != 429:
            LIVENESS.end_wait("bank-429")  # the streak of 429s is over (errors.py announced it)
        else:
            with self._lock:
                self._paused_until = max(self._paused_until, time.monotonic() + scaled(RATE_WINDOWS[0][1]))


def api_budget() -> BankBudget:
    return BankBudget()


def too_many_requests_wait(attempt: int, retry_after: Optional[float]) -> float:
    """Seconds to wait after the attempt-th 429 in a row (Retry-After wins when the bank sends one)."""
    if retry_after is not None:
        return retry_after
    return scaled(min(MAX_WAIT_S, FIRST_WAIT_S * 2 ** max(0, attempt)))
