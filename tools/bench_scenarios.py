"""The benchmark's scenarios: each starts its emulators, runs the connectors, returns measurements.

Measurements are plain dicts (they go to .bench/results.json as they are); bench_report turns
them into figures. Emulator counters are reset right before the measured run, so discover and
set-up traffic is never counted.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tools import bench_data as data
from tools.bench_emulators import EmulatorProcess, method
from tools.bench_peer import PACKAGE, ensure_peer, find_python310, peer_config, peer_env
from tools.bench_protocol import configured_catalog, discovered_streams, next_state, trace_errors
from tools.bench_report import ledger_counts
from tools.bench_report import verify_landing
from tools.bench_runner import ReadRun, SyncRun, run_command, run_read, run_sync, write_json

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@dataclass
class Settings:
    latency_ms: int = 30
    write_rate_per_s: float | None = 20.0
    write_burst: int = 10
    workdir: Path = ROOT / ".bench" / "run"
    peer_venv: Path = ROOT / ".bench" / "peer-venv"
    source_cmd: list[str] = field(default_factory=lambda: [str(BIN / "source-bank-receipts")])
    destination_cmd: list[str] = field(default_factory=lambda: [str(BIN / "destination-gdrive-receipts")])
    timeout_s: float = 1200
    log: Callable[[str], None] = print

    def __post_init__(self) -> None:
        self.discover_cmd = list(self.source_cmd)   # never profiled

    def profiled(self, role: str, py_spy: str, out_dir: Path) -> None:
        """Run one connector under py-spy (sampling profiler; its figures are then not claims)."""
        attr = f"{role}_cmd"
        out = out_dir / f"profile-{role}.txt"
        setattr(self, attr, [py_spy, "record", "--format", "raw", "--rate", "100", "--subprocesses",
                             "--output", str(out), "--", *getattr(self, attr)])

    def rss_traced(self, role: str, out_dir: Path) -> None:
        """Run one connector under tools/rss_trace (RSS highs and where they happen; a file per process)."""
        out = out_dir / f"rss-{role}-{{pid}}.txt"
        setattr(self, f"{role}_cmd", [sys.executable, str(ROOT / "tools" / "rss_trace.py"), role, str(out)])


def _bank(shape: dict, latency_ms: int) -> EmulatorProcess:
    return EmulatorProcess(data.build_bank, shape=shape, latency_ms=latency_ms)


def _drive(settings: Settings, throttled: bool, latency_ms: int) -> EmulatorProcess:
    rate = settings.write_rate_per_s if throttled else None
    return EmulatorProcess(data.build_drive, write_rate_per_s=rate, write_burst=settings.write_burst,
                           latency_ms=latency_ms)


def _catalog(settings: Settings, source_config: dict, workdir: Path, streams=None,
             full_refresh: bool = False) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = write_json(workdir / "discover-config.json", source_config)
    messages = run_command([*settings.discover_cmd, "discover", "--config", str(config_path)])
    return configured_catalog(discovered_streams(messages), streams, full_refresh)


UNTHROTTLED = 100.0   # the destination's highest accepted writes_per_second


def _destination_config(drive, writes_per_second: float | None) -> dict:
    """The destination is told the ceiling, as a real user leaves it at Drive's 3 writes/s."""
    return drive.call(method, "destination_config", (),
                      {"writes_per_second": writes_per_second or UNTHROTTLED})


def _sync(settings: Settings, bank, drive, shape: dict, workdir: Path, catalog: dict,
          state: list | None = None, throttled: bool = True) -> tuple[SyncRun, dict]:
    """One measured sync; its counters and the state the destination echoed."""
    bank.call(data.reset_bank)
    drive.call(data.reset_drive)
    rate = settings.write_rate_per_s if throttled else None
    source_config, destination_config = _source_config(bank, shape), _destination_config(drive, rate)
    with _progress(settings, drive):
        run = run_sync(settings.source_cmd, settings.destination_cmd, workdir, source_config,
                       destination_config, catalog, state, settings.timeout_s)
    drive_counts = drive.call(data.drive_counts)
    measured = {
        "wall_s": run.wall_s,
        "bank": bank.call(data.bank_calls),
        "drive": drive_counts,
        "rate_limited": drive_counts.get("rate_limited"),
        "processes": {p.name: vars(p) for p in (run.source, run.destination)},
        "errors": trace_errors(run.messages),
        "failed_processes": int(run.source.returncode != 0) + int(run.destination.returncode != 0),
        "states": len([m for m in run.messages if m.get("type") == "STATE"]),
        "ledger": ledger_counts(run.messages),
    }
    if not run.ok:
        settings.log(f"  ! sync failed: source rc={run.source.returncode} destination rc="
                     f"{run.destination.returncode}\n    source: {run.source.stderr_tail[-600:]}\n"
                     f"    destination: {run.destination.stderr_tail[-600:]}\n    errors: {measured['errors'][:3]}")
    return run, measured


