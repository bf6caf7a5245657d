import pytest

from destination_gdrive_receipts.drive.rate_limit import (
    FATAL, QUOTA, RATE_LIMITED, RETRY, Backoff, TokenBucket, classify, error_reason,
)


@pytest.mark.parametrize("status, reason, expected", [
    (403, "userRateLimitExceeded", RATE_LIMITED),
    (403, "rateLimitExceeded", RATE_LIMITED),
    (429, None, RATE_LIMITED),
    (403, "storageQuotaExceeded", QUOTA),
    (500, "backendError", RETRY),
    (503, None, RETRY),
    (502, None, RETRY),
    (403, "insufficientFilePermissions", FATAL),
    (403, None, FATAL),
    (400, "invalid", FATAL),
    (404, "notFound", FATAL),
    (409, "fileIdInUse", FATAL),
])
def test_given_drive_error_when_classified_then_retry_only_what_drive_says_is_transient(status, reason, expected):
    assert classify(status, reason) == expected


def test_given_drive_error_envelope_when_read_then_first_reason_is_returned():
    body = b'{"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded"}],"code":403}}'
    assert error_reason(body) == "userRateLimitExceeded"
    assert error_reason(b"<html>oops</html>") is None


def test_given_attempts_when_backing_off_then_delay_doubles_up_to_the_cap_with_full_jitter():
    backoff = Backoff(base=0.5, cap=8)
    assert [backoff.delay(n, rand=lambda: 1.0) for n in range(6)] == [0.5, 1, 2, 4, 8, 8]
    assert backoff.delay(3, rand=lambda: 0.0) == 0


def test_given_retry_after_header_when_backing_off_then_it_is_honoured_within_the_cap():
    assert Backoff(base=0.5, cap=8).delay(0, retry_after=5, rand=lambda: 0.1) == 5
    assert Backoff(base=0.5, cap=8).delay(0, retry_after=60, rand=lambda: 0.1) == 8


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_given_three_writes_per_second_when_ten_writes_then_burst_of_three_then_one_every_third_second():
    clock = FakeClock()
    bucket = TokenBucket(3, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        bucket.acquire()
    assert len(clock.slept) == 7
    assert clock.now == pytest.approx(7 / 3)


def test_given_rate_limit_answer_when_bucket_paused_then_next_write_waits_the_pause():
    clock = FakeClock()
    bucket = TokenBucket(3, clock=clock, sleep=clock.sleep)
    bucket.pause(2.0)
    assert bucket.acquire() == pytest.approx(2.0)


def test_given_writes_from_several_upload_threads_when_counted_then_every_write_is_counted_once():
    import threading

    bucket = TokenBucket(1000.0, 1000.0, sleep=lambda _: None)
    threads = [threading.Thread(target=lambda: [bucket.acquire() for _ in range(500)]) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert bucket.taken == 2000
