"""The ledger side of a write job: what the sync hands over and when the ledgers are written.

Transactions records wait in a buffer; their STATE messages wait until the ledgers covering them
are written at the end of input (like receipt_index's), so a sync that stops early loses no row:
the bank sends those transactions again next time.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

from destination_gdrive_receipts.config import Config
from destination_gdrive_receipts.drive.sheets import SheetsClient
from destination_gdrive_receipts.ledger.book import LedgerBook, Report
from destination_gdrive_receipts.ledger.buffer import TransactionBuffer
from destination_gdrive_receipts.ledger.files import OFF
from destination_gdrive_receipts.platform import stream_value

logger = logging.getLogger("airbyte")
TRANSACTIONS = "transactions"


def truncates(stream: Any) -> bool:
    """Whether this job reads every transaction, so the ledgers are rebuilt rather than merged.

    Only a full-refresh read proves it. The generation fields do not: PyAirbyte fills a missing
    generation_id and minimum_generation_id with 1 on every sync (airbytehq/PyAirbyte,
    airbyte/shared/catalog_providers.py), which reads as a truncating refresh on the platform's terms
    (platform.py) while the source reads incrementally; rebuilding then would drop every older row.
    A truncating refresh on the platform re-sends every transaction anyway, and the merge updates
    every row; rows of transactions no longer sent stay (a lost row is worse than a stale one).
    """
    return stream is not None and stream_value(stream, "sync_mode") == "full_refresh"


class Ledgers:
    def __init__(self, config: Config, catalog: Any, role: Callable[[str], str | None]) -> None:
        self._config = config
        stream = next((s for s in getattr(catalog, "streams", None) or [] if role(s.stream.name) == TRANSACTIONS), None)
        self.enabled = config.ledger != OFF and stream is not None
        self._truncates = truncates(stream)
        self._buffer = TransactionBuffer()
        self.report: Report | None = None
        if config.ledger != OFF and stream is None:
            logger.info("Ledgers are on but the connection does not sync the transactions stream: select it to get "
                        "a ledger in every period folder and the Missing receipts list.")

    def add(self, record: Mapping[str, Any]) -> None:
        if self.enabled:
            self._buffer.add(record)

    @property
    def holds(self) -> bool:
        return bool(self._buffer)

    def due(self, drive_open: bool) -> bool:
        """New transactions, or Drive open anyway (receipts may have moved, a ledger may be in the trash)."""
        return self.enabled and (self.holds or drive_open)

    def write(self, **parts: Any) -> None:
        reset = self._truncates and self.holds     # a "clear data" job without records leaves ledgers alone
        book = LedgerBook(config=self._config, reset=reset, sheets=lambda: SheetsClient(self._config), **parts)
        self.report = book.run(self._buffer)

    def close(self) -> None:
        self._buffer.close()
