"""`make status`: the last syncs, the next scheduled run, the state of the archive.

    python -m tools.status [--state-dir .local-sync]

Exit code 1 when the last sync failed (for a monitoring tool), 0 otherwise (`make status` turns a
non-zero code into its own non-zero code, 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from tools.setup.status_view import status_text
from tools.sync_history import HISTORY_FILE, parse_history

SCHEDULE_FILE = "schedule.json"


def read_schedule(state_dir: Path) -> dict | None:
    try:
        data = json.loads((state_dir / SCHEDULE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("zone") else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make status", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-dir", type=Path, default=Path(".local-sync"), help="where `make sync` keeps its state")
    args = parser.parse_args(argv)
    try:
        history = (args.state_dir / HISTORY_FILE).read_text(encoding="utf-8")
    except OSError:
        history = ""
    text, code = status_text(parse_history(history), read_schedule(args.state_dir), dt.datetime.now().astimezone(),
                             str(args.state_dir / "sync.log"))
    sys.stdout.write(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
