"""Airbyte's standard connector tests for the destination, run in-process.

The `emulator_config` scenario talks to a loopback Drive emulator started here: its URL and OAuth
client are only known at run time, so the scenario's config is replaced instead of using a fixed
port. The suite's pytest plugin is not registered globally (it would parametrize any test with a
`scenario` argument in the whole tree): its scenario hook is imported here, and the command-line
fixtures it provides get their defaults below.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import DestinationTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401 (parametrizes `scenario`)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from destination_gdrive_receipts import DestinationGdriveReceipts  # noqa: E402
from integration_tests.emulators.drive import DriveEmulator  # noqa: E402

EMULATED = "emulator_config"


@pytest.fixture
def connector_image_override() -> None:
    return None        # image tests build the image from metadata.yaml's base image


@pytest.fixture
def connector_base_image_override() -> None:
    return None


@pytest.fixture
def read_from_streams() -> str:
    return "default"   # destinations have no read


@pytest.fixture
def read_scenarios() -> str:
    return "default"
_emulator: DriveEmulator | None = None


def emulator() -> DriveEmulator:
    global _emulator
    if _emulator is None:
        _emulator = DriveEmulator().start()
        atexit.register(_emulator.stop)
    return _emulator


@functools.cache
def docker_daemon_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class TestDestinationGdriveReceipts(DestinationTestSuiteBase):
    connector = DestinationGdriveReceipts

    @pytest.fixture(autouse=True)
    def _image_tests_need_a_docker_daemon(self, request: pytest.FixtureRequest) -> None:
        # The suite only looks for the docker CLI; without a daemon the image cannot be built.
        if request.node.get_closest_marker("image_tests") and not docker_daemon_answers():
            pytest.skip("docker daemon not reachable: image tests skipped")

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        scenarios = super().get_scenarios()
        return [cls._with_emulator(s) if s.id == EMULATED else s for s in scenarios]

    @classmethod
    def _with_emulator(cls, scenario: ConnectorTestScenario) -> ConnectorTestScenario:
        config = scenario.get_config_dict(connector_root=cls.get_connector_root_dir(), empty_if_missing=False)
        drive = emulator()
        config = {**config, "credentials": drive.oauth_credentials(), "drive_api_url": drive.url}
        return scenario.model_copy(update={"config_dict": config})
