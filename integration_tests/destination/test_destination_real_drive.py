"""The destination against a real Google Drive, through the real `check` and `write` commands.

Runs only with secrets/sandbox_destination.json (see secrets/README.md; CI writes it from
repository secrets). Every run files into its own root folder, named with a timestamp, and moves
it to the trash at the end. Drive is inspected through the destination's own gateway, so the test
sees exactly what the connector can see under the drive.file scope.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from destination_gdrive_receipts.config import parse_config
from destination_gdrive_receipts.drive.inventory import FOLDER_MIME, RECEIPT, Entry, has_marker, query_literal, root_key
from destination_gdrive_receipts.sync import open_gateway
from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_check, run_write

SECRETS = Path(__file__).resolve().parents[2] / "secrets"
CONFIG = SECRETS / "sandbox_destination.json"
ITEMS = [(M.receipt(n, settled_at=f"2025-0{4 + n}-03T10:00:00Z"), M.content_of(n)) for n in (1, 2)]

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not CONFIG.exists(), reason="no secrets/sandbox_destination.json (see secrets/README.md)"),
]


def load_config() -> dict:
    from tools.pyairbyte_sync import strip_notes

    return strip_notes(json.loads(CONFIG.read_text()))


def roots(gateway, config: dict) -> list[dict]:
    """Every live root folder of this configuration, found by its markers (never created here)."""
    q = (f"{has_marker('kind', 'root')} and {has_marker('rootkey', root_key(config['root_folder_name']))}"
         f" and mimeType = {query_literal(FOLDER_MIME)} and trashed = false")
    return list(gateway.list(q))


def live_receipts(gateway, root_id: str) -> dict[str, Entry]:
    """file id -> entry of every receipt below the root that is not in the trash."""
    entries = (Entry.from_drive(f) for f in gateway.list(has_marker("root", root_id)))
    return {e.id: e for e in entries if e.kind == RECEIPT and e.live}


@pytest.fixture
def drive_config() -> dict:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return {**load_config(), "root_folder_name": f"receipts-test-{stamp}", "share_with": []}


@pytest.fixture
def gateway(drive_config):
    """The destination's own Drive gateway; trashes this run's root folder afterwards, pass or fail."""
    parsed = parse_config(drive_config)
    gateway = open_gateway(parsed)
    if parsed.parent_folder_id:     # listings inside a shared drive must name it
        gateway.drive_id = (gateway.get(parsed.parent_folder_id, "id,driveId") or {}).get("driveId")
    yield gateway
    for root in roots(gateway, drive_config):
        gateway.update(root["id"], {"trashed": True})


def test_given_real_drive_credentials_when_checked_then_connection_succeeds(drive_config, gateway, tmp_path):
    result = run_check(tmp_path, drive_config)

    status = result.connection_status or {}
    assert status.get("status") == "SUCCEEDED", status.get("message", "no connection status")
    assert len(roots(gateway, drive_config)) == 1, "check leaves exactly one root folder"


def test_given_two_receipts_when_written_twice_then_filed_once_and_the_rerun_adds_no_file(
        drive_config, gateway, tmp_path):
    messages = [M.record("bank_accounts", M.ACCOUNTS["acc-main"])] + M.receipts_messages(ITEMS)

    first = run_write(tmp_path, drive_config, messages)

    assert first.returncode == 0, [e.get("message") for e in first.errors]
    assert first.states == [m["state"] for m in messages if m["type"] == "STATE"]
    (root,) = roots(gateway, drive_config)
    filed = live_receipts(gateway, root["id"])
    assert sorted(e.markers.get("att") for e in filed.values()) == sorted(m["attachment_id"] for m, _ in ITEMS)
    assert all(gateway.download(file_id) == content
               for file_id, entry in filed.items() for meta, content in ITEMS
               if entry.markers.get("att") == meta["attachment_id"])

    again = run_write(tmp_path, drive_config, messages)

    assert again.returncode == 0, [e.get("message") for e in again.errors]
    assert len(roots(gateway, drive_config)) == 1
    assert set(live_receipts(gateway, root["id"])) == set(filed), "the same input made new files"
