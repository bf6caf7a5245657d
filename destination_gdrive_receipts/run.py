"""Console entry point `destination-gdrive-receipts`."""

from __future__ import annotations

import logging
import sys

from airbyte_cdk.exception_handler import init_uncaught_exception_handler
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from connector_runtime.allocator import pin_mmap_threshold
from destination_gdrive_receipts.destination import DestinationGdriveReceipts

logger = logging.getLogger("airbyte")


def run() -> None:
    pin_mmap_threshold()   # before any large block is allocated and freed
    init_uncaught_exception_handler(logger)
    try:
        DestinationGdriveReceipts().run(sys.argv[1:])
    except AirbyteTracedException as error:
        # An explained failure: one error line and one TRACE message, no traceback dump.
        logger.error(error.message)
        error.emit_message()
        sys.exit(1)


if __name__ == "__main__":
    run()
