"""`python -m integration_tests.emulators.drive --port 0`: serve until interrupted, print URL + credentials.

`--client-file PATH` also writes the client_secret….json a person downloads from the Cloud console,
with this emulator's sign-in and token endpoints in it, ready for `make setup` (see tools/try_setup.py).
Run it from the project's virtual env (`make .venv/.installed` builds it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..serve import serve_until_stopped

try:
    from .emulator import DriveEmulator
except ModuleNotFoundError as missing:   # run with a python that lacks the project's packages
    sys.exit(f"The Drive emulator needs the project's packages ({missing.name} is missing): run "
             "`make .venv/.installed`, then `.venv/bin/python -m integration_tests.emulators.drive` "
             "(or simply `make try`).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Loopback Google Drive v3 emulator")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--quota-bytes", type=int, default=None)
    parser.add_argument("--write-rate", type=float, default=None, help="sustained writes/s (403 beyond)")
    parser.add_argument("--write-burst", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--service-account", action="store_true")
    parser.add_argument("--client-file", type=Path, help="write a Desktop-app client file for this emulator here")
    args = parser.parse_args(argv)
    emu = DriveEmulator(port=args.port, quota_bytes=args.quota_bytes, write_rate_per_s=args.write_rate,
                        write_burst=args.write_burst, latency_ms=args.latency_ms,
                        service_account=args.service_account)
    banner = [json.dumps({"url": emu.url, "token_uri": emu.token_uri, "credentials": emu.oauth_credentials()})]
    if args.client_file:
        write_client_file(emu, args.client_file)
        banner.append(f"client file: {args.client_file}")
    return serve_until_stopped(emu, banner)


def write_client_file(emu: DriveEmulator, path: Path) -> Path:
    """The emulator's client_secret….json, owner-readable only (it holds the client secret)."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(emu._oauth.installed_app.client_file(emu.url), handle, indent=2)
    return path


if __name__ == "__main__":
    sys.exit(main())
