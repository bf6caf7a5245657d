"""`make try`: the real `make setup`, then a sync and `make status`, against emulators — no account needed.

    python -m tools.try_setup [--sign-in browser|url|paste] [--no-sync] [--folder .try]

Starts emulators of the Qonto API (sample data over the last 12 months, so the default start date
previews receipts) and of Google Drive (its sign-in and token endpoints included), writes the
emulator's client_secret….json, and runs `python -m tools.setup` with its own secrets and state
in a scratch folder (.try/, emptied at each start): your secrets/, .local-sync/, crontab and
systemd units are never touched (the schedule step only prints what it would install). The
emulated bank's key is given to setup in an answers file; every other question is asked.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(".try")


@dataclass(frozen=True)
class Scratch:
    """Where the try keeps everything: nothing of it is used by `make setup` or `make sync`."""

    root: Path

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def client_file(self) -> Path:
        return self.root / "client_secret_emulator.apps.googleusercontent.com.json"

    @property
    def answers(self) -> Path:
        return self.root / "answers.json"

    def fresh(self) -> "Scratch":
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(mode=0o700, parents=True)
        return self


def setup_command(scratch: Scratch, bank_url: str, drive_url: str, extra: list[str]) -> list[str]:
    """The `make setup` command line of the try: scratch secrets and state, emulator URLs, no real schedule."""
    return [sys.executable, "-m", "tools.setup", "--answers", str(scratch.answers),
            "--secrets", str(scratch.secrets), "--state-dir", str(scratch.state),
            "--bank-api-url", bank_url, "--drive-api-url", drive_url, "--dry-run-schedule", *extra]


def write_private_json(path: Path, content: dict) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(content, handle, indent=2)


def sample_bank(transactions: int, receipts: int):
    import datetime as dt

    from integration_tests.emulators.bank import MiB, make_sample_dataset
    from integration_tests.emulators.bank.sample import recent_window

    return make_sample_dataset(seed=2025, transactions=transactions, receipts=receipts,
                               large_receipt_sizes=(int(1.5 * MiB),), **recent_window(dt.date.today()))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make try", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sign-in", choices=["browser", "url", "paste"],
                        help="as make setup: browser (default where one opens), url, or paste (headless)")
    parser.add_argument("--no-sync", action="store_true", help="stop after the setup (no sync, no status)")
    parser.add_argument("--folder", type=Path, default=FOLDER, help="the scratch folder (emptied first)")
    parser.add_argument("--transactions", type=int, default=120)
    parser.add_argument("--receipts", type=int, default=40)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from integration_tests.emulators.bank import BankEmulator
    from integration_tests.emulators.drive.__main__ import write_client_file
    from integration_tests.emulators.drive.emulator import DriveEmulator

    scratch = Scratch(args.folder.resolve()).fresh()
    with BankEmulator(sample_bank(args.transactions, args.receipts)) as bank, DriveEmulator() as drive:
        write_client_file(drive, scratch.client_file)
        # the emulated bank's key (not a real one) and the client file: the rest is asked as for real
        write_private_json(scratch.answers, {**bank.api_key_credentials(), "bank_auth": "api_key", "sandbox": "no",
                                             "google_client_file": str(scratch.client_file)})
        print(f"Trying `make setup` against emulators of Qonto ({bank.url}) and Google ({drive.url}).\n"
              f"Everything stays in {scratch.root}/ (deleted at the next `make try`); the emulated bank's key is\n"
              f"pre-filled, and the Google client file is {scratch.client_file.name}.\n", flush=True)
        extra = ["--sign-in", args.sign_in] if args.sign_in else []
        code = subprocess.call(setup_command(scratch, bank.url, drive.url, extra))
        if code != 0 or args.no_sync or not (scratch.secrets / "destination.json").exists():
            return code
        print("\nNow the first sync, as the nightly schedule would run it (`make sync`), then `make status`:\n",
              flush=True)
        code = subprocess.call([sys.executable, "-m", "tools.local_sync", "--secrets", str(scratch.secrets),
                                "--state-dir", str(scratch.state)])
        subprocess.call([sys.executable, "-m", "tools.status", "--state-dir", str(scratch.state)])
        print(f"\nDone trying. For your own accounts: make setup (README §2). The files: {scratch.root}/")
        return code


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nmake try interrupted; the emulators are stopped.", file=sys.stderr)
        sys.exit(130)
