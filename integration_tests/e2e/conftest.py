"""A small bank and an empty Drive on loopback, and a pipeline that carries state between syncs."""

from __future__ import annotations

import pytest

from integration_tests.e2e.harness import SOURCE, DESTINATION, Pipeline, RunResult
from integration_tests.platform.driver import PlatformConnection
from tools.catalog import configured_catalog, discover

START_DATE = "2025-01-01"
# Small enough for seconds per sync, varied enough to matter: closed account, pending and declined
# transactions, odd and duplicate names, an empty file and one file split in two chunks.
SMALL_BANK = dict(seed=11, accounts=3, closed_accounts=1, transactions=40, receipts=14,
                  large_receipt_sizes=(3_200_000,), start="2025-01-01", end="2025-12-31")
# Drive's real ceiling is ~3 writes/s; the emulator has none unless a test sets one.
FAST_WRITES = {"writes_per_second": 50}


@pytest.fixture(scope="session")
def connectors_installed():
    missing = [str(path) for path in (SOURCE, DESTINATION) if not path.exists()]
    assert not missing, f"console scripts missing: {missing}; run `.venv/bin/pip install -e . --no-deps`"


@pytest.fixture(scope="session")
def catalog(connectors_installed, tmp_path_factory):
    import json

    from integration_tests.emulators.bank import BankDataset, BankEmulator

    with BankEmulator(BankDataset()) as bank:
        config = tmp_path_factory.mktemp("discover") / "source.json"
        config.write_text(json.dumps(bank.source_config(start_date=START_DATE)))
        return configured_catalog(discover(SOURCE, config))


class World:
    """One user's bank and Drive, and the platform-side memory (catalog + state) of their connection."""

    def __init__(self, bank, drive, pipeline: "Pipeline | PlatformConnection", destination_overrides: dict,
                 source_overrides: dict | None = None):
        self.bank, self.drive, self.pipeline = bank, drive, pipeline
        self.destination_overrides = destination_overrides
        self.source_overrides = dict(source_overrides or {})

    def source_config(self) -> dict:
        return self.bank.source_config(start_date=START_DATE, **self.source_overrides)

    def destination_config(self) -> dict:
        return self.drive.destination_config(**{**FAST_WRITES, **self.destination_overrides})

    def sync(self, *, expect_success: bool = True, **kwargs) -> RunResult:
        result = self.pipeline.run(self.source_config(), self.destination_config(), **kwargs)
        if expect_success:
            assert result.succeeded, result.explain()
        return result

    def sync_counting_drive_writes(self) -> int:
        """Drive and Sheets write requests of one sync."""
        self.drive.reset_counters()
        self.sync()
        return self.drive.counts["write"] + self.drive.counts["sheets.write"]


@pytest.fixture
def make_world(catalog, tmp_path):
    """make_world(bank_dataset=None, drive_kwargs={}, destination_overrides={}) -> World (emulators running)."""
    from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
    from integration_tests.emulators.drive import DriveEmulator

    started = []

    def make(dataset=None, *, bank_kwargs=None, drive_kwargs=None, destination_overrides=None, source_overrides=None) -> World:
        bank = BankEmulator(dataset if dataset is not None else make_sample_dataset(**SMALL_BANK), **(bank_kwargs or {}))
        drive = DriveEmulator(**(drive_kwargs or {}))
        bank.start()
        drive.start()
        started.extend([bank, drive])
        # Driven like the Airbyte platform (generations per stream and job, overwrite sent as append).
        connection = PlatformConnection(tmp_path / f"world-{len(started)}", catalog, supports_refreshes=True)
        return World(bank, drive, connection, destination_overrides or {}, source_overrides)

    yield make
    for emulator in reversed(started):
        emulator.stop()


@pytest.fixture
def world(make_world) -> World:
    return make_world()
