"""Check the seal of every probative copy filed in Drive (`make verify`).

    python -m tools.verify_seals [--secrets DIR]

Reads secrets/destination.json, lists the sealed copies this app filed under its root folder
(private `root` and `var=probative` markers, trashed ones left out), downloads each and checks it with pyHanko (tools/seals.py says
what that proves). Prints one line per period folder and one per copy that is not intact; exits 1
when any copy is not intact, so a scheduler can alert. Read-only: nothing in Drive changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable, Iterator, Optional

from destination_gdrive_receipts.config import parse_config
from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import has_marker, root_key
from destination_gdrive_receipts.sync import open_gateway
from tools.seals import SealReport, check_seal, report_lines, tally

SEALED_QUERY = has_marker("var", "probative") + " and trashed = false"


class FolderNames:
    """Period and account folder names of a filed copy, each folder read once."""

    def __init__(self, gateway: DriveGateway) -> None:
        self._gateway, self._known = gateway, {}

    def name_and_parent(self, folder_id: Optional[str]) -> tuple[str, Optional[str]]:
        if not folder_id:
            return "?", None
        if folder_id not in self._known:
            item = self._gateway.get(folder_id, "id,name,parents") or {}
            self._known[folder_id] = (item.get("name", "?"), (item.get("parents") or [None])[0])
        return self._known[folder_id]

    def place(self, item: dict) -> tuple[str, str]:
        period, account_id = self.name_and_parent((item.get("parents") or [None])[0])
        account, _ = self.name_and_parent(account_id)
        return account, period


def root_ids(gateway: DriveGateway, root_folder_name: str) -> list[str]:
    """The archive's root folders (by their private marker, read-only: nothing is created)."""
    q = has_marker("rootkey", root_key(root_folder_name)) + " and trashed = false"
    return [item["id"] for item in gateway.list(q, "nextPageToken,files(id)")]


def verify(gateway: DriveGateway, roots: Optional[list[str]] = None,
           check: Callable[[bytes], SealReport] = check_seal) -> Iterator[tuple[str, str, str, SealReport]]:
    """(account folder, period folder, file name, report) for every sealed copy under `roots`
    (None: every sealed copy the app can see)."""
    folders = FolderNames(gateway)
    queries = [SEALED_QUERY] if roots is None else [f"{SEALED_QUERY} and {has_marker('root', root)}" for root in roots]
    for query in queries:
        for item in gateway.list(query, "nextPageToken,files(id,name,parents,appProperties)"):
            account, period = folders.place(item)
            yield account, period, item.get("name", item["id"]), check(gateway.download(item["id"]))


def run(gateway: DriveGateway, root_folder_name: Optional[str] = None, out=sys.stdout) -> int:
    results = list(verify(gateway, root_ids(gateway, root_folder_name) if root_folder_name else None))
    if not results:
        print("No sealed copies filed yet (turn on probative_copies in the source).", file=out)
        return 0
    for line in report_lines(tally((account, period, report) for account, period, _, report in results)):
        print(line, file=out)
    broken = [(a, p, name, r) for a, p, name, r in results if not r.intact]
    for account, period, name, report in broken:
        print(f"NOT intact: {account} / {period} / {name}: {report.problem}", file=out)
    signers = sorted({r.signer for *_, r in results if r.signer})
    print(f"{len(results) - len(broken)} of {len(results)} sealed copies intact; sealed by: {'; '.join(signers) or 'unknown'}. "
          "Integrity only: trust in the signer's certificate is not checked (docs/destinations/gdrive-receipts.md).", file=out)
    return 1 if broken else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--secrets", type=Path, default=Path("secrets"))
    args = parser.parse_args(argv)
    path = args.secrets / "destination.json"
    if not path.exists():
        print(f"{path} not found: copy secrets/destination.template.json and fill it in (secrets/README.md).", file=sys.stderr)
        return 2
    config = parse_config(json.loads(path.read_text(encoding="utf-8")))
    return run(open_gateway(config), config.root_folder_name)


if __name__ == "__main__":
    sys.exit(main())
