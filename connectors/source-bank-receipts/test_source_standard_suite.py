"""Airbyte's standard connector tests for the source, run in-process.

The `emulator_config` scenario talks to a loopback bank emulator started here (at collection
time, once): its URL and API key are only known at run time, so the scenario's config is
replaced instead of relying on a fixed port. The suite's pytest plugin is not registered
globally (it would parametrize any test with a `scenario` argument in the whole tree): its
scenario hook is imported here, and the command-line fixtures it provides get defaults below.
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
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401 (parametrizes `scenario`)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset  # noqa: E402
from source_bank_receipts import SourceBankReceipts  # noqa: E402

EMULATED = "emulator_config"
_emulator: BankEmulator | None = None


def emulator() -> BankEmulator:
    global _emulator
    if _emulator is None:
        dataset = make_sample_dataset(seed=4, accounts=2, closed_accounts=1, transactions=40, receipts=12, large_receipt_sizes=(3 * MiB + 7,))
        _emulator = BankEmulator(dataset).start()
        atexit.register(_emulator.stop)
    return _emulator


@pytest.fixture
def connector_image_override() -> None:
    return None


@pytest.fixture
def connector_base_image_override() -> None:
    return None


@pytest.fixture
def read_from_streams() -> str:
    return "default"


@pytest.fixture
def read_scenarios() -> str:
    return "default"


@functools.cache
def docker_daemon_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class TestSourceBankReceipts(SourceTestSuiteBase):
    connector = SourceBankReceipts

    @pytest.fixture(autouse=True)
    def _image_tests_need_a_docker_daemon(self, request: pytest.FixtureRequest) -> None:
        if request.node.get_closest_marker("image_tests") and not docker_daemon_answers():
            pytest.skip("docker daemon not reachable: image tests skipped")

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [cls._with_emulator(s) if s.id == EMULATED else s for s in super().get_scenarios()]

    @classmethod
    def _with_emulator(cls, scenario: ConnectorTestScenario) -> ConnectorTestScenario:
        config = scenario.get_config_dict(connector_root=cls.get_connector_root_dir(), empty_if_missing=False)
        bank = emulator()
        config = {**config, "credentials": bank.api_key_credentials(), "api_url": bank.url}
        return scenario.model_copy(update={"config_dict": config})
