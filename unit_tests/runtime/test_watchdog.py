"""The stall watchdog and the liveness record it reads (connector_runtime), on a fake clock."""

from __future__ import annotations

import logging
import threading

import pytest

from connector_runtime.liveness import Liveness
from connector_runtime.watchdog import StallWatchdog, duration


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def setup(clock, caplog):
    liveness = Liveness(clock)
    stalls, exits = [], []
    watchdog = StallWatchdog(
        60.0, stalls.append, logging.getLogger("test.watchdog"), what_moves="nothing read", liveness=liveness,
        heartbeat_s=60.0, clock=clock, wall=lambda: 0.0, exit_process=exits.append,
    )
    caplog.set_level(logging.INFO, logger="test.watchdog")
    return liveness, watchdog, stalls, exits


def advance(clock, watchdog, seconds: float, step: float = 1.0) -> None:
    for _ in range(int(seconds / step)):
        clock.now += step
        watchdog.step()


@pytest.mark.parametrize(
    "seconds, text",
    [(0.25, "0.2 s"), (45, "45 s"), (89, "89 s"), (90, "2 min"), (30 * 60, "30 min"), (125 * 60, "2 h 5 min")],
)
def test_given_a_duration_when_written_then_readable(seconds, text):
    assert duration(seconds) == text


def test_given_steady_progress_when_watched_then_never_a_stall(clock, setup):
    liveness, watchdog, stalls, exits = setup
    for _ in range(600):
        clock.now += 1
        liveness.progress("records emitted")
        watchdog.step()
    assert not stalls and not exits


def test_given_no_progress_when_the_limit_passes_then_one_stall_one_message_and_a_non_zero_exit(clock, setup, caplog):
    liveness, watchdog, stalls, exits = setup
    liveness.progress("records emitted")
    release = threading.Event()
    worker = threading.Thread(target=release.wait, name="blocked-worker")
    worker.start()

    advance(clock, watchdog, 59)
    assert not stalls
    advance(clock, watchdog, 30)
    release.set()

    assert len(stalls) == 1 and exits == [1]
    assert "no progress for 60 s" in stalls[0] and "Traceback" not in stalls[0] and "File \"" not in stalls[0]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    assert "Stacks of the threads" in logged and "blocked-worker" in logged and "in wait" in logged


def test_given_an_announced_wait_when_it_outlasts_the_limit_then_no_stall_and_a_heartbeat_every_minute(clock, setup, caplog):
    liveness, watchdog, stalls, _ = setup
    liveness.begin_wait("storm", "the bank's rate limit to lift", 15 * 60)

    advance(clock, watchdog, 15 * 60 + 30)

    assert not stalls
    beats = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Waiting for the bank's rate limit")]
    assert 14 <= len(beats) <= 16 and all("until 00:" in b for b in beats)


def test_given_a_wait_that_should_have_ended_when_nothing_resumes_then_a_stall_limit_after_its_end(clock, setup):
    liveness, watchdog, stalls, _ = setup
    liveness.begin_wait("window", "a free slot in the bank's rate window", 120)

    advance(clock, watchdog, 120 + 59)
    assert not stalls
    advance(clock, watchdog, 5)

    assert len(stalls) == 1 and "while waiting for a free slot in the bank's rate window" in stalls[0]


def test_given_a_wait_without_end_when_long_then_never_a_stall(clock, setup):
    liveness, watchdog, stalls, _ = setup
    with liveness.waiting("the source's next message", None):
        advance(clock, watchdog, 3 * 3600, step=10)
    assert not stalls


def test_given_silence_without_announced_wait_when_a_minute_passes_then_the_log_says_when_the_sync_stops(clock, setup, caplog):
    liveness, watchdog, _, _ = setup
    watchdog.limit_s = 600
    advance(clock, watchdog, 125)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("No progress for")]
    assert len(lines) == 2 and "stall_timeout_minutes" in lines[0]


def test_given_several_threads_on_one_wait_when_listed_then_one_entry_counting_them(clock):
    liveness = Liveness(clock)
    liveness.begin_wait("a", "the rate window", 5)
    liveness.begin_wait("b", "the rate window", 10)
    liveness.begin_wait("c", "Drive's Retry-After", 2)
    waits = {w.what: w for w in liveness.waits()}
    assert waits["the rate window"].threads == 2 and waits["the rate window"].until == clock.now + 10
    assert liveness.stall_deadline(60) == clock.now + 70
