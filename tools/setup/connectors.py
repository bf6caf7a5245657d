"""Running the two connectors' own commands from `make setup`: `check`, and a read-only `read`.

The configs hold secrets, so they are written to a private temporary directory (mode 0700, files
0600) for the command's lifetime only. Only the connectors' status messages are shown: they
never carry a secret (both connectors' error messages are written not to).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tools.catalog import configured_catalog
from tools.pyairbyte_sync import strip_notes

SOURCE = "source-bank-receipts"
DESTINATION = "destination-gdrive-receipts"


def executable(name: str) -> Path:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run `make setup` (it installs the project first).")
    return path


@contextmanager
def private_files(**files: dict) -> Iterator[dict[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="setup-") as directory:
        paths = {}
        for name, content in files.items():
            path = Path(directory) / f"{name}.json"
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump(content, handle)
            paths[name] = path
        yield paths


def _messages(stdout: str) -> Iterator[dict]:
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _errors(messages: list[dict]) -> list[str]:
    return [m["trace"]["error"].get("message", "") for m in messages
            if m.get("type") == "TRACE" and "error" in (m.get("trace") or {})]


def _adopt_rotated_config(messages: list[dict], config: dict) -> None:
    """Qonto rotates OAuth refresh tokens at every use: keep the one the source announces last."""
    for message in messages:
        control = message.get("control") or {}
        if message.get("type") == "CONTROL" and control.get("type") == "CONNECTOR_CONFIG":
            config.update(control.get("connectorConfig", {}).get("config") or {})


def check(name: str, config: dict, timeout_s: int = 300) -> tuple[bool, str]:
    """(succeeded, the connector's message) of `<connector> check`; `config` takes rotated tokens."""
    with private_files(config=strip_notes(config)) as paths:
        result = subprocess.run([str(executable(name)), "check", "--config", str(paths["config"])],
                                capture_output=True, text=True, timeout=timeout_s)
    messages = list(_messages(result.stdout))
    _adopt_rotated_config(messages, config)
    for message in messages:
        if message.get("type") == "CONNECTION_STATUS":
            status = message["connectionStatus"]
            return status.get("status") == "SUCCEEDED", status.get("message") or ""
    errors = _errors(messages)
    return False, "; ".join(errors) or f"{name} check ended without an answer (exit code {result.returncode})."


def read_streams(config: dict, streams: tuple[str, ...], timeout_s: int = 3600) -> dict[str, list[dict]]:
    """Records of some source streams (no state, nothing written anywhere); raises RuntimeError."""
    source = executable(SOURCE)
    with private_files(config=strip_notes(config)) as paths:
        discovered = subprocess.run([str(source), "discover", "--config", str(paths["config"])],
                                    capture_output=True, text=True, timeout=300)
        catalogs = [m["catalog"] for m in _messages(discovered.stdout) if m.get("type") == "CATALOG"]
        if not catalogs:
            raise RuntimeError("; ".join(_errors(list(_messages(discovered.stdout)))) or "discover failed")
        catalog_path = paths["config"].with_name("catalog.json")
        catalog_path.write_text(json.dumps(configured_catalog(catalogs[0], streams)), encoding="utf-8")
        result = subprocess.run([str(source), "read", "--config", str(paths["config"]), "--catalog",
                                 str(catalog_path)], capture_output=True, text=True, timeout=timeout_s)
    records: dict[str, list[dict]] = {name: [] for name in streams}
    messages = list(_messages(result.stdout))
    _adopt_rotated_config(messages, config)
    for message in messages:
        if message.get("type") == "RECORD":
            records.setdefault(message["record"]["stream"], []).append(message["record"]["data"])
    if result.returncode != 0 or _errors(messages):
        raise RuntimeError("; ".join(_errors(messages)) or f"read failed (exit code {result.returncode})")
    return records
