"""Runs the real `destination-gdrive-receipts` command as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from integration_tests.destination.messages import catalog as build_catalog
from integration_tests.destination.messages import write_jsonl

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ROOT / ".venv" / "bin" / "destination-gdrive-receipts"


def command() -> list[str]:
    if COMMAND.exists():
        return [str(COMMAND)]
    return [sys.executable, "-m", "destination_gdrive_receipts.run"]


@dataclass
class Result:
    returncode: int
    messages: list[dict]
    stderr: str
    stdout: str = ""
    states: list[dict] = field(default_factory=list)

    @property
    def logs(self) -> str:
        return "\n".join(m["log"]["message"] for m in self.messages if m.get("type") == "LOG") + "\n" + self.stderr

    @property
    def errors(self) -> list[dict]:
        return [m["trace"]["error"] for m in self.messages if m.get("type") == "TRACE" and m["trace"].get("error")]

    @property
    def connection_status(self) -> dict | None:
        return next((m["connectionStatus"] for m in self.messages if m.get("type") == "CONNECTION_STATUS"), None)


def _parse(stdout: str) -> list[dict]:
    out = []
    for line in stdout.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def _env() -> dict:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def write_config(tmp: Path, config: dict, name: str = "config.json") -> Path:
    path = tmp / name
    path.write_text(json.dumps(config))
    return path


def run_write(tmp: Path, config: dict, messages: list[dict], *, catalog: dict | None = None,
              timeout: float = 120) -> Result:
    config_path = write_config(tmp, config)
    catalog_path = tmp / "catalog.json"
    catalog_path.write_text(json.dumps(catalog or build_catalog()))
    input_path = write_jsonl(tmp / "messages.jsonl", messages)
    with input_path.open("rb") as stdin:
        done = subprocess.run([*command(), "write", "--config", str(config_path), "--catalog", str(catalog_path)],
                              stdin=stdin, capture_output=True, text=True, timeout=timeout, env=_env(), cwd=tmp)
    messages_out = _parse(done.stdout)
    states = [m["state"] for m in messages_out if m.get("type") == "STATE"]
    return Result(done.returncode, messages_out, done.stderr, done.stdout, states)


def start_write(tmp: Path, config: dict, messages: list[dict], *, catalog: dict | None = None) -> subprocess.Popen:
    """Start a write without waiting (for kill -9 tests); stdout is a pipe."""
    config_path = write_config(tmp, config)
    catalog_path = tmp / "catalog.json"
    catalog_path.write_text(json.dumps(catalog or build_catalog()))
    input_path = write_jsonl(tmp / "messages.jsonl", messages)
    return subprocess.Popen([*command(), "write", "--config", str(config_path), "--catalog", str(catalog_path)],
                            stdin=input_path.open("rb"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=_env(), cwd=tmp)


def run_check(tmp: Path, config: dict, timeout: float = 60) -> Result:
    config_path = write_config(tmp, config, "check-config.json")
    done = subprocess.run([*command(), "check", "--config", str(config_path)], capture_output=True, text=True,
                          timeout=timeout, env=_env(), cwd=tmp)
    return Result(done.returncode, _parse(done.stdout), done.stderr, done.stdout)


def check_in_process(tmp: Path, config: dict) -> Result:
    """`check` through the connector's own command handling, without paying a process start-up.

    Used for the many bad-configuration cases; a few of them also run as a real subprocess.
    """
    from airbyte_cdk.models import AirbyteMessageSerializer

    from destination_gdrive_receipts import DestinationGdriveReceipts

    config_path = write_config(tmp, config, "check-config.json")
    destination = DestinationGdriveReceipts()
    messages = [AirbyteMessageSerializer.dump(m)
                for m in destination.run_cmd(destination.parse_args(["check", "--config", str(config_path)]))]
    text = "\n".join(json.dumps(m) for m in messages)
    return Result(0, messages, "", text)
