"""Run the bank emulator from a shell.

    python -m integration_tests.emulators.bank --port 0 --sample

prints the URL and a ready source config (JSON), then serves until interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from ..serve import serve_until_stopped
from .dataset import BankDataset
from .emulator import BankEmulator
from .sample import make_sample_dataset, recent_window


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m integration_tests.emulators.bank",
                                     description="Emulated Qonto Business API v2 on loopback HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--sample", action="store_true", help="serve make_sample_dataset() data")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--receipts", type=int, default=80)
    parser.add_argument("--start-date", default="2025-01-01", help="the source config's start_date")
    parser.add_argument("--recent", action="store_true",
                        help="sample data over the last 12 months up to today (default: the year 2025)")
    parser.add_argument("--sandbox", action="store_true", help="require X-Qonto-Staging-Token")
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--pagination", choices=["page", "current_page", "both"], default="both")
    parser.add_argument("--status-filter", choices=["multi", "single"], default="multi")
    parser.add_argument("--reversed-filter", choices=["listed", "rejected"], default="listed",
                        help="whether status[]=reversed is accepted (undocumented value) or answered 400")
    parser.add_argument("--sandbox-gate", choices=["html", "redirect"], default="html",
                        help="the sandbox's login page without the staging token: a 200 page or a 302")
    parser.add_argument("--bounds", choices=["inclusive", "exclusive"], default="inclusive")
    parser.add_argument("--precision", choices=["ms", "us"], default="ms")
    parser.add_argument("--tie-order", choices=["stable", "shuffled"], default="stable")
    parser.add_argument("--access-ttl-s", type=float, default=3600)
    parser.add_argument("--early-refusal-s", type=float, default=0.0)
    parser.add_argument("--no-rate-windows", action="store_true", help="serve without the documented rate windows")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    window = recent_window(dt.date.today()) if args.recent else {}
    dataset = (make_sample_dataset(seed=args.seed, transactions=args.transactions, receipts=args.receipts, **window)
               if args.sample else BankDataset())
    emulator = BankEmulator(dataset, sandbox=args.sandbox, latency_ms=args.latency_ms,
                            pagination=args.pagination, status_filter=args.status_filter,
                            reversed_filter=args.reversed_filter,
                            host=args.host, port=args.port, sandbox_gate=args.sandbox_gate, bounds=args.bounds,
                            precision=args.precision, tie_order=args.tie_order, access_ttl_s=args.access_ttl_s,
                            early_refusal_s=args.early_refusal_s,
                            **({"rate_windows": None} if args.no_rate_windows else {}))
    return serve_until_stopped(emulator, [emulator.url, json.dumps(emulator.source_config(start_date=args.start_date))])


if __name__ == "__main__":
    sys.exit(main())
