"""What both connectors' runs of Airbyte's standard test suites share.

The suites are run in-process from `connectors/<name>/`. Their pytest plugin is not registered
globally (it would parametrize any test with a `scenario` argument in the whole tree): each suite
module imports the scenario hook and these fixtures instead. The `emulator_config` scenario talks
to a loopback emulator started once per session: its URL and credentials are only known at run
time, so the scenario's config is completed here instead of relying on a fixed port.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any, Mapping

import pytest
from airbyte_cdk.test.models import ConnectorTestScenario

EMULATED = "emulator_config"


@pytest.fixture
def connector_image_override() -> None:
    return None  # image tests build the image from metadata.yaml's base image


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


class EmulatedScenarios:
    """Mixin for a standard suite class: completes the emulated scenario, skips image tests without Docker."""

    @classmethod
    def emulator_settings(cls) -> Mapping[str, Any]:
        """Config keys pointing the connector at its emulator (URL, credentials)."""
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _image_tests_need_a_docker_daemon(self, request: pytest.FixtureRequest) -> None:
        # The suite only looks for the docker CLI; without a daemon the image cannot be built.
        if request.node.get_closest_marker("image_tests") and not docker_daemon_answers():
            pytest.skip("docker daemon not reachable: image tests skipped")

    @classmethod
    def get_scenarios(cls) -> list[ConnectorTestScenario]:
        return [cls._with_emulator(s) if s.id == EMULATED else s for s in super().get_scenarios()]  # type: ignore[misc]

    @classmethod
    def _with_emulator(cls, scenario: ConnectorTestScenario) -> ConnectorTestScenario:
        root = cls.get_connector_root_dir()  # type: ignore[attr-defined]
        config = scenario.get_config_dict(connector_root=root, empty_if_missing=False)
        return scenario.model_copy(update={"config_dict": {**config, **cls.emulator_settings()}})
