import pytest

from integration_tests.emulators.drive import DriveEmulator


@pytest.fixture
def drive():
    with DriveEmulator() as emulator:
        yield emulator


@pytest.fixture
def config(drive):
    # Emulator writes are not rate-limited unless a test asks: let the sync go at full speed.
    return drive.destination_config(writes_per_second=50)


@pytest.fixture
def bank():
    from integration_tests.destination.bank_files import BankFiles

    with BankFiles() as files:
        yield files
