"""Memory case: the destination alone, fed one large receipt in chunks larger than the source's own.

The source sends 3 MB raw chunks, but the destination must stay flat for any record up to the
platform's size limit (Airbyte's Cloud limits page: 20 MB a record, later raised to 100 MB; the
platform itself stopped checking in April 2024). The input file is written by a child process and
the destination is started by another one: a child started with vfork inherits its parent's peak
RSS into ru_maxrss, so neither may be the process that held the receipt.

    python -m tools.bench --only records      # just this case
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tools import bench_data as data
from tools.bench_report import verify_landing

ROOT = Path(__file__).resolve().parents[1]
CASES = (("40 MiB receipt as 4 MiB raw chunks (5.6 MB records)", 40 * data.MiB, 4 * data.MiB),
         ("40 MiB receipt as 14 MiB raw chunks (19.6 MB records, the 20 MB record limit)", 40 * data.MiB, 14 * data.MiB),
         ("100 MiB receipt as 70 MiB raw chunks (98 MB records, the 100 MB record limit)", 100 * data.MiB,
          70 * data.MiB))


def write_input(path: Path, receipt_bytes: int, chunk_bytes: int) -> str:
    """RECORD lines of one receipt (deterministic bytes) and its STATE; returns the receipt's SHA-256."""
    from integration_tests.destination import messages as M
    content = hashlib.sha256(b"large-record").digest() * (receipt_bytes // 32)
    meta = M.receipt(1)
    with path.open("w") as out:
        for chunk in M.chunks(meta, content, chunk_bytes):
            out.write(json.dumps(M.record("receipts", chunk), separators=(",", ":")) + "\n")
        out.write(json.dumps(M.state("receipts", {"n": 1})) + "\n")
    return hashlib.sha256(content).hexdigest()


def _destination_peak(command: list[str], stdin: Path, timeout_s: float) -> tuple[float, int]:
    """(peak RSS in MB, exit code) of `command`, measured by a small intermediate process."""
    probe = ("import os,subprocess,sys\n"
             "p=subprocess.Popen(sys.argv[2:],stdin=open(sys.argv[1],'rb'),stdout=subprocess.DEVNULL)\n"
             "_,s,u=os.wait4(p.pid,0)\nprint(u.ru_maxrss*1024/1e6,os.waitstatus_to_exitcode(s))")
    done = subprocess.run([sys.executable, "-c", probe, str(stdin), *command], capture_output=True, text=True,
                          timeout=timeout_s)
    peak, code = done.stdout.split()
    return float(peak), int(code)


def large_records(settings, drive_factory) -> dict:
    from integration_tests.destination.messages import catalog
    from tools.bench_emulators import method
    from tools.bench_runner import write_json
    result: dict = {"cases": {}}
    workdir = settings.workdir / "memory-records"
    workdir.mkdir(parents=True, exist_ok=True)
    for label, receipt_bytes, chunk_bytes in CASES:
        stdin = workdir / f"input-{chunk_bytes // data.MiB}.jsonl"
        sha = subprocess.run([sys.executable, "-m", "tools.bench_records", str(stdin), str(receipt_bytes),
                              str(chunk_bytes)],
                             capture_output=True, text=True, check=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.strip()
        with drive_factory() as drive:
            config = drive.call(method, "destination_config", (), {"writes_per_second": 100.0})
            command = [*settings.destination_cmd, "write",
                       "--config", str(write_json(workdir / "config.json", config)),
                       "--catalog", str(write_json(workdir / "catalog.json", catalog()))]
            peak, code = _destination_peak(command, stdin, settings.timeout_s)
            correct = verify_landing({"att-0001-5f2b7c1e-1111-4222-8333-944455556666": sha},
                                     drive.call(data.landed_receipts))
        stdin.unlink()
        result["cases"][label] = {"destination": peak, "returncode": code, "correct": correct}
        settings.log(f"memory, {label}: destination {peak:.0f} MB")
    return result


if __name__ == "__main__":
    print(write_input(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])))
