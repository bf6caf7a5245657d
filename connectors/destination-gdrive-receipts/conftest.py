"""Makes `airbyte-cdk connector test connectors/destination-gdrive-receipts` run this directory's standard suite
(the one `make test` runs); see integration_tests/standard_suite.py for why."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(HERE.parents[1]))

from integration_tests.standard_suite import (  # noqa: E402,F401 (fixtures the suite asks for)
    connector_base_image_override,
    connector_image_override,
    read_from_streams,
    read_scenarios,
    serve_project_suite_to_the_cdk_cli,
)

serve_project_suite_to_the_cdk_cli(HERE, "test_destination_standard_suite.py", "TestDestinationGdriveReceipts")
