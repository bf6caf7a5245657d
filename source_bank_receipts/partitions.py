"""Units of work for the concurrent engine: one partition per bank account window."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from .chunking import iter_chunks
from .context import SyncContext
from .cursor_state import AccountCursor, merge
from .dates import format_ts, is_dated_on_or_after, parse_ts
from .downloads import url_expires_at
from .records import (
    ALL_STATUSES,
    EXPORTED_STATUSES,
    REVERSED,
    ORIGINAL,
    PROBATIVE,
    account_record,
    probative_download,
    probative_index_entry,
    variant_metadata,
    receipt_chunk_record,
    receipt_index_record,
    receipt_metadata,
    transaction_record,
    variant_size,
)


class _BasePartition(Partition):
    def __init__(self, stream_name: str, context: SyncContext, slice_: Mapping[str, Any]) -> None:
        self._stream_name = stream_name
        self._context = context
        self._slice = dict(slice_)

    def stream_name(self) -> str:
        return self._stream_name

    def to_slice(self) -> Optional[Mapping[str, Any]]:
        return self._slice

    def __hash__(self) -> int:
        return hash((self._stream_name, tuple(sorted((k, str(v)) for k, v in self._slice.items()))))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._stream_name}, {self._slice})"

    def _record(self, data: Mapping[str, Any]) -> Record:
        return Record(data=data, stream_name=self._stream_name, associated_slice=None)


class AccountsPartition(_BasePartition):
    def read(self) -> Iterable[Record]:
        for account in self._context.accounts():
            yield self._record(account_record(account))


class _AccountPartition(_BasePartition):
    """Reads transactions of one bank account with updated_at in [lower, upper) (half-open: the
    next window starts at `upper`). The listing overlaps its neighbours on purpose (paging.py):
    rows outside the window, and rows already read, are dropped here.

    All statuses in one listing once the bank has shown it honours several `status[]` values,
    else one listing per status (status_support.py). While undecided, the first page is asked
    with all statuses; if it does not settle the question the counting probe does, and when the
    answer is "one per call" the window is read again status by status (rows already read are
    skipped by id).
    """

    statuses: Tuple[str, ...] = ALL_STATUSES
    with_attachments = False

    def __init__(
        self,
        stream_name: str,
        context: SyncContext,
        account: Mapping[str, Any],
        window: Tuple[datetime, datetime],
        window_index: int = 0,
        delivered: Optional[AccountCursor] = None,
    ) -> None:
        self.account = account
        self.bank_account_id: str = account["id"]
        self.window_index = window_index
        self._window = window
        self.lower, self.upper = format_ts(window[0]), format_ts(window[1])
        self.delivered = delivered
        self.result: Optional[AccountCursor] = None
        super().__init__(stream_name, context, {"bank_account_id": self.bank_account_id, "updated_at_from": self.lower, "updated_at_to": self.upper})

    def transactions(self) -> Iterator[Tuple[Dict[str, Any], float]]:
        """New rows of the window (deduplicated, dated on/after start_date) with the time their page was read."""
        seen = set()
        start = self._context.settings.start_datetime
        lower, upper = self._window
        for row, fetched_at in self._rows():
            if not (isinstance(row.get("updated_at"), str) and row.get("id")):
                continue  # cannot be placed in any window
            if not lower <= parse_ts(row["updated_at"]) < upper:
                continue  # read again by the overlap; its own window delivers it
            self.result = merge(self.result, AccountCursor(row["updated_at"], frozenset([row["id"]])))
            if row.get("id") in seen or (self.delivered and self.delivered.already_delivered(row)):
                continue
            seen.add(row.get("id"))
            if is_dated_on_or_after(row, start):
                yield row, fetched_at

    def _rows(self) -> Iterator[Tuple[Dict[str, Any], float]]:
        support = self._context.statuses
        if len(self.statuses) > 1 and support.multi is not False:
            pages = self._pages(self.statuses)
            for rows, fetched_at in pages:
                yield from ((row, fetched_at) for row in rows)
                support.observe(rows, self.statuses)
                # decided by another window meanwhile, or now by counting
                if not (support.multi if support.multi is not None else support.resolve(self.bank_account_id)):
                    pages.close()
                    break
            else:
                return
        for status in self.statuses:
            for rows, fetched_at in self._pages(status):
                yield from ((row, fetched_at) for row in rows)

    def _pages(self, statuses: Union[str, Tuple[str, ...]]) -> Iterator[Tuple[List[Dict[str, Any]], float]]:
        lower, upper = self._window
        return self._context.api.transaction_pages(self.bank_account_id, statuses, lower, upper, with_attachments=self.with_attachments)

    def attachments_of(self, transaction: Mapping[str, Any]) -> List[Dict[str, Any]]:
        embedded = transaction.get("attachments")
        if isinstance(embedded, list):
            return [item for item in embedded if isinstance(item, dict) and item.get("id")]
        fetched = (self._context.api.attachment(attachment_id) for attachment_id in transaction.get("attachment_ids") or [])
        return [item for item in fetched if item]

    def _where(self, transaction: Mapping[str, Any]) -> str:
        return f"transaction {transaction.get('id')} on bank account {self.account.get('name') or self.bank_account_id}"

    def _log(self, text: str) -> None:
        self._context.logger.info(
            f"{self._stream_name}: bank account {self.account.get('name') or ''} ({self.bank_account_id}), "
            f"updated {self.lower} .. {self.upper}: {text}"
        )


class TransactionsPartition(_AccountPartition):
    def read(self) -> Iterable[Record]:
        # Reversed payments come too (like declined ones) so the destination can withdraw their receipts.
        if self._context.reversed.listed(self.bank_account_id):
            self.statuses = ALL_STATUSES + (REVERSED,)
        count = 0
        for transaction, _ in self.transactions():
            count += 1
            yield self._record(transaction_record(transaction, self.bank_account_id))
        self._log(f"{count} transactions")


class ReceiptsPartition(_AccountPartition):
    statuses = EXPORTED_STATUSES
    with_attachments = True

    def read(self) -> Iterable[Record]:
        files = total_bytes = 0
        for transaction, attachment, fetched_at in self._listing():
            for variant in self._variants(attachment):
                sizes: List[int] = []
                yield from self._file_records(transaction, attachment, fetched_at, variant, sizes)
                files += len(sizes)
                total_bytes += sum(sizes)
        self._log(f"{files} receipts, {total_bytes} bytes")

    def _listing(self) -> List[Tuple[Dict[str, Any], Dict[str, Any], float]]:
        """The window's receipts, listed before any download so that the sync can say early how many
        it will send (send_plan.py). Only metadata is held; a URL that ages past its expiry while
        earlier files download is renewed by the downloader."""
        listed = [
            (transaction, attachment, fetched_at)
            for transaction, fetched_at in self.transactions()
            if transaction.get("status") in EXPORTED_STATUSES
            for attachment in self.attachments_of(transaction)
        ]
        sizes = [variant_size(attachment, variant) for _, attachment, _ in listed for variant in self._variants(attachment)]
        self._context.send_plan.add_window(len(sizes), sizes)
        return listed

    def _variants(self, attachment: Mapping[str, Any]) -> Tuple[str, ...]:
        """The original, and its sealed copy when the option is on and the bank made it available
        (pending copies are not waited for: receipt_index brings them once available)."""
        if self._context.settings.probative_copies and probative_download(attachment) is not None:
            return (ORIGINAL, PROBATIVE)
        return (ORIGINAL,)

    def _file_records(
        self, transaction: Mapping[str, Any], attachment: Mapping[str, Any], fetched_at: float, variant: str, sizes: List[int]
    ) -> Iterator[Record]:
        spooled = self._context.downloader.download(attachment, fetched_at, self._where(transaction), variant)
        if spooled is None:
            return
        try:
            metadata = variant_metadata(receipt_metadata(transaction, attachment, self.account), probative_download(attachment) or {}, variant)
            for index, count, content in iter_chunks(spooled):
                yield self._record(receipt_chunk_record(metadata, index, count, content, spooled.sha256, spooled.size))
        finally:
            spooled.close()
        sizes.append(spooled.size)


class ReceiptIndexPartition(_AccountPartition):
    statuses = EXPORTED_STATUSES
    with_attachments = True

    def read(self) -> Iterable[Record]:
        count, sealed = 0, Counter()
        for transaction, fetched_at in self.transactions():
            if transaction.get("status") not in EXPORTED_STATUSES:
                continue
            for attachment in self.attachments_of(transaction):
                count += 1
                metadata = receipt_metadata(transaction, attachment, self.account)
                expires = url_expires_at(attachment["url"], fetched_at) if attachment.get("url") else fetched_at
                probative = self._probative(attachment, fetched_at)
                if probative is not None:
                    sealed[probative.get("status") or "none"] += 1
                yield self._record(receipt_index_record(metadata, attachment, expires, probative))
        copies = f"; sealed copies: {', '.join(f'{n} {status}' for status, n in sorted(sealed.items()))}" if sealed else ""
        self._log(f"{count} receipts listed{copies}")

    def _probative(self, attachment: Mapping[str, Any], fetched_at: float) -> Optional[Dict[str, Any]]:
        if not self._context.settings.probative_copies:
            return None  # option off: nothing of the sealed copies is exported
        download = probative_download(attachment)
        expires = url_expires_at(download["url"], fetched_at) if download and download.get("url") else None
        return probative_index_entry(attachment, expires)
