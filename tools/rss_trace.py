"""Run a connector with a thread that logs its resident memory and what its main thread is doing.

    python tools/rss_trace.py destination OUT.txt write --config … --catalog …

A line each time RSS reaches a new high (by 0.5 MB or more) and every 10 s: seconds since start,
RSS (VmRSS), the high so far, and the innermost frames of the connector's own code on the main
thread. The kernel's peak (ru_maxrss) can fall between two samples (every 0.1 s), so the last
lines before a jump say where a peak is, not its exact height. `python -m tools.bench
--trace-rss destination` runs a scenario's connector this way (`.bench/rss-<role>-<pid>.txt`); its
peak RSS includes this thread (~0.5 MB) and is then not a claim.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

PACKAGES = {"source": "source_bank_receipts", "destination": "destination_gdrive_receipts"}
EVERY_S, LOG_AT_LEAST_EVERY_S, STEP_MB = 0.1, 10.0, 0.5


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return 0.0


def doing(package: str, thread_id: int) -> str:
    """The innermost frames of the package's code on that thread, innermost first."""
    frame, frames = sys._current_frames().get(thread_id), []
    while frame is not None and len(frames) < 5:
        code = frame.f_code
        if f"/{package}/" in code.co_filename:
            frames.append(f"{code.co_filename.split(f'/{package}/')[-1]}:{frame.f_lineno}:{code.co_name}")
        frame = frame.f_back
    return " < ".join(frames)


def sample(log, package: str, thread_id: int) -> None:
    started, high, logged = time.monotonic(), 0.0, 0.0
    while True:
        now, rss = time.monotonic() - started, rss_mb()
        if rss >= high + STEP_MB or now - logged >= LOG_AT_LEAST_EVERY_S:
            high, logged = max(high, rss), now
            log.write(f"{now:8.1f}s rss={rss:6.1f}MB high={high:6.1f}MB {doing(package, thread_id)}\n")
            log.flush()
        time.sleep(EVERY_S)


def main() -> None:
    role, out, *connector_args = sys.argv[1:]
    package, out = PACKAGES[role], out.replace("{pid}", str(os.getpid()))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    log = open(out, "w")
    threading.Thread(target=sample, args=(log, package, threading.main_thread().ident), daemon=True).start()
    run = __import__(f"{package}.run", fromlist=["run"]).run
    sys.argv = [f"{role}-connector", *connector_args]
    run()


if __name__ == "__main__":
    main()
