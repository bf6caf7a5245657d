"""What the Drive emulator's own tests share: a fresh emulator, the real Google client pointed at it,
and a folder maker. Import the fixtures into a test module to use them."""

import pytest

from integration_tests.emulators.drive import FOLDER, DriveEmulator
from integration_tests.emulators.drive.client import build_drive


@pytest.fixture
def emu():
    with DriveEmulator() as emulator:
        yield emulator


@pytest.fixture
def drive(emu):
    return build_drive(emu)


def create_folder(drive, name, parent=None, **extra) -> str:
    body = {"name": name, "mimeType": FOLDER, **extra}
    if parent:
        body["parents"] = [parent]
    return drive.files().create(body=body, fields="id", supportsAllDrives=True).execute()["id"]
