"""Console entry point `source-bank-receipts`.

Like the CDK's `launch()`, with one change: the CDK's shared print buffer (the one its log
handler writes to) normally collects 100 ms of output in memory before writing it; with ~4 MB
receipt records that is tens of MB held and copied at once. Here it flushes at every message.
Everything still goes through that one buffer and its lock, so log lines printed by worker
threads never interleave with records.
"""

import sys

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER

from .source import SourceBankReceipts


def run() -> None:
    entrypoint = AirbyteEntrypoint(SourceBankReceipts())
    parsed_args = entrypoint.parse_args(sys.argv[1:])
    PRINT_BUFFER.flush_interval = 0
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed_args):
            print(f"{message}\n", end="")


if __name__ == "__main__":
    run()
