"""The backfill against the real Qonto sandbox and a real Google Drive folder.

Runs only with secrets/sandbox_source.json and secrets/sandbox_destination.json (see
secrets/README.md; CI writes them from repository secrets). `make test-sandbox` runs it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from integration_tests.e2e.harness import SOURCE, Pipeline
from tools.catalog import configured_catalog, discover
from tools.sync_report import parse_destination_counts

SECRETS = Path(__file__).resolve().parents[2] / "secrets"
SOURCE_CONFIG = SECRETS / "sandbox_source.json"
DESTINATION_CONFIG = SECRETS / "sandbox_destination.json"

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(
        not (SOURCE_CONFIG.exists() and DESTINATION_CONFIG.exists()),
        reason="no secrets/sandbox_source.json and secrets/sandbox_destination.json (see secrets/README.md)",
    ),
]


def _load(path: Path) -> dict:
    from tools.pyairbyte_sync import strip_notes

    return strip_notes(json.loads(path.read_text()))


def _receipt_counts(result) -> dict[str, int]:
    counts = {}
    for message in result.messages:
        if message.get("type") == "LOG":
            counts = parse_destination_counts(message["log"]["message"]) or counts
    return counts


@pytest.fixture
def destination_config():
    """The sandbox Drive config with a root folder of its own, trashed afterwards, pass or fail."""
    from destination_gdrive_receipts.config import parse_config
    from destination_gdrive_receipts.drive.inventory import FOLDER_MIME, has_marker, query_literal, root_key
    from destination_gdrive_receipts.sync import open_gateway

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    config = {**_load(DESTINATION_CONFIG), "root_folder_name": f"receipts-e2e-{stamp}", "share_with": []}
    yield config
    gateway = open_gateway(parse_config(config))
    query = (f"{has_marker('kind', 'root')} and {has_marker('rootkey', root_key(config['root_folder_name']))}"
             f" and mimeType = {query_literal(FOLDER_MIME)} and trashed = false")
    for root in gateway.list(query):
        gateway.update(root["id"], {"trashed": True})


def test_given_sandbox_credentials_when_backfill_then_rerun_then_every_receipt_is_uploaded_once(destination_config, tmp_path):
    source_config = _load(SOURCE_CONFIG)
    config_file = tmp_path / "source.json"
    config_file.write_text(json.dumps(source_config))
    pipeline = Pipeline(tmp_path, configured_catalog(discover(SOURCE, config_file)))

    first = pipeline.run(source_config, destination_config)
    assert first.succeeded, first.explain()
    assert pipeline.state, "the destination confirmed no state"
    # A new root folder: every receipt the source sent is a new file.
    assert _receipt_counts(first).get("uploaded") == len(first.sent.receipt_ids)

    second = pipeline.run(source_config, destination_config)
    assert second.succeeded, second.explain()
    assert _receipt_counts(second).get("uploaded", 0) == 0
