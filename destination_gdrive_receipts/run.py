"""Console entry point `destination-gdrive-receipts`."""

from __future__ import annotations

import logging
import sys

import orjson
from airbyte_cdk.exception_handler import init_uncaught_exception_handler
from airbyte_cdk.models import AirbyteMessageSerializer, FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.allocator import pin_mmap_threshold
from destination_gdrive_receipts.destination import DestinationGdriveReceipts

logger = logging.getLogger("airbyte")


def emit_error(error: AirbyteTracedException) -> None:
    """The one TRACE error of the run: its readable message, without the traceback (in the log)."""
    message = error.as_airbyte_message()
    message.trace.error.stack_trace = None
    print(orjson.dumps(AirbyteMessageSerializer.dump(message)).decode(), flush=True)


def on_stall(text: str) -> None:
    """The watchdog's one error (from its own thread; the process ends right after)."""
    emit_error(AirbyteTracedException(message=text, failure_type=FailureType.transient_error))


def run() -> None:
    pin_mmap_threshold()   # before any large block is allocated and freed
    init_uncaught_exception_handler(logger)
    destination = DestinationGdriveReceipts()
    destination.on_stall = on_stall
    try:
        destination.run(sys.argv[1:])
    except AirbyteTracedException as error:
        # An explained failure: one error line (its traceback in the log record) and one TRACE
        # message without it; workers that met the same cause raised nothing more (sync.py).
        logger.error(error.message, exc_info=error)
        emit_error(error)
        sys.exit(1)


if __name__ == "__main__":
    run()
