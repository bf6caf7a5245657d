"""Fixtures: a bank emulator on loopback and helpers to run the source against it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import pytest
from airbyte_cdk.models import AirbyteStateMessage, SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.models.outcome import ExpectedOutcome

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset
from source_bank_receipts import SourceBankReceipts

ROOT = Path(__file__).resolve().parents[2]
START = "2025-01-01"
ALL_STREAMS = ("bank_accounts", "transactions", "receipts", "receipt_index")
INCREMENTAL = ("transactions", "receipts")


@pytest.fixture(autouse=True)
def compressed_time(monkeypatch):
    """The source's rate windows and 429 waits, 100 times shorter (pacing.py): no test waits
    minutes for a window; tests that emulate the bank's windows scale them the same way."""
    monkeypatch.setattr("source_bank_receipts.pacing.TIME_SCALE", 0.01)
    return 0.01


@pytest.fixture
def emu():
    dataset = make_sample_dataset(seed=7, accounts=3, closed_accounts=1, transactions=150, receipts=60, large_receipt_sizes=(9 * MiB,))
    with BankEmulator(dataset) as emulator:
        yield emulator


def catalog(streams: Iterable[str] = ALL_STREAMS, full_refresh: bool = False):
    builder = CatalogBuilder()
    for name in streams:
        mode = SyncMode.incremental if name in INCREMENTAL and not full_refresh else SyncMode.full_refresh
        builder = builder.with_stream(name, mode)
    return builder.build()


def run_read(config: dict, streams: Iterable[str] = ALL_STREAMS, state: Optional[List[AirbyteStateMessage]] = None, *, expect_failure: bool = False) -> EntrypointOutput:
    outcome = ExpectedOutcome.EXPECT_EXCEPTION if expect_failure else ExpectedOutcome.EXPECT_SUCCESS
    return read(SourceBankReceipts(), config, catalog(streams), state=state, expected_outcome=outcome)


def records_of(output: EntrypointOutput, stream: str) -> List[dict]:
    return [message.record.data for message in output.records if message.record.stream == stream]


def last_states(output: EntrypointOutput) -> List[AirbyteStateMessage]:
    """The final state message of each stream, as the platform would store and send it back."""
    latest: Dict[str, AirbyteStateMessage] = {}
    for message in output.state_messages:
        latest[message.state.stream.stream_descriptor.name] = message.state
    return list(latest.values())


def reassemble(chunks: Iterable[dict], variant: str = "original") -> Dict[str, bytes]:
    """attachment id -> bytes of one variant, checking order, count, size and sha256 of every file."""
    by_attachment: Dict[str, List[dict]] = defaultdict(list)
    for chunk in chunks:
        if chunk["variant"] == variant:
            by_attachment[chunk["attachment_id"]].append(chunk)
    files = {}
    for attachment_id, parts in by_attachment.items():
        assert [p["chunk_index"] for p in parts] == list(range(parts[0]["chunk_count"])), attachment_id
        data = b"".join(base64.b64decode(p["content_base64"]) for p in parts)
        assert len(data) == parts[0]["size"] and hashlib.sha256(data).hexdigest() == parts[0]["sha256"]
        files[attachment_id] = data
    return files


_MAGIC = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF8",),
    "image/heic": (b"ftyp",),
}


def matches_type(data: bytes, content_type: str) -> bool:
    """Whether the bytes start like the announced type (types without a known signature pass)."""
    marks = _MAGIC.get((content_type or "").split(";")[0].strip().lower())
    if not marks:
        return True
    head = data[:16]
    return any(head.startswith(mark) or mark in head for mark in marks)


def filing_ms(txn) -> int:
    return txn.settled_ms if txn.settled_ms is not None else txn.emitted_ms


def start_ms(day: str = START) -> int:
    from datetime import datetime, timezone

    return int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000)


def expected_transaction_ids(emulator: BankEmulator, day: str = START) -> set:
    return {t.id for t in emulator.dataset.transactions.values() if filing_ms(t) >= start_ms(day)}


def expected_receipt_ids(emulator: BankEmulator, day: str = START) -> set:
    ds = emulator.dataset
    return {
        a.id
        for a in ds.attachments.values()
        if ds.transactions[a.transaction_id].status in ("completed", "pending") and filing_ms(ds.transactions[a.transaction_id]) >= start_ms(day)
    }


def cli(*args: str, config: Optional[dict] = None, tmp_path: Optional[Path] = None, extra: Optional[Dict[str, object]] = None) -> subprocess.CompletedProcess:
    """Run the installed console script like the platform does; returns the finished process."""
    command = [str(ROOT / ".venv" / "bin" / "source-bank-receipts"), *args]
    if config is not None:
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        command += ["--config", str(path)]
    for flag, value in (extra or {}).items():
        path = tmp_path / f"{flag}.json"
        path.write_text(json.dumps(value))
        command += [f"--{flag}", str(path)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


def messages(process: subprocess.CompletedProcess) -> List[dict]:
    return [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]


def of_type(process: subprocess.CompletedProcess, kind: str) -> List[dict]:
    return [m for m in messages(process) if m["type"] == kind]


def configured_catalog_json(streams: Iterable[str] = ALL_STREAMS) -> dict:
    from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

    return ConfiguredAirbyteCatalogSerializer.dump(catalog(streams))


