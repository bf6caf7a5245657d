"""Makes `airbyte-cdk connector test connectors/destination-gdrive-receipts` run this directory's standard suite.

The CLI (airbyte_cdk/cli/airbyte_cdk/_connector.py, run_connector_tests) writes a test module under
`.tmp/integration_tests/` that builds its suite with `create_connector_test_suite(connector_directory=
Path())`, from metadata.yaml and acceptance-test-config.yml alone. That generic suite cannot know
that the `emulator_config` scenario talks to a loopback emulator whose URL and credentials exist only
at run time. pytest loads this conftest before that module, so the CLI gets the project's own suite
class (TestDestinationGdriveReceipts in test_destination_standard_suite.py), the same one `make test` runs, and the fixtures it needs.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import airbyte_cdk.test.standard_tests.util as standard_util

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from integration_tests.standard_suite import (  # noqa: E402,F401 (fixtures the suite asks for)
    connector_base_image_override,
    connector_image_override,
    read_from_streams,
    read_scenarios,
)

_generic = standard_util.create_connector_test_suite


def _project_suite() -> type:
    spec = importlib.util.spec_from_file_location("_test_destination_standard_suite_for_cli", HERE / "test_destination_standard_suite.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module     # the suite finds its directory through its module
    spec.loader.exec_module(module)
    return module.TestDestinationGdriveReceipts


def create_connector_test_suite(*, connector_name: str | None = None, connector_directory: Path | None = None):
    if connector_directory is not None and Path(connector_directory).resolve() == HERE:
        return _project_suite()
    return _generic(connector_name=connector_name, connector_directory=connector_directory)


standard_util.create_connector_test_suite = create_connector_test_suite
