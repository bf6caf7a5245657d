"""Console entry point `source-bank-receipts`.

Like the CDK's `launch()`, with two changes that keep memory flat with ~4 MB receipt records:

- Messages of `read` are written as bytes straight to stdout. The CDK's path turns each message
  into a str (orjson bytes -> str), then an f-string copy, then its shared print buffer (a
  StringIO, 4 bytes per character) and a final encode: ~30 MB of copies per 4 MB record. Here
  the serializer's bytes (identical to the CDK's output) are written as they are. The CDK's
  print buffer (where log lines of worker threads go) is flushed first under its lock, so lines
  never interleave and keep their order.
- Large blocks are always mmapped (glibc, `connector_runtime.allocator`): otherwise freed 4 MB
  blocks stay in per-thread heaps and peak RSS grows with the file size.

And two that keep a failure readable: one TRACE error per sync, tracebacks only in the log
(`connector_runtime.one_error`), and a stall watchdog that ends the process with that one error
when nothing moves (`connector_runtime.watchdog`, started by the source's `read`).
"""

import sys
from typing import Any, Iterable, Mapping

import orjson
from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer

from airbyte_cdk.models import FailureType, Type
from airbyte_cdk.utils.airbyte_secrets_utils import update_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.allocator import pin_mmap_threshold
from connector_runtime.liveness import LIVENESS
from connector_runtime.one_error import OneError, RepeatedTracebacks

from .config import parse_settings
from .source import LOGGER, SourceBankReceipts, secret_values

ONE_ERROR = OneError(LOGGER)

def message_bytes(message: AirbyteMessage) -> bytes:
    """The message as the CDK would print it, without the str copies."""
    try:
        return orjson.dumps(AirbyteMessageSerializer.dump(message))
    except Exception:  # the CDK's own fallback (json) and error message
        return AirbyteEntrypoint.airbyte_message_to_string(message).encode()


def write_message(message: AirbyteMessage) -> None:
    admitted = ONE_ERROR.admit(message)
    if admitted is not None:
        write_admitted(admitted)


def write_admitted(message: AirbyteMessage) -> None:
    """Writes a message `ONE_ERROR` has already let through (admitting it twice would drop it)."""
    if message.type == Type.RECORD:
        LIVENESS.progress("records emitted")
    data = message_bytes(message)
    with PRINT_BUFFER.lock:
        PRINT_BUFFER.flush()  # log lines written before this message go first
        out = sys.__stdout__.buffer  # type: ignore[union-attr]
        out.write(data)
        out.write(b"\n")
        out.flush()


class BytesEntrypoint(AirbyteEntrypoint):
    @staticmethod
    def validate_connection(source_spec: Any, config: Mapping[str, Any]) -> None:
        """The source's own validation: the CDK's quotes the offending value, which may be a
        secret given in an unexpected shape (`credentials: "slug:secret"`)."""
        parse_settings(config)

    @staticmethod
    def set_up_secret_filter(config: Mapping[str, Any], connection_specification: Mapping[str, Any]) -> None:
        AirbyteEntrypoint.set_up_secret_filter(config, connection_specification)
        update_secrets(secret_values(config))

    def read(self, *args: Any, **kwargs: Any) -> Iterable[AirbyteMessage]:
        # Written here, so the entrypoint's string conversion gets nothing to convert.
        for message in super().read(*args, **kwargs):
            write_message(message)
        yield from ()


def on_stall(text: str) -> None:
    """The watchdog's one error (written from its own thread; the process ends right after)."""
    write_message(AirbyteTracedException(message=text, failure_type=FailureType.transient_error).as_airbyte_message())


def run() -> None:
    pin_mmap_threshold()
    LOGGER.addFilter(RepeatedTracebacks())
    source = SourceBankReceipts()
    source.on_stall = on_stall
    entrypoint = BytesEntrypoint(source)
    parsed_args = entrypoint.parse_args(sys.argv[1:])
    PRINT_BUFFER.flush_interval = 0
    with PRINT_BUFFER:
        try:
            for message in entrypoint.run(parsed_args):
                print(f"{message}\n", end="")
        except Exception as error:  # one readable error, the traceback in the log (one_error.py)
            ONE_ERROR.from_exception(error, write_admitted)   # from_exception admits it itself
            ONE_ERROR.summary()
            sys.exit(1)


if __name__ == "__main__":
    run()
