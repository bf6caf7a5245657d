"""Each emulator in its own process, so it never competes for the benchmark's interpreter lock.

The connectors talk to the emulators over loopback HTTP as usual; the benchmark talks to each
emulator process over a pipe: it calls a module-level function with the live emulator as first
argument (counters, dataset facts, settings) and gets plain data back.
"""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Any, Callable

_STOP = "stop"


def _serve(factory: Callable[..., Any], kwargs: dict, conn) -> None:
    try:
        emulator = factory(**kwargs)
        with emulator:
            conn.send(("ready", emulator.url))
            while True:
                request = conn.recv()
                if request == _STOP:
                    break
                function, args = request
                try:
                    conn.send(("ok", function(emulator, *args)))
                except Exception:   # report to the caller, keep serving
                    conn.send(("error", traceback.format_exc()))
    except Exception:
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class EmulatorProcess:
    """`with EmulatorProcess(build_bank, spec=...) as bank: bank.url; bank.call(fn, *args)`."""

    def __init__(self, factory: Callable[..., Any], **kwargs: Any) -> None:
        self._factory, self._kwargs = factory, kwargs
        self.url = ""
        self._conn = None
        self._process = None

    def __enter__(self) -> "EmulatorProcess":
        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(self._factory, self._kwargs, child),
                                        daemon=True)
        self._process.start()
        child.close()
        self.url = self._reply()
        return self

    def _reply(self) -> Any:
        kind, value = self._conn.recv()
        if kind == "error":
            raise RuntimeError(f"emulator process failed:\n{value}")
        return value

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """function(emulator, *args) evaluated in the emulator's process."""
        self._conn.send((function, args))
        return self._reply()

    def __exit__(self, *exc: object) -> None:
        try:
            self._conn.send(_STOP)
        except (BrokenPipeError, OSError):
            pass
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()


# -- functions evaluated in an emulator's process (module level, so they cross the pipe) ----

def get_attr(emulator: Any, name: str) -> Any:
    return getattr(emulator, name)


def method(emulator: Any, name: str, args: tuple = (), kwargs: dict | None = None) -> Any:
    return getattr(emulator, name)(*args, **(kwargs or {}))
