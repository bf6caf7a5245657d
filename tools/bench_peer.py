"""The peer: Airbyte's archived Qonto source (`airbyte-source-qonto==0.2.22`), run from its own venv.

Why a separate interpreter: its CDK (1.0) does not start on Python 3.11, so it gets a Python
3.10 virtual environment under .bench/ (created on first use with pip from the package index).

Why a patched manifest: its manifest computes `url_base` from the `endpoint` enum and only knows
the production and Stoplight URLs. The benchmark rewrites that one line in the venv's own copy
of manifest.yaml to `{{ config['api_url'] }}/v2/` when `api_url` is in the config (production
otherwise); the original stays next to it as manifest.yaml.orig. The spec allows extra config
properties, so `api_url` passes its validation unchanged.

What it reads: stream `transactions`, full refresh only: GET /v2/transactions?iban=…&
settled_at_from=<start_date>&current_page=N with the default page size (100), completed
transactions only (it sends no status filter), one IBAN, pages one after another.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
from pathlib import Path

PACKAGE = "airbyte-source-qonto==0.2.22"
ENTRY_POINT = "source-qonto"

_URL_BASE = re.compile(r"^(\s*)url_base:\s*>-\n(?:\1\s+.*\n)+", re.MULTILINE)
_PATCHED_URL_BASE = (
    "{indent}url_base: \"{{{{ (config['api_url'].rstrip('/') ~ '/v2/') if config.get('api_url') "
    "else 'https://thirdparty.qonto.com/v2/' }}}}\"\n")


def python310_candidates(home: Path = Path.home()) -> list[str]:
    """Interpreters to try, most specific first: pyenv installs, then python3.10 on PATH."""
    found = sorted(glob.glob(str(home / ".pyenv/versions/3.10.*/bin/python3.10")), reverse=True)
    return [*found, "python3.10"]


def find_python310() -> str | None:
    """A working Python 3.10 (pyenv shims exist for versions that are not active: run each to be sure)."""
    for candidate in python310_candidates():
        try:
            done = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0 and done.stdout.strip() == "(3, 10)":
            return candidate
    return None


def patch_manifest(text: str) -> str:
    """The manifest with url_base taken from config['api_url'] when given (idempotent)."""
    if "config.get('api_url')" in text:
        return text
    patched, count = _URL_BASE.subn(lambda m: _PATCHED_URL_BASE.format(indent=m.group(1)), text, count=1)
    if count != 1:
        raise ValueError("url_base block not found in the peer's manifest")
    return patched


def _manifest_path(venv: Path) -> Path:
    matches = glob.glob(str(venv / "lib/python3.10/site-packages/source_qonto/manifest.yaml"))
    if not matches:
        raise FileNotFoundError(f"source_qonto/manifest.yaml not found in {venv}")
    return Path(matches[0])


def ensure_peer(venv: Path, python: str, log=print) -> list[str]:
    """Create the peer's venv if needed, patch its manifest, and return its command."""
    executable = venv / "bin" / ENTRY_POINT
    if not executable.exists():
        log(f"peer: creating {venv} with {python} and installing {PACKAGE}")
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", PACKAGE], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    manifest = _manifest_path(venv)
    original = manifest.read_text()
    patched = patch_manifest(original)
    if patched != original:
        manifest.with_suffix(".yaml.orig").write_text(original)
        manifest.write_text(patched)
    return [str(executable)]


def peer_config(api_url: str, credentials: dict, iban: str, start_date: str) -> dict:
    """The peer's config: api key as `<organization slug>:<secret key>`, one IBAN (no spaces)."""
    return {
        "endpoint": "Production",
        "api_key": f"{credentials['organization_slug']}:{credentials['secret_key']}",
        "iban": iban.replace(" ", ""),
        "start_date": start_date,
        "api_url": api_url,
    }


def peer_env() -> dict:
    """Environment for the peer: no telemetry, no inherited virtualenv of the benchmark."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["DO_NOT_TRACK"] = "1"
    return env
