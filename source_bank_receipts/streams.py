"""The four streams as CDK concurrent streams (DefaultStream + partition generators)."""

from __future__ import annotations

import logging
from typing import Any, Iterable, List, Mapping, Optional, Union

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import MessageRepository
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.streams.concurrent.abstract_stream_facade import AbstractStreamFacade
from airbyte_cdk.sources.streams.concurrent.cursor import Cursor, CursorField, FinalStateCursor
from airbyte_cdk.sources.streams.concurrent.default_stream import DefaultStream
from airbyte_cdk.sources.streams.concurrent.partitions.partition import Partition
from airbyte_cdk.sources.streams.concurrent.partitions.partition_generator import PartitionGenerator
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader

from .context import SyncContext
from .cursor import PerAccountCursor
from .dates import LISTING_WINDOW_STEP, WINDOW_STEP, parse_ts, split_windows
from .partitions import AccountsPartition, ReceiptIndexPartition, ReceiptsPartition, TransactionsPartition

STREAMS = {
    # name: (primary key, cursor field)
    "bank_accounts": (["id"], None),
    "transactions": (["id"], "updated_at"),
    "receipts": (["attachment_id", "variant", "chunk_index"], "updated_at"),
    "receipt_index": (["attachment_id"], None),
}


def load_schema(name: str) -> Mapping[str, Any]:
    return ResourceSchemaLoader("source_bank_receipts").get_schema(name)


class AccountsGenerator(PartitionGenerator):
    def __init__(self, context: SyncContext) -> None:
        self._context = context

    def generate(self) -> Iterable[Partition]:
        yield AccountsPartition("bank_accounts", self._context, {})


class WindowGenerator(PartitionGenerator):
    """Per bank account, windows from its cursor (or start_date) up to the sync's start time;
    a recent cursor gives one window per account."""

    def __init__(self, stream_name: str, context: SyncContext, cursor: PerAccountCursor, incremental: bool) -> None:
        self._stream_name = stream_name
        self._context = context
        self._cursor = cursor
        self._incremental = incremental
        self._partition_class = TransactionsPartition if stream_name == "transactions" else ReceiptsPartition
        self._step = LISTING_WINDOW_STEP if stream_name == "transactions" else WINDOW_STEP

    def generate(self) -> Iterable[Partition]:
        start = self._context.settings.start_datetime
        windows = 0
        for account in self._context.accounts():
            delivered = self._cursor.start_for(account["id"]) if self._incremental else None
            lower = max(start, parse_ts(delivered.updated_at)) if delivered else start
            self._cursor.open_account(account["id"], delivered)
            for index, window in enumerate(split_windows(lower, self._context.sync_started_at, self._step)):
                windows += 1
                yield self._partition_class(self._stream_name, self._context, account, window, index, delivered if index == 0 else None)
        if self._stream_name == "receipts":
            self._context.send_plan.expect_windows(windows)  # the running total is final once these are listed


class IndexGenerator(PartitionGenerator):
    """receipt_index: the whole [start_date, sync start] range per account, whatever the state."""

    def __init__(self, context: SyncContext) -> None:
        self._context = context

    def generate(self) -> Iterable[Partition]:
        span = (self._context.settings.start_datetime, self._context.sync_started_at)
        for account in self._context.accounts():
            yield ReceiptIndexPartition("receipt_index", self._context, account, span)


class BankStream(AbstractStreamFacade[DefaultStream], Stream):
    """Exposes a DefaultStream where the CDK's source API expects a Stream (discover, catalog)."""

    def __init__(self, stream: DefaultStream) -> None:
        self._stream = stream

    def get_underlying_stream(self) -> DefaultStream:
        return self._stream

    @property
    def name(self) -> str:
        return self._stream.name

    @property
    def primary_key(self) -> Optional[Union[str, List[str], List[List[str]]]]:
        return self._stream.as_airbyte_stream().source_defined_primary_key

    @property
    def cursor_field(self) -> Union[str, List[str]]:
        return self._stream.cursor_field or []

    @property
    def cursor(self) -> Optional[Cursor]:  # type: ignore[override]
        return self._stream.cursor

    def get_json_schema(self) -> Mapping[str, Any]:
        return self._stream.get_json_schema()

    def as_airbyte_stream(self):  # type: ignore[no-untyped-def]
        return self._stream.as_airbyte_stream()

    def read_records(self, sync_mode: SyncMode, cursor_field: Optional[List[str]] = None, stream_slice: Optional[Mapping[str, Any]] = None, stream_state: Optional[Mapping[str, Any]] = None) -> Iterable[Mapping[str, Any]]:
        for partition in self._stream.generate_partitions():
            for record in partition.read():
                yield record.data


def build_streams(
    context: SyncContext,
    state_manager: ConnectorStateManager,
    message_repository: MessageRepository,
    logger: logging.Logger,
    incremental_streams: Optional[set] = None,
) -> List[BankStream]:
    streams: List[BankStream] = []
    for name, (primary_key, cursor_field) in STREAMS.items():
        cursor: Cursor
        if cursor_field:
            cursor = PerAccountCursor(name, state_manager.get_stream_state(name, None), state_manager, message_repository)
            incremental = incremental_streams is None or name in incremental_streams
            generator: PartitionGenerator = WindowGenerator(name, context, cursor, incremental)
        else:
            cursor = FinalStateCursor(name, None, message_repository)
            generator = AccountsGenerator(context) if name == "bank_accounts" else IndexGenerator(context)
        streams.append(
            BankStream(
                DefaultStream(
                    partition_generator=generator,
                    name=name,
                    json_schema=lambda name=name: load_schema(name),
                    primary_key=primary_key,
                    cursor_field=CursorField(cursor_field) if cursor_field else None,
                    logger=logger,
                    cursor=cursor,
                )
            )
        )
    return streams
