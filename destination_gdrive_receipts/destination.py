"""The Airbyte destination: spec, check and write. Records in, flush, echo the state."""

from __future__ import annotations

import io
import json
import logging
import pkgutil
from typing import Any, Callable, Iterable, Iterator, Mapping

import orjson
from airbyte_cdk.destinations import Destination
from airbyte_cdk.models import (
    AirbyteConnectionStatus, AirbyteMessage, AirbyteMessageSerializer, ConfiguredAirbyteCatalog,
    ConnectorSpecification, ConnectorSpecificationSerializer, Status, Type,
)

from connector_runtime.liveness import LIVENESS
from connector_runtime.watchdog import StallWatchdog, stall_limit_s
from destination_gdrive_receipts.config import ServiceAccountCredentials, parse_config
from destination_gdrive_receipts.errors import SERVICE_ACCOUNT_HINT, translate
from destination_gdrive_receipts.filing.input_lines import parse_line, read_lines
from destination_gdrive_receipts.filing.root import find_or_create_root
from destination_gdrive_receipts.drive.quota import free_bytes, human
from destination_gdrive_receipts.sync import Sync, open_gateway

GOOGLE_OAUTH = {
    "auth_flow_type": "oauth2.0",
    "predicate_key": ["credentials", "auth_type"],
    "predicate_value": "oauth2.0",
    "oauth_config_specification": json.loads(pkgutil.get_data(__name__, "oauth.json") or b"{}"),
}


def _no_stall_action(text: str) -> None:
    """In-process runs (tests): a stall is logged and flagged on the watchdog, the process goes on."""


def awaited(messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
    """The input, with the wait for each next message announced (the source's pace is not a stall
    of this connector) and each message counted as progress."""
    iterator = iter(messages)
    while True:
        with LIVENESS.waiting("the source's next message", None):
            message = next(iterator, None)
        if message is None:
            return
        LIVENESS.progress("messages read")
        yield message


class DestinationGdriveReceipts(Destination):
    # What the stall watchdog does with its one message: the console entry point writes it and
    # ends the process (run.py); in-process callers only get `watchdog.stalled`.
    on_stall: Callable[[str], None] = staticmethod(_no_stall_action)
    watchdog: StallWatchdog | None = None
    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        raw = json.loads(pkgutil.get_data(__name__, "spec.json") or b"{}")
        raw["advanced_auth"] = GOOGLE_OAUTH
        return ConnectorSpecificationSerializer.load(raw)

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """Sign in, find or create the root folder, read the free space."""
        try:
            parsed = parse_config(config)
            if isinstance(parsed.credentials, ServiceAccountCredentials) and not parsed.parent_folder_id:
                return _failed(SERVICE_ACCOUNT_HINT)
            gateway = open_gateway(parsed, read_retries=1)
            quota = gateway.about().get("storageQuota", {})
            root, created = find_or_create_root(gateway, parsed)
        except Exception as error:  # every failure becomes one readable FAILED message
            return _failed(translate(error, service_account=_is_sa(config)).message)
        free = free_bytes(quota)
        logger.info("Root folder %s %s (%s); free space: %s", root.name, "created" if created else "found", root.id,
                    "unlimited" if free is None else human(free))
        if free is not None and free <= 0 and not gateway.drive_id:
            return _failed("Google Drive is full: free up space or add storage before syncing.")
        return AirbyteConnectionStatus(status=Status.SUCCEEDED)

    def _parse_input_stream(self, input_stream: io.TextIOWrapper) -> Iterable[AirbyteMessage]:
        """The CDK's parsing, from the bytes under the text wrapper.

        Receipt records are lines of ~4 MB: reading them as bytes skips the text layer's decoded
        copy of each line (orjson parses bytes directly); `read_lines` and `parse_line` avoid the
        other copies (input_lines.py). Nothing has read the wrapper yet, so the byte stream starts
        at the first line.
        """
        for line in read_lines(getattr(input_stream, "buffer", input_stream)):
            try:
                yield AirbyteMessageSerializer.load(parse_line(line))
            except orjson.JSONDecodeError:
                text = bytes(line).decode("utf-8", "replace") if not isinstance(line, str) else line
                logging.getLogger("airbyte").info(
                    f"ignoring input which can't be deserialized as Airbyte Message: {text}")

    def write(self, config: Mapping[str, Any], configured_catalog: ConfiguredAirbyteCatalog,
              input_messages: Iterable[AirbyteMessage]) -> Iterable[AirbyteMessage]:
        parsed = parse_config(config)
        sync = Sync(parsed, configured_catalog)
        held: list[AirbyteMessage] = []     # states that confirm the reconciliation wait for the end of input
        self.watchdog = self._watch(config)
        try:
            for message in awaited(input_messages):
                if message.type == Type.RECORD:
                    sync.record(message.record.stream, message.record.data)
                elif message.type == Type.STATE:
                    if sync.waits_for_reconciliation(message.state, [h.state for h in held]):
                        held.append(message)
                        continue
                    sync.checkpoint()
                    yield message
            sync.finish()
            yield from held
        except Exception as error:
            sync.save_after_failure()
            raise translate(error, service_account=sync.service_account) from error
        finally:
            self.watchdog.stop()
            sync.close()

    def _watch(self, config: Mapping[str, Any]) -> StallWatchdog:
        in_process = self.on_stall is _no_stall_action
        return StallWatchdog(
            stall_limit_s(config), self.on_stall, logging.getLogger("airbyte"),
            what_moves="no record read, no Google Drive request answered",
            **({"exit_process": lambda code: None} if in_process else {}),
        ).start()


def _failed(message: str) -> AirbyteConnectionStatus:
    return AirbyteConnectionStatus(status=Status.FAILED, message=message)


def _is_sa(config: Mapping[str, Any]) -> bool:
    credentials = config.get("credentials") if isinstance(config, Mapping) else None
    return isinstance(credentials, Mapping) and credentials.get("auth_type") == "service_account"
