"""Memory stays flat whatever the receipt size: a 100 MB file is streamed, never held whole."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import time

import pytest

from integration_tests.emulators.bank import BankDataset, BankEmulator

from .conftest import ROOT, configured_catalog_json

pytestmark = pytest.mark.slow

FILE_BYTES = 100 * 1000 * 1000
PEAK_RSS_LIMIT_MIB = 150  # ~85 MiB for the interpreter and the CDK, then two or three chunks in flight (measured 112)


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return int(status.read().split("VmHWM:")[1].split()[0]) / 1024


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc to read the peak RSS")
def test_given_100_mb_receipt_and_slow_reader_when_read_then_peak_memory_stays_small_and_file_intact(tmp_path):
    with BankEmulator(BankDataset()) as emu:
        account = emu.add_bank_account(name="Main")
        big = emu.add_transaction(account["id"], emitted_at="2025-03-01T10:00:00.000Z",
                                  attachments=[{"file_name": "big.pdf", "content_type": "application/pdf", "size": FILE_BYTES}])
        attachment_id = big["attachments"][0]["id"]
        (tmp_path / "config.json").write_text(json.dumps(emu.source_config()))
        (tmp_path / "catalog.json").write_text(json.dumps(configured_catalog_json(["receipts"])))
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "source-bank-receipts"), "read", "--config", str(tmp_path / "config.json"), "--catalog", str(tmp_path / "catalog.json")],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        )
        digest, size, chunks, peak = hashlib.sha256(), 0, 0, 0.0
        for line in process.stdout:
            if line.startswith(b'{"type":"RECORD"'):
                record = json.loads(line)["record"]["data"]
                data = base64.b64decode(record["content_base64"])
                digest.update(data)
                size += len(data)
                chunks += 1
                time.sleep(0.02)  # a slow consumer: the source must wait, not buffer
            peak = max(peak, peak_rss_mib(process.pid)) if process.poll() is None else peak
        process.wait()
        expected = hashlib.sha256(emu.attachment_bytes(attachment_id)).hexdigest()

    assert process.returncode == 0
    assert (size, chunks, digest.hexdigest()) == (FILE_BYTES, 34, expected)
    assert peak < PEAK_RSS_LIMIT_MIB, f"peak RSS {peak:.0f} MiB"
