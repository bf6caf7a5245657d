"""A bank and a Drive on loopback, connected through the emulated platform of driver.py."""

from __future__ import annotations

import pytest

from integration_tests.e2e.conftest import FAST_WRITES, SMALL_BANK, START_DATE, catalog, connectors_installed  # noqa: F401
from integration_tests.platform.driver import PlatformConnection


class PlatformWorld:
    """One user's bank and Drive, and their connection on an (emulated) Airbyte platform."""

    def __init__(self, bank, drive, connection: PlatformConnection, source_overrides: dict | None = None):
        self.bank, self.drive, self.connection = bank, drive, connection
        self.source_overrides = dict(source_overrides or {})

    def source_config(self) -> dict:
        return self.bank.source_config(start_date=START_DATE, **self.source_overrides)

    def destination_config(self) -> dict:
        return self.drive.destination_config(**FAST_WRITES)

    def _ok(self, result, expect_success: bool):
        if expect_success:
            assert result.succeeded, result.explain()
        return result

    def sync(self, *, expect_success: bool = True, **kwargs):
        return self._ok(self.connection.sync(self.source_config(), self.destination_config(), **kwargs), expect_success)

    def refresh(self, streams, *, remove_records: bool):
        return self._ok(self.connection.refresh(streams, self.source_config(), self.destination_config(),
                                                remove_records=remove_records), True)

    def clear(self, streams):
        return self._ok(self.connection.clear(streams, self.destination_config()), True)


@pytest.fixture
def make_platform_world(catalog, tmp_path):
    """make_platform_world(supports_refreshes=True, prefix="", streams=None) -> PlatformWorld (emulators running)."""
    from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
    from integration_tests.emulators.drive import DriveEmulator

    started = []

    def make(*, supports_refreshes: bool = True, prefix: str = "", streams=None, dataset=None,
             source_overrides=None) -> PlatformWorld:
        bank, drive = BankEmulator(dataset if dataset is not None else make_sample_dataset(**SMALL_BANK)), DriveEmulator()
        bank.start()
        drive.start()
        started.extend([bank, drive])
        chosen = {"streams": [s for s in catalog["streams"] if streams is None or s["stream"]["name"] in streams]}
        connection = PlatformConnection(tmp_path / f"connection-{len(started)}", chosen,
                                        supports_refreshes=supports_refreshes, prefix=prefix)
        return PlatformWorld(bank, drive, connection, source_overrides)

    yield make
    for emulator in reversed(started):
        emulator.stop()
