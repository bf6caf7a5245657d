"""The per bank account cursor plugged into the CDK's concurrent engine."""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, Mapping, MutableMapping, Optional

from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.types import Record

from .cursor_state import AccountCursor, AccountLedger, build_state, parse_state
from .state_format import marked, predates_marker

logger = logging.getLogger("airbyte")


class PerAccountCursor(Cursor):
    """State per bank account; a state message goes out each time an account's cursor moves.

    The engine calls close_partition() from the worker thread after all the window's records are
    on the shared queue, and the state message goes on the same queue behind them: a STATE is
    only emitted after every record (and every receipt chunk) it covers.
    """

    def __init__(
        self,
        stream_name: str,
        stream_state: Optional[Mapping[str, Any]],
        state_manager: ConnectorStateManager,
        message_repository: MessageRepository,
    ) -> None:
        self._stream_name = stream_name
        self._state_manager = state_manager
        self._message_repository = message_repository
        self._initial: Dict[str, AccountCursor] = parse_state(stream_state)
        if predates_marker(stream_name, stream_state):
            logger.info("The %s state was written by 0.2.0: %s is read once from start_date, so the destination "
                        "rebuilds its ledgers from the bank's data.", stream_name, stream_name)
            self._initial = {}
        self._ledgers: Dict[str, AccountLedger] = {}
        self._lock = threading.Lock()
        # Keeps state messages in the order their states were computed.
        self._emit_lock = threading.Lock()

    def start_for(self, bank_account_id: str) -> Optional[AccountCursor]:
        return self._initial.get(bank_account_id)

    def open_account(self, bank_account_id: str, cursor: Optional[AccountCursor]) -> None:
        with self._lock:
            self._ledgers[bank_account_id] = AccountLedger(cursor)

    @property
    def state(self) -> MutableMapping[str, Any]:
        with self._lock:
            cursors = dict(self._initial)
            for account_id, ledger in self._ledgers.items():
                if ledger.cursor is not None:
                    cursors[account_id] = ledger.cursor
            return marked(self._stream_name, build_state(cursors))

    def observe(self, record: Record) -> None:
        pass  # the partition computes its own cursor over every row it read, emitted or not

    def close_partition(self, partition: Partition) -> None:
        account_id = getattr(partition, "bank_account_id", None)
        if account_id is None:
            return
        with self._lock:
            moved = self._ledgers[account_id].close(partition.window_index, partition.result)
        if moved:
            self._emit()

    def ensure_at_least_one_state_emitted(self) -> None:
        self._emit()

    def should_be_synced(self, record: Record) -> bool:
        return True

    def _emit(self) -> None:
        with self._emit_lock:
            self._state_manager.update_state_for_stream(self._stream_name, None, self.state)
            self._message_repository.emit_message(self._state_manager.create_state_message(self._stream_name, None))
