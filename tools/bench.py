"""Benchmark of the source → destination pair against the emulators (`make bench`).

    python -m tools.bench                  # all scenarios, prints figures against their goals
    python -m tools.bench --quick          # small correctness-only run (counts, no timings)
    python -m tools.bench --only backfill,peer --latency-ms 30 --write-rate 20

Results also go to .bench/results.json (raw measurements and figures) and .bench/report.md.
See docs/benchmark.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sys
import time
from pathlib import Path

from tools import bench_data as data
from tools import bench_probative as probative
from tools import bench_records as records
from tools import bench_report as report
from tools import bench_scenarios as scenarios

SCENARIOS = ("backfill", "archive", "memory", "records", "peer", "probative")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small correctness-only run, no timing figures")
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}")
    parser.add_argument("--latency-ms", type=int, default=30, help="emulated per-request latency (both APIs)")
    parser.add_argument("--write-rate", type=float, default=20.0,
                        help="emulated Drive sustained writes/s (Drive's real ceiling is about 3; scaled up so a run takes minutes)")
    parser.add_argument("--write-burst", type=int, default=10, help="emulated Drive write burst (token bucket size)")
    parser.add_argument("--json", type=Path, default=scenarios.ROOT / ".bench" / "results.json",
                        help="where to write raw measurements and figures")
    parser.add_argument("--profile", choices=("source", "destination"),
                        help="run that connector under py-spy (needs py-spy on PATH or in .bench/prof-venv); "
                             "writes .bench/profile-<role>.txt (collapsed stacks), and its timings are not claims")
    parser.add_argument("--trace-rss", choices=("source", "destination"),
                        help="run that connector under tools/rss_trace.py: .bench/rss-<role>-<pid>.txt logs its "
                             "memory highs and what it was doing (its peak RSS then includes the sampler)")
    return parser.parse_args(argv)


def run_quick(settings: scenarios.Settings) -> tuple[dict, list[report.Figure]]:
    measured = scenarios.backfill(settings, data.QUICK, "quick", nightly=True)
    b, n = measured["backfill"], measured["nightly"]
    receipts = b["new_receipts"]
    figures = report.correctness_figures(measured["correctness"]) + [
        report.Figure("quick", "Drive writes per new receipt", b["drive"].get("write", 0) / receipts, "writes"),
        report.Figure("quick", "Drive reads per receipt", b["drive"].get("read", 0) / receipts, "reads"),
        report.Figure("quick", "bank API calls per 100 transactions",
                      100 * b["bank"].get("api", 0) / b["transactions"], "calls"),
        report.Figure("quick", "look-back: listing rows read again per 100 transactions",
                      100 * b["bank"].get("look-back rows read again", 0) / b["transactions"], "rows"),
        report.Figure("quick", "look-back: calls reading a tie block whole", b["bank"].get("look-back tie-block calls", 0), "calls"),
        report.Figure("quick", "no-change sync: Drive writes", n["drive"].get("write", 0), "writes", 0, "=="),
        report.Figure("quick", "no-change sync: downloads", n["bank"].get("download", 0), "downloads", 0, "=="),
        *report.ledger_figures("quick", b, nothing_new=False),
        *report.ledger_figures("quick no-change sync", n, nothing_new=True),
    ]
    return {"quick": measured}, figures


def run_full(settings: scenarios.Settings, only: list[str]) -> tuple[dict, list[report.Figure]]:
    measured: dict = {}
    figures: list[report.Figure] = []
    correctness = {"expected": 0, "missing": 0, "corrupt": 0, "duplicated": 0, "failed_processes": 0}
    if "backfill" in only:
        measured["backfill"] = m = scenarios.backfill(settings, data.BACKFILL, "backfill", nightly=False)
        figures += report.backfill_figures(m["backfill"])
        figures += report.sync_rss_figures("backfill", "backfill", m["backfill"])
        _add(correctness, m["correctness"])
    if "archive" in only:
        measured["archive"] = m = scenarios.archive(settings)
        figures += report.nightly_figures(m["nightly"])
        figures.append(report.Figure("nightly no-change sync", "set-up backfill, no latency or ceiling (receipts/s)",
                                     m["setup"]["new_receipts"] / m["setup"]["wall_s"], "receipts/s"))
        figures += report.sync_rss_figures("nightly no-change sync", "archive set-up backfill", m["setup"])
        figures += report.sync_rss_figures("nightly no-change sync", "no-change sync", m["nightly"])
        _add(correctness, m["correctness"])
    if "memory" in only:
        measured["memory"] = m = scenarios.memory(settings)
        figures += report.memory_figures(m)
        for variant in ("without", "medium", "with"):
            _add(correctness, {**m[variant]["correct"], "failed_processes": m[variant]["failed"]})
    if "records" in only:
        measured["records"] = m = records.large_records(settings, lambda: scenarios._drive(settings, False, 0))
        figures += report.record_figures(m)
        for case in m["cases"].values():
            _add(correctness, {**case["correct"], "failed_processes": int(case["returncode"] != 0)})
    if "peer" in only:
        measured["peer"] = m = scenarios.peer(settings)
        figures += report.peer_figures(m)
    if "probative" in only:
        measured["probative"] = m = probative.run(settings)
        figures += probative.figures(m)
    return measured, report.correctness_figures(correctness) + figures


def _add(total: dict, part: dict) -> None:
    for key in total:
        total[key] += part.get(key, 0)


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so emulator and connector processes are stopped on the way out."""
    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    _exit_on_sigterm()
    settings = scenarios.Settings(latency_ms=0 if args.quick else args.latency_ms,
                                  write_rate_per_s=args.write_rate if not args.quick else 50.0,
                                  write_burst=args.write_burst)
    if args.profile:
        py_spy = shutil.which("py-spy") or str(scenarios.ROOT / ".bench/prof-venv/bin/py-spy")
        settings.profiled(args.profile, py_spy, scenarios.ROOT / ".bench")
    if args.trace_rss:
        settings.rss_traced(args.trace_rss, scenarios.ROOT / ".bench")
    started = time.monotonic()
    if args.quick:
        measured, figures = run_quick(settings)
    else:
        only = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = set(only) - set(SCENARIOS)
        if unknown:
            print(f"unknown scenario(s): {sorted(unknown)}; choose from {SCENARIOS}", file=sys.stderr)
            return 2
        measured, figures = run_full(settings, only)
    table = report.render(figures)
    header = (f"Benchmark ({'quick, correctness only' if args.quick else 'full'}): "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}, latency {settings.latency_ms} ms, "
              f"Drive write ceiling {settings.write_rate_per_s}/s (burst {settings.write_burst}), "
              f"total {time.monotonic() - started:.0f} s")
    print(f"\n{header}\n\n{table}\n")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"header": header, "measured": measured,
                                     "figures": [f.as_dict() for f in figures]}, indent=1, default=str))
    args.json.with_name("report.md").write_text(f"{header}\n\n{table}\n")
    correctness = [f for f in figures if f.section == "correctness" and f.passed is False]
    return 1 if correctness else 0


if __name__ == "__main__":
    sys.exit(main())
