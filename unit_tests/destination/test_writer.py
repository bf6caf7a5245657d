import threading

import pytest

from destination_gdrive_receipts.filing.writer import ReceiptWriter


def _writer() -> ReceiptWriter:
    return ReceiptWriter(lambda: pytest.fail("Drive must not be opened"), workers=2)


def test_given_one_failure_among_many_successes_when_flushed_then_the_failure_is_raised():
    writer = _writer()
    try:
        for n in range(50):
            writer.submit(f"ok-{n}", lambda: "skipped")
        writer.submit("bad", lambda: (_ for _ in ()).throw(RuntimeError("upload refused")))
        for n in range(50):
            writer.submit(f"late-{n}", lambda: "skipped")
        with pytest.raises(RuntimeError, match="upload refused"):
            writer.flush()
        writer.flush()   # the failure is reported once
    finally:
        writer.close()


def test_given_same_attachment_twice_when_submitted_then_the_second_runs_after_the_first():
    writer, order, first_may_end = _writer(), [], threading.Event()
    try:
        writer.submit("a", lambda: (first_may_end.wait(5), order.append("first")))
        first_may_end.set()
        writer.submit("a", lambda: order.append("second"))
        writer.flush()
        assert order == ["first", "second"]
    finally:
        writer.close()
