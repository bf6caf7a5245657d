"""The receipts pipeline: chunks → assembled file → filed in Drive by a small pool of uploaders.

`flush()` returns once every complete receipt received so far is durable in Drive (or raises the
first failure), which is what lets a STATE message through. Two records of the same attachment
never run at the same time, so an at-least-once replay cannot race itself into a duplicate.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Mapping

from destination_gdrive_receipts.filing.assembly import AssembledReceipt, ReceiptAssembler
from destination_gdrive_receipts.drive.gateway import Media
from destination_gdrive_receipts.filing.filer import Filer
from destination_gdrive_receipts.filing.variants import UnknownVariants, file_key, variant_of

logger = logging.getLogger("airbyte")
DEFAULT_WORKERS = 3


class ReceiptWriter:
    def __init__(self, filer: Callable[[], Filer], *, workers: int = DEFAULT_WORKERS) -> None:
        self._filer = filer                   # lazy: Drive is touched only when a receipt needs it
        self._assembler = ReceiptAssembler()
        self.unknown_variants = UnknownVariants()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="drive-upload")
        self._slots = threading.BoundedSemaphore(workers * 2)   # bounds spooled files waiting
        self._pending: dict[str, Future] = {}
        self._lock = threading.Lock()

    def add(self, record: Mapping[str, Any]) -> None:
        """Feed one `receipts` record; a completed receipt starts uploading in the background."""
        if not self.unknown_variants.known(record):
            return
        receipt = self._assembler.add(record)
        if receipt is not None:
            key = file_key(str(receipt.metadata["attachment_id"]), variant_of(receipt.metadata))
            self.submit(key, self._file_receipt, receipt)

    def submit(self, key: str, work: Callable[..., Any], *args: Any) -> None:
        with self._lock:
            previous = self._pending.get(key)
        if previous is not None:
            previous.result()                 # same attachment in flight: let it land first
        self._slots.acquire()
        future = self._pool.submit(self._run, work, *args)
        with self._lock:
            self._pending[key] = future
        # Registered after the insert, so a future that is already done is forgotten too.
        future.add_done_callback(lambda done: self._forget_success(key, done))

    def _forget_success(self, key: str, future: Future) -> None:
        """Drop a succeeded future at once: a reconciliation submits one per receipt of the archive
        and keeping them all until flush() cost ~35 MB at 20,000 receipts. Failures stay for flush()."""
        if future.cancelled() or future.exception() is not None:
            return
        with self._lock:
            if self._pending.get(key) is future:
                del self._pending[key]

    def _run(self, work: Callable[..., Any], *args: Any) -> Any:
        try:
            return work(*args)
        finally:
            self._slots.release()

    def _file_receipt(self, receipt: AssembledReceipt) -> str:
        try:
            media = Media(receipt.file, receipt.size, receipt.md5, receipt.metadata.get("content_type"))
            return self._filer().file_content(receipt.metadata, media, receipt.sha256)
        finally:
            receipt.close()

    def flush(self) -> None:
        """Wait for every submitted receipt; raise the first failure after all have settled."""
        with self._lock:
            futures, self._pending = list(self._pending.values()), {}
        errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first

    def incomplete(self) -> list[str]:
        return self._assembler.pending()

    def stop_uploading(self) -> None:
        """Every receipt of the sync is filed: the upload threads end, and each thread's Drive client
        (~1.3 MB) with them, before the ledger pass needs the memory."""
        self._pool.shutdown(wait=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._assembler.discard_all()
