import json

import pytest

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
from integration_tests.emulators.drive.emulator import DriveEmulator


@pytest.fixture
def drive():
    with DriveEmulator() as emulator:
        yield emulator


@pytest.fixture
def bank():
    with BankEmulator(make_sample_dataset(seed=7, transactions=24, receipts=8)) as emulator:
        yield emulator


@pytest.fixture
def client_file(drive, tmp_path):
    """The client_secret.json a person downloads, with the emulator's endpoints in it."""
    path = tmp_path / "client_secret_emulator.json"
    path.write_text(json.dumps(drive._oauth.installed_app.client_file(drive.url)))
    return path
