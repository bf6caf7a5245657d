"""`python -m integration_tests.emulators.drive --port 0`: serve until interrupted, print URL + credentials."""
from __future__ import annotations

import argparse
import json
import sys

from ..serve import serve_until_stopped
from .emulator import DriveEmulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Loopback Google Drive v3 emulator")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--quota-bytes", type=int, default=None)
    parser.add_argument("--write-rate", type=float, default=None, help="sustained writes/s (403 beyond)")
    parser.add_argument("--write-burst", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--service-account", action="store_true")
    args = parser.parse_args(argv)
    emu = DriveEmulator(port=args.port, quota_bytes=args.quota_bytes, write_rate_per_s=args.write_rate,
                        write_burst=args.write_burst, latency_ms=args.latency_ms,
                        service_account=args.service_account)
    return serve_until_stopped(emu, [json.dumps({"url": emu.url, "token_uri": emu.token_uri,
                                                 "credentials": emu.oauth_credentials()})])


if __name__ == "__main__":
    sys.exit(main())
