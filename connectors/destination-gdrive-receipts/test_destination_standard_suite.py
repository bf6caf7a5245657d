"""Airbyte's standard connector tests for the destination, run in-process against the Drive
emulator (see integration_tests/standard_suite.py for how the suite is wired)."""

from __future__ import annotations

import atexit
import functools
import sys
from pathlib import Path

from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401 (parametrizes `scenario`)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from destination_gdrive_receipts import DestinationGdriveReceipts  # noqa: E402
from integration_tests.emulators.drive import DriveEmulator  # noqa: E402
from integration_tests.standard_suite import (  # noqa: E402,F401 (fixtures the suite asks for)
    EmulatedScenarios,
    connector_base_image_override,
    connector_image_override,
    read_from_streams,
    read_scenarios,
)


@functools.cache
def emulator() -> DriveEmulator:
    drive = DriveEmulator().start()
    atexit.register(drive.stop)
    return drive


class TestDestinationGdriveReceipts(EmulatedScenarios, DestinationTestSuiteBase):
    connector = DestinationGdriveReceipts

    @classmethod
    def emulator_settings(cls) -> dict:
        return {"credentials": emulator().oauth_credentials(), "drive_api_url": emulator().url}
