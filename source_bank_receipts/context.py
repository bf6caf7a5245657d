"""What one sync shares between its streams: settings, API client, downloader, account list."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Any, Dict, List, MutableMapping, Optional

from .api import BankApi
from .config import ConfigError, Settings
from .dates import floor_to_tick
from .downloads import ReceiptDownloader
from .send_plan import SendPlan
from .status_support import ReversedSupport, StatusSupport


class SyncContext:
    def __init__(
        self, settings: Settings, config: MutableMapping[str, Any], logger: logging.Logger, now: Optional[datetime] = None, max_retries: Optional[int] = None
    ) -> None:
        self.settings = settings
        self.logger = logger
        self.api = BankApi(settings, config, logger, **({"max_retries": max_retries} if max_retries is not None else {}))
        # Signed download URLs must never reach the logs, not even at debug level.
        download_logger = logging.getLogger("airbyte.receipt_download")
        download_logger.setLevel(logging.INFO)
        self.downloader = ReceiptDownloader(
            self.api.attachment, download_logger, headers=settings.extra_headers, sandbox=settings.environment == "sandbox"
        )
        # Whether one call may ask several statuses: decided once, shared by all streams.
        self.statuses = StatusSupport(self.api.sample_transactions, logger)
        # Whether the bank accepts status[]=reversed (undocumented value): decided once too.
        self.reversed = ReversedSupport(self.api.sample_transactions, logger)
        # How many receipts the receipts stream will send, logged as its windows are listed.
        self.send_plan = SendPlan(logger)
        # Every window of this sync ends here: rows updated while the sync runs wait for the next one.
        self.sync_started_at = floor_to_tick(now or datetime.now(timezone.utc))
        self._accounts: Optional[List[Dict[str, Any]]] = None
        self._accounts_error: Optional[Exception] = None
        self._lock = threading.Lock()

    def accounts(self) -> List[Dict[str, Any]]:
        """Bank accounts to read (closed ones too), filtered by bank_account_ids; listed once per sync."""
        with self._lock:
            # A failure is remembered too: the streams must not each repeat a refused call
            # (the bank throttles clients that collect 401s).
            if self._accounts_error is not None:
                raise self._accounts_error
            if self._accounts is None:
                try:
                    self._accounts = select_accounts(self.api.bank_accounts(), self.settings.bank_account_ids)
                except Exception as error:
                    self._accounts_error = error
                    raise
            return self._accounts


def select_accounts(accounts: List[Dict[str, Any]], wanted: Optional[tuple]) -> List[Dict[str, Any]]:
    # Keyed by id: an account listed twice (the list shifting between pages) is read once.
    known = {account["id"]: account for account in accounts if account.get("id")}
    if not wanted:
        return list(known.values())
    missing = [account_id for account_id in wanted if account_id not in known]
    if missing:
        raise ConfigError(
            f"bank_account_ids lists accounts the bank does not know: {', '.join(missing)}. "
            f"Known bank account ids: {', '.join(sorted(str(k) for k in known if k)) or 'none'}."
        )
    return [known[account_id] for account_id in wanted]
