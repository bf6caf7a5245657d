"""Serving an emulator from a shell until it is stopped (SIGTERM or Ctrl-C)."""

from __future__ import annotations

import signal
import threading
from typing import ContextManager


def serve_until_stopped(emulator: ContextManager, banner: list[str]) -> int:
    """Start the emulator, print the banner lines (URL, ready config), serve until SIGTERM or Ctrl-C."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with emulator:
        for line in banner:
            print(line, flush=True)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
    return 0
