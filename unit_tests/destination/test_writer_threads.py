"""Once every receipt is filed, the upload threads end (each held its own Drive client)."""

import threading

from destination_gdrive_receipts.filing.writer import ReceiptWriter


def upload_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("drive-upload")]


def test_given_uploads_done_when_uploading_stops_then_no_upload_thread_is_left():
    writer = ReceiptWriter(lambda: None, workers=3)
    for n in range(6):
        writer.submit(f"key{n}", lambda: None)
    writer.flush()
    assert upload_threads()
    writer.stop_uploading()
    assert upload_threads() == []
    writer.close()      # closing after stopping is harmless