@contextlib.contextmanager
def _progress(settings: Settings, drive, every_s: float = 30.0):
    """A line every `every_s` seconds of a long sync (Drive uploads so far), so a run shows it is alive.

    Only this thread talks to the Drive emulator's pipe while the sync runs.
    """
    stop = threading.Event()

    def report() -> None:
        started = time.monotonic()
        while not stop.wait(every_s):
            counts = drive.call(data.drive_counts)
            uploads = sum(n for key, n in counts.items() if key.startswith("upload.") and key != "upload.chunk")
            settings.log(f"    … {time.monotonic() - started:.0f} s: {uploads:,} uploads, "
                         f"{counts.get('write', 0):,} writes, {counts.get('read', 0):,} reads")

    thread = threading.Thread(target=report, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _source_config(bank, shape: dict) -> dict:
    extra = {"probative_copies": True} if shape.get("probative_copies") else {}
    return bank.call(method, "source_config", (), {"start_date": data.start_date(shape), **extra})


def _verify(bank, drive, facts: dict) -> dict:
    hashes = bank.call(data.receipt_hashes, list(facts["receipts"]))
    return verify_landing(hashes, drive.call(data.landed_receipts))


def backfill(settings: Settings, shape: dict, name: str, nightly: bool = True) -> dict:
    """First sync of everything under the write ceiling, then (optionally) a no-change sync."""
    workdir = settings.workdir / name
    with _bank(shape, settings.latency_ms) as bank, _drive(settings, True, settings.latency_ms) as drive:
        facts = bank.call(data.dataset_facts)
        settings.log(f"{name}: {facts['transactions']:,} transactions, {len(facts['receipts']):,} receipts "
                     f"({facts['receipt_bytes'] / data.MiB:,.0f} MiB), {settings.latency_ms} ms latency, "
                     f"ceiling {settings.write_rate_per_s} writes/s")
        catalog = _catalog(settings, _source_config(bank, shape), workdir)
        run, first = _sync(settings, bank, drive, shape, workdir / "first", catalog)
        result = {"shape": _shape_summary(shape, facts), "catalog": _streams(catalog),
                  "backfill": {**first, "new_receipts": len(facts["receipts"]),
                               "transactions": facts["transactions"],
                               "write_rate_per_s": settings.write_rate_per_s},
                  "correctness": {**_verify(bank, drive, facts), "failed_processes": first["failed_processes"]}}
        settings.log(f"  backfill: {first['wall_s']:.1f} s")
        if nightly:
            _, again = _sync(settings, bank, drive, shape, workdir / "again", catalog, next_state(run.messages))
            result["nightly"] = again
            result["correctness"]["failed_processes"] += again["failed_processes"]
            settings.log(f"  no-change sync: {again['wall_s']:.1f} s")
        return result


def archive(settings: Settings, shape: dict = data.ARCHIVE) -> dict:
    """A large archive filed once (set-up: no latency, no ceiling), then a measured no-change nightly sync."""
    workdir = settings.workdir / "archive"
    with _bank(shape, 0) as bank, _drive(settings, False, 0) as drive:
        facts = bank.call(data.dataset_facts)
        settings.log(f"archive: {facts['transactions']:,} transactions, {len(facts['receipts']):,} receipts; "
                     "set-up sync without latency or ceiling")
        catalog = _catalog(settings, _source_config(bank, shape), workdir)
        run, setup = _sync(settings, bank, drive, shape, workdir / "setup", catalog, throttled=False)
        settings.log(f"  set-up: {setup['wall_s']:.1f} s; now {settings.latency_ms} ms latency")
        for emulator in (bank, drive):
            emulator.call(data.set_latency, settings.latency_ms)
        _, nightly = _sync(settings, bank, drive, shape, workdir / "nightly", catalog, next_state(run.messages),
                           throttled=False)
        settings.log(f"  nightly: {nightly['wall_s']:.1f} s")
        return {"shape": _shape_summary(shape, facts), "setup": {**setup, "new_receipts": len(facts["receipts"])},
                "nightly": nightly,
                "correctness": {**_verify(bank, drive, facts),
                                "failed_processes": setup["failed_processes"] + nightly["failed_processes"]}}


def memory(settings: Settings, shape: dict = data.MEMORY) -> dict:
    """Peak RSS of both connectors on the same data: without a large receipt, with a 20 MiB one, with 100 MiB.

    The 20 MiB variant separates "has multi-chunk files" (fixed buffers) from "grows with file size".
    """
    result: dict = {"large_file_mib": data.LARGE_FILE / data.MiB, "medium_file_mib": data.MEDIUM_FILE / data.MiB}
    variants = (("without", shape), ("medium", data.with_large_file(shape, data.MEDIUM_FILE)),
                ("with", data.with_large_file(shape)))
    for label, variant in variants:
        workdir = settings.workdir / f"memory-{label}"
        with _bank(variant, 0) as bank, _drive(settings, False, 0) as drive:
            facts = bank.call(data.dataset_facts)
            catalog = _catalog(settings, _source_config(bank, variant), workdir)
            run, measured = _sync(settings, bank, drive, variant, workdir, catalog, throttled=False)
            result[label] = {"source": run.source.peak_rss_mb, "destination": run.destination.peak_rss_mb,
                             "largest_receipt_mb": facts["largest_receipt"] / 1e6,
                             "correct": _verify(bank, drive, facts), "failed": measured["failed_processes"]}
            settings.log(f"memory, largest receipt {facts['largest_receipt'] / data.MiB:.1f} MiB: source "
                         f"{run.source.peak_rss_mb:.0f} MB, destination {run.destination.peak_rss_mb:.0f} MB")
    return result


def _read_figures(run: ReadRun, stream: str, bank_calls: dict) -> dict:
    records = run.records.get(stream, 0)
    steady = (run.last_record_s or 0) - (run.first_record_s or 0)
    return {"records": records, "wall_s": run.wall_s, "records_per_s": records / run.wall_s if run.wall_s else None,
            "steady_records_per_s": records / steady if steady > 0 else None,
            "peak_rss_mb": run.process.peak_rss_mb, "cpu_s": run.process.cpu_s,
            "returncode": run.process.returncode, "bank": bank_calls,
            "stderr_tail": run.process.stderr_tail[-400:] if run.process.returncode else ""}


def peer(settings: Settings, shape: dict = data.PEER) -> dict:
    """Ours and the peer reading the same account's transactions from the same emulator."""
    python = find_python310()
    if python is None:
        settings.log("peer: no Python 3.10 interpreter (python3.10 on PATH or ~/.pyenv/versions/3.10.*): skipped")
        return {"skipped": "no Python 3.10 interpreter found"}
    try:
        peer_cmd = ensure_peer(settings.peer_venv, python, settings.log)
    except (subprocess.CalledProcessError, OSError) as error:   # e.g. no package index reachable
        settings.log(f"peer: could not install {PACKAGE} into {settings.peer_venv} ({error}): skipped")
        return {"skipped": f"{PACKAGE} could not be installed"}
    workdir = settings.workdir / "peer"
    with _bank(shape, settings.latency_ms) as bank:
        account = bank.call(data.first_account)
        config = _source_config(bank, shape)
        ours_catalog = _catalog(settings, config, workdir, ["transactions"], full_refresh=True)
        theirs = peer_config(bank.url, bank.call(method, "api_key_credentials"), account["iban"],
                             data.start_date(shape))
        theirs_catalog = configured_catalog(discovered_streams(run_command(
            [*peer_cmd, "discover", "--config", str(_write(workdir / "peer-discover.json", theirs))],
            env=peer_env())), ["transactions"], full_refresh=True)
        result = {"shape": shape, "latency_ms": settings.latency_ms}
        for label, cmd, cfg, cat, env in (("peer", peer_cmd, theirs, theirs_catalog, peer_env()),
                                          ("ours", settings.source_cmd, config, ours_catalog, None)):
            bank.call(data.reset_bank)
            run = run_read(cmd, workdir, cfg, cat, label, settings.timeout_s, env)
            result[label] = _read_figures(run, "transactions", bank.call(data.bank_calls))
            settings.log(f"peer run, {label}: {result[label]['records']:,} records in {run.wall_s:.1f} s")
    return result


def _write(path: Path, value: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_json(path, value)


def _shape_summary(shape: dict, facts: dict) -> dict:
    return {**shape, "receipts_exported": len(facts["receipts"]), "receipt_mib": facts["receipt_bytes"] / data.MiB,
            "transactions_by_status": facts["transactions_by_status"]}


def _streams(catalog: dict) -> list[str]:
    return [f"{s['stream']['name']} ({s['sync_mode']})" for s in catalog["streams"]]
