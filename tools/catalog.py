"""Configured catalog for a raw `read | write` run, from the source's `discover`.

    python -m tools.catalog secrets/source.json > catalog.json

The streams the destination uses are selected (`bank_accounts`, `transactions`, `receipts`,
`receipt_index`): `transactions` feeds the ledger of each period folder and the Missing receipts
list (about one bank call per 100 transactions). Incremental where the source supports it (with
`append` on the Drive side), full refresh (`overwrite`) otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterable

FILED_STREAMS = ("bank_accounts", "transactions", "receipts", "receipt_index")


def configured_catalog(discovered: dict, streams: Iterable[str] | None = FILED_STREAMS) -> dict:
    """ConfiguredAirbyteCatalog (as JSON) of the named streams of a discovered catalog (None: all)."""
    wanted = None if streams is None else set(streams)
    selected = []
    for stream in discovered["streams"]:
        if wanted is not None and stream["name"] not in wanted:
            continue
        incremental = "incremental" in stream.get("supported_sync_modes", [])
        entry = {
            "stream": stream,
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": "append" if incremental else "overwrite",
        }
        if incremental and stream.get("default_cursor_field"):
            entry["cursor_field"] = stream["default_cursor_field"]
        if stream.get("source_defined_primary_key"):
            entry["primary_key"] = stream["source_defined_primary_key"]
        selected.append(entry)
    return {"streams": selected}


def discover(source_executable: str | Path, config_path: str | Path) -> dict:
    """Run `discover` and return its catalog; raises with the connector's own error otherwise."""
    result = subprocess.run(
        [str(source_executable), "discover", "--config", str(config_path)], capture_output=True, text=True, timeout=300
    )
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    for message in messages:
        if message.get("type") == "CATALOG":
            return message["catalog"]
    errors = [m["trace"]["error"]["message"] for m in messages if m.get("type") == "TRACE" and "error" in m["trace"]]
    raise RuntimeError(f"discover failed: {'; '.join(errors) or result.stderr.strip()[-500:]}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(sys.executable).parent / "source-bank-receipts"
    try:
        catalog = discover(source, argv[0])
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    json.dump(configured_catalog(catalog), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
