"""SourceBankReceipts: the Airbyte source for a Qonto organization.

Architecture (see BEHAVIOR.md for the bank's quirks):
- All four streams are CDK concurrent `DefaultStream`s run by the CDK's concurrent engine
  (`ConcurrentSourceAdapter` + `ConcurrentSource`); their partitions are bank account windows,
  so accounts (and windows) are read in parallel by a small worker pool.
- HTTP goes through the CDK's `HttpClient` (retries, back-off honouring Retry-After, error
  mapping in errors.py) with the `slug:secret` header authenticator or the CDK's single-use
  refresh-token OAuth authenticator (rotated refresh tokens reach the platform as a
  CONNECTOR_CONFIG control message).
- Incremental streams keep one `updated_at` cursor per bank account (cursor.py); the engine's
  queue is bounded by bytes (bounded_queue.py) and state messages travel on that same queue
  behind the records they cover.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Callable, Iterator, List, Mapping, Optional, Tuple

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    Status,
    SyncMode,
)
from airbyte_cdk.sources.concurrent_source.concurrent_source import ConcurrentSource
from airbyte_cdk.sources.concurrent_source.concurrent_source_adapter import ConcurrentSourceAdapter
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.message import InMemoryMessageRepository, MessageRepository
from airbyte_cdk.sources.message.concurrent_repository import ConcurrentMessageRepository
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.utils.slice_logger import DebugSliceLogger
from airbyte_cdk.utils.airbyte_secrets_utils import update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.watchdog import StallWatchdog, stall_limit_s

from .bounded_queue import ByteBoundedQueue
from .config import ConfigError, parse_settings
from .context import SyncContext
from .streams import STREAMS, build_streams

LOGGER = logging.getLogger("airbyte")
# One worker generates partitions, the others read bank account windows in parallel; kept
# small because each reader may hold a receipt download spooled to disk.
NUM_WORKERS = 5
CHECK_RETRIES = 2


def NO_STALL_ACTION(text: str) -> None:
    """In-process runs: a stall is logged and flagged on the watchdog, the process goes on."""


def secret_values(config: Mapping[str, Any]) -> List[str]:
    """Every string under `credentials` and the staging token, whatever their shape: the CDK only
    masks values found at the spec's secret paths, and `credentials` given as a string
    ("slug:secret") is at none of them."""
    found: List[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str) and value:
            found.append(value)
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if key not in ("auth_type", "organization_slug", "token_expiry_date"):
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(config.get("credentials"))
    walk(config.get("staging_token"))
    return found


class SourceBankReceipts(ConcurrentSourceAdapter):
    # The config is validated by parse_settings (config.py), whose messages never quote a value;
    # the CDK's check would quote it, secret included when it comes in the wrong shape.
    check_config_against_spec = False

    def __init__(self) -> None:
        self._message_repository: MessageRepository = InMemoryMessageRepository()
        self._state_manager = ConnectorStateManager()
        self._incremental_streams: Optional[set] = None
        self._context: Optional[SyncContext] = None
        # What the stall watchdog does with its one message: the console entry point writes it
        # and ends the process (run.py); in-process callers (tests) only get `watchdog.stalled`.
        self.on_stall: Callable[[str], None] = NO_STALL_ACTION
        self.watchdog: Optional[StallWatchdog] = None
        super().__init__(self._new_concurrent_source())

    @property
    def message_repository(self) -> MessageRepository:
        return self._message_repository

    def _new_concurrent_source(self) -> ConcurrentSource:
        queue = ByteBoundedQueue()
        self._message_repository = ConcurrentMessageRepository(queue, InMemoryMessageRepository())
        return ConcurrentSource.create(
            num_workers=NUM_WORKERS,
            initial_number_of_partitions_to_generate=1,
            logger=LOGGER,
            slice_logger=DebugSliceLogger(),
            message_repository=self._message_repository,
            queue=queue,
        )

    # -- check -------------------------------------------------------------------------------

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        ok, message = self.check_connection(logger, config)
        if ok:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        return AirbyteConnectionStatus(status=Status.FAILED, message=message)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, Optional[str]]:
        """Reads the organization and its bank accounts; every failure becomes a readable message."""
        update_secrets(secret_values(config))
        try:
            # Few retries: a person is waiting for the answer.
            context = SyncContext(parse_settings(config), copy.deepcopy(dict(config)), logger, max_retries=CHECK_RETRIES)
            organization = context.api.organization()
            accounts = context.accounts()
            logger.info(f"Connected to organization {organization.get('slug') or organization.get('name')}: {len(accounts)} bank accounts to read.")
            return True, None
        except AirbyteTracedException as error:
            return False, error.message or "The bank API could not be reached."
        except Exception as error:  # never a traceback in check
            return False, f"Unexpected error while connecting to the bank API: {type(error).__name__}."

    # -- streams -----------------------------------------------------------------------------

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        update_secrets(secret_values(config))
        if self._context is None:
            self._context = SyncContext(parse_settings(config), copy.deepcopy(dict(config)), LOGGER)
        return list(build_streams(self._context, self._state_manager, self._message_repository, LOGGER, self._incremental_streams))

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        update_secrets(secret_values(config))
        unknown = sorted({s.stream.name for s in catalog.streams} - set(STREAMS))
        if unknown:
            raise ConfigError(f"The catalog asks for streams this source does not have: {', '.join(unknown)}. Streams: {', '.join(STREAMS)}.")
        # A fresh engine per read: its thread pool is shut down at the end of a read.
        self._concurrent_source = self._new_concurrent_source()
        self._state_manager = ConnectorStateManager(state)
        self._incremental_streams = {s.stream.name for s in catalog.streams if s.sync_mode == SyncMode.incremental}
        self._context = SyncContext(parse_settings(config), copy.deepcopy(dict(config)), logger)
        self.watchdog = self._watch(config, logger)
        try:
            yield from super().read(logger, config, catalog, state)
        finally:
            self.watchdog.stop()
            logger.info(f"Bank API calls in this sync: {self._context.api.calls}")
            self._context = None

    def _watch(self, config: Mapping[str, Any], logger: logging.Logger) -> StallWatchdog:
        in_process = self.on_stall is NO_STALL_ACTION  # never end a test run's process
        return StallWatchdog(
            stall_limit_s(config),
            self.on_stall,
            logger,
            what_moves="no record emitted, no bank API request answered",
            **({"exit_process": lambda code: None} if in_process else {}),
        ).start()
