"""What both connectors' runs of Airbyte's standard test suites share.

The suites are run in-process from `connectors/<name>/`. Their pytest plugin is not registered
globally (it would parametrize any test with a `scenario` argument in the whole tree): each suite
module imports the scenario hook and these fixtures instead. The `emulator_config` scenario talks
to a loopback emulator started once per session: its URL and credentials are only known at run
time, so the scenario's config is completed here instead of relying on a fixed port.
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
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


def serve_project_suite_to_the_cdk_cli(directory: Path, module_file: str, class_name: str) -> None:
    """Make `airbyte-cdk connector test connectors/<name>` run the project's own suite class.

    The CLI (airbyte_cdk/cli/airbyte_cdk/_connector.py, run_connector_tests) writes a test module under
    `.tmp/integration_tests/` that builds its suite with `create_connector_test_suite(connector_directory=
    Path())`, from metadata.yaml and acceptance-test-config.yml alone. That generic suite cannot know that
    the `emulator_config` scenario talks to a loopback emulator whose URL and credentials exist only at run
    time. Called from the directory's conftest (loaded before that module), this hands the CLI the suite
    class `make test` runs, with its fixtures.
    """
    import airbyte_cdk.test.standard_tests.util as standard_util

    generic = standard_util.create_connector_test_suite
    here = directory.resolve()

    def project_suite() -> type:
        spec = importlib.util.spec_from_file_location(f"_{Path(module_file).stem}_for_cli", here / module_file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module     # the suite finds its directory through its module
        spec.loader.exec_module(module)
        return getattr(module, class_name)

    def create_connector_test_suite(*, connector_name: str | None = None, connector_directory: Path | None = None):
        if connector_directory is not None and Path(connector_directory).resolve() == here:
            return project_suite()
        return generic(connector_name=connector_name, connector_directory=connector_directory)

    standard_util.create_connector_test_suite = create_connector_test_suite
