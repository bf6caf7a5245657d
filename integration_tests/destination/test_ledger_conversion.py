"""The Drive emulator's CSV → Google Sheets import and CSV export, through the real client library,
and the destination under each undocumented setting (conversion.py)."""

from __future__ import annotations

import io

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_ledger_write import ledgers, sync_messages, transaction
from integration_tests.emulators.drive.client import build_drive
from integration_tests.emulators.drive.conversion import SHEET

CSV_BYTES = b"Date,Amount\r\n14/03/2025,\"-12,50\"\r\n"


@pytest.fixture
def client(drive):
    return build_drive(drive)


def _upload(client, data: bytes, *, body: dict, file_id: str | None = None) -> dict:
    media = MediaIoBaseUpload(io.BytesIO(data), "text/csv")
    if file_id:
        return client.files().update(fileId=file_id, body=body, media_body=media, fields="id,mimeType,size").execute()
    return client.files().create(body=body, media_body=media, fields="id,mimeType,size,md5Checksum").execute()


def test_given_csv_uploaded_with_sheets_type_when_exported_then_it_is_a_sheet_with_the_same_rows(client):
    created = _upload(client, CSV_BYTES, body={"name": "Ledger", "mimeType": SHEET})

    assert created["mimeType"] == SHEET and "size" not in created and "md5Checksum" not in created
    assert client.files().export(fileId=created["id"], mimeType="text/csv").execute() == CSV_BYTES
    with pytest.raises(HttpError) as raised:
        client.files().get_media(fileId=created["id"]).execute()
    assert raised.value.resp.status == 403


def test_given_a_sheet_when_updated_with_csv_then_it_stays_a_sheet_with_the_new_rows(client):
    created = _upload(client, CSV_BYTES, body={"name": "Ledger", "mimeType": SHEET})
    updated = _upload(client, b"Date\r\n01/04/2025\r\n", body={}, file_id=created["id"])

    assert updated == {"id": created["id"], "mimeType": SHEET}
    assert client.files().export(fileId=created["id"], mimeType="text/csv").execute() == b"Date\r\n01/04/2025\r\n"


def test_given_csv_without_sheets_type_when_uploaded_then_it_is_a_plain_file_that_cannot_be_exported(client):
    created = _upload(client, CSV_BYTES, body={"name": "ledger.csv"})

    assert created["mimeType"] == "text/csv" and created["size"] == str(len(CSV_BYTES))
    with pytest.raises(HttpError) as raised:
        client.files().export(fileId=created["id"], mimeType="text/csv").execute()
    assert raised.value.resp.status == 403 and b"fileNotExportable" in raised.value.content


def test_given_a_sheet_when_exported_to_an_unsupported_type_then_bad_request(client):
    created = _upload(client, CSV_BYTES, body={"name": "Ledger", "mimeType": SHEET})
    with pytest.raises(HttpError) as raised:
        client.files().export(fileId=created["id"], mimeType="application/zip").execute()
    assert raised.value.resp.status == 400


@pytest.mark.slow
@pytest.mark.parametrize("reformat", [False, True], ids=["cells-verbatim", "numbers-redisplayed"])
def test_given_each_display_setting_when_the_same_transactions_come_again_then_no_ledger_is_rewritten(
        drive, config, tmp_path, reformat):
    drive.conversion.reformat_numbers = reformat
    txs = [transaction(1, amount=10.5), transaction(2)]
    assert run_write(tmp_path, {**config, "ledger_locale": "iso"}, sync_messages((), txs)).returncode == 0
    drive.reset_counters()

    again = run_write(tmp_path, {**config, "ledger_locale": "iso"},
                      sync_messages((), txs + [transaction(3, settled_at="2025-05-02T10:00:00Z")]))

    assert again.returncode == 0, again.stderr
    assert {r["Transaction id"] for r in ledgers(drive)["2025-04"]} == {"tx-0001", "tx-0002"}
    assert "2 ledger write(s)" in again.logs          # May and the list: April's rows read back unchanged


@pytest.mark.slow
def test_given_drive_refusing_csv_updates_of_a_sheet_when_a_ledger_changes_then_a_new_sheet_replaces_it(
        drive, config, tmp_path):
    assert run_write(tmp_path, config, sync_messages((), [transaction(1)])).returncode == 0
    before = _ledger_ids(drive)
    drive.conversion.update_converts = False

    result = run_write(tmp_path, config, sync_messages((), [transaction(1, amount=99.0)]))

    assert result.returncode == 0, result.stderr
    after = _ledger_ids(drive)
    assert len(after) == len(before) == 1 and not after & before          # replaced: one live ledger per period
    assert all(drive.files[i].trashed for i in before)                      # the old Sheet in the trash
    (rows,) = ledgers(drive).values()
    assert any("99" in cell for row in rows for cell in row.values())      # the new amount is in it
    assert any(m.get("type") == "STATE" and m["state"]["stream"]["stream_descriptor"]["name"] == "transactions"
               for m in result.messages)


def _ledger_ids(drive) -> set[str]:
    return {r.id for r in drive.files.values() if r.app_properties.get("kind") == "ledger" and not r.trashed}
