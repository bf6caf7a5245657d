"""Peak RSS of the destination's ledger pass alone, in a minute instead of the benchmark's half hour.

The source reads the archive's accounts, transactions and receipt index once (no receipt bytes);
its output is kept in a file and replayed into the destination against a fresh Drive emulator, so
the destination's peak is that of the ledgers and the missing list over 50,000 transactions.
Peak RSS is the kernel's ru_maxrss of the destination process (os.wait4), as in bench_runner.

    .venv/bin/python -m tools.bench_ledger [--transactions 50000] [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

from tools import bench_data as data
from tools.bench_protocol import parse_messages, trace_errors
from tools.bench_report import ledger_counts
from tools.bench_runner import write_json
from tools.bench_scenarios import ROOT, Settings, _bank, _catalog, _destination_config, _drive, _source_config

STREAMS = ("bank_accounts", "transactions", "receipt_index")


def record(settings: Settings, shape: dict, workdir) -> tuple[dict, os.PathLike]:
    """The source's output for the shape (once per shape), and the catalog it was read with."""
    out = workdir / f"source-{shape['transactions']}.jsonl"
    with _bank(shape, 0) as bank:
        catalog = _catalog(settings, _source_config(bank, shape), workdir, STREAMS)
        if not out.exists():
            config = write_json(workdir / "source-config.json", _source_config(bank, shape))
            with open(out, "wb") as sink:
                subprocess.run([*settings.source_cmd, "read", "--config", str(config), "--catalog",
                                str(write_json(workdir / "catalog.json", catalog))], stdout=sink, check=True)
            # Without its index records: an index entry sends the destination to the bank, gone by now.
            kept = [line for line in out.read_bytes().splitlines(keepends=True) if b'"receipt_index"' not in line[:120]]
            out.write_bytes(b"".join(kept))
    return catalog, out


def replay(settings: Settings, catalog: dict, records, workdir) -> dict:
    with _drive(settings, False, 0) as drive:
        config = write_json(workdir / "destination-config.json", _destination_config(drive, None))
        started = time.monotonic()
        with open(records, "rb") as source, open(workdir / "destination.stderr", "wb") as err:
            process = subprocess.Popen([*settings.destination_cmd, "write", "--config", str(config), "--catalog",
                                        str(write_json(workdir / "catalog.json", catalog))],
                                       stdin=source, stdout=subprocess.PIPE, stderr=err)
            output = process.stdout.read()
            _, status, usage = os.wait4(process.pid, 0)
        messages = parse_messages(output.splitlines())
        counts = drive.call(data.drive_counts)
    return {"peak_rss_mb": round(usage.ru_maxrss * 1024 / 1e6, 1), "wall_s": round(time.monotonic() - started, 1),
            "exit": os.waitstatus_to_exitcode(status), "ledger": ledger_counts(messages),
            "sheets_writes": counts.get("sheets.write", 0), "errors": trace_errors(messages)[:2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=data.ARCHIVE["transactions"])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    settings = Settings(workdir=ROOT / ".bench" / "ledger")
    settings.workdir.mkdir(parents=True, exist_ok=True)
    shape = {**data.ARCHIVE, "transactions": args.transactions}
    catalog, records = record(settings, shape, settings.workdir)
    for _ in range(args.runs):
        print(json.dumps(replay(settings, catalog, records, settings.workdir)))


if __name__ == "__main__":
    main()
