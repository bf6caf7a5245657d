"""Drive emulator auth, quota, rate limits, service-account mode, faults and counters."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import MediaIoBaseUpload

from integration_tests.emulators.drive import FOLDER, DriveEmulator
from integration_tests.emulators.drive.client import build_drive, oauth_credentials


def _folder(drive, name="Qonto", **params):
    return drive.files().create(body={"name": name, "mimeType": FOLDER}, fields="id", **params).execute()["id"]


def _upload(drive, data, parent=None, name="r.pdf"):
    body = {"name": name, **({"parents": [parent]} if parent else {})}
    media = MediaIoBaseUpload(io.BytesIO(data), "application/pdf")
    return drive.files().create(body=body, media_body=media, fields="id", supportsAllDrives=True).execute()["id"]


def _error(call):
    with pytest.raises(HttpError) as caught:
        call()
    return caught.value.status_code, caught.value.error_details[0]


def test_given_expired_access_tokens_when_calling_then_401_is_refreshed_transparently():
    with DriveEmulator() as emu:
        drive = build_drive(emu)
        _folder(drive)
        emu.expire_access_tokens()
        assert _folder(drive, "Second")
        assert emu.counts["token"] == 2
        assert sorted(emu.paths()) == ["Qonto/", "Second/"]


def test_given_stale_token_without_refresh_when_calling_then_401_auth_error():
    with DriveEmulator() as emu:
        answer = requests.get(f"{emu.url}drive/v3/files", headers={"Authorization": "Bearer stale"})
        assert answer.status_code == 401
        assert answer.json()["error"]["errors"][0]["reason"] == "authError"


def test_given_wrong_refresh_token_when_refreshing_then_invalid_grant():
    with DriveEmulator() as emu:
        form = {**emu.oauth_credentials(), "grant_type": "refresh_token", "refresh_token": "revoked"}
        answer = requests.post(emu.url + "token", data=form)
        assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_given_about_without_fields_when_called_then_400_and_with_fields_quota_is_reported():
    with DriveEmulator(quota_bytes=1000) as emu:
        drive = build_drive(emu)
        _upload(drive, b"x" * 300)
        status, detail = _error(lambda: drive.about().get().execute())
        quota = drive.about().get(fields="storageQuota").execute()["storageQuota"]
    assert (status, detail["reason"]) == (400, "required")
    assert quota == {"limit": "1000", "usage": "300", "usageInDrive": "300", "usageInDriveTrash": "0"}


@pytest.mark.parametrize("service_account, expected_limit", [(False, None), (True, "0")], ids=["user", "sa"])
def test_given_account_kind_when_reading_quota_then_limit_absent_or_zero(service_account, expected_limit):
    with DriveEmulator(service_account=service_account) as emu:
        quota = build_drive(emu).about().get(fields="storageQuota(limit,usage)").execute()["storageQuota"]
    assert quota.get("limit") == expected_limit


def test_given_full_drive_when_uploading_then_403_storage_quota_exceeded_and_nothing_written():
    with DriveEmulator(quota_bytes=100) as emu:
        drive = build_drive(emu)
        _upload(drive, b"x" * 60, name="fits.pdf")
        status, detail = _error(lambda: _upload(drive, b"x" * 41, name="too-big.pdf"))
        assert (status, detail["reason"]) == (403, "storageQuotaExceeded")
        assert emu.paths() == ["fits.pdf"]


def test_given_service_account_when_creating_outside_shared_drive_then_403_but_shared_drive_works():
    with DriveEmulator(service_account=True) as emu:
        drive = build_drive(emu)
        status, detail = _error(lambda: _upload(drive, b"receipt"))
        assert (status, detail["reason"]) == (403, "storageQuotaExceeded")
        shared = emu.create_shared_drive("Accounting")
        _upload(drive, b"receipt", parent=shared)
        assert emu.paths() == ["r.pdf"]


def test_given_write_rate_exceeded_when_creating_then_403_user_rate_limit_with_drive_error_body():
    with DriveEmulator(write_rate_per_s=0.001, write_burst=2) as emu:
        drive = build_drive(emu)
        _folder(drive, "a")
        _folder(drive, "b")
        status, detail = _error(lambda: _folder(drive, "c"))
        reads_still_work = drive.files().list(fields="files(name)").execute()["files"]
    assert status == 403
    assert (detail["domain"], detail["reason"]) == ("usageLimits", "userRateLimitExceeded")
    assert len(reads_still_work) == 2


def test_given_rate_limit_fault_when_client_retries_then_it_succeeds_on_second_attempt():
    with DriveEmulator() as emu:
        drive = build_drive(emu)
        emu.faults.add("POST", r"^/drive/v3/files$", status=403, reason="userRateLimitExceeded")
        request = drive.files().create(body={"name": "Qonto", "mimeType": FOLDER})
        request._sleep = lambda seconds: None
        request.execute(num_retries=3)
        assert (emu.counts["files.create"], emu.paths()) == (2, ["Qonto/"])


@pytest.mark.parametrize("status", [429, 500, 503])
def test_given_transient_fault_on_list_when_client_retries_then_answer_arrives(status):
    with DriveEmulator() as emu:
        drive = build_drive(emu)
        emu.faults.add("GET", r"/drive/v3/files", status=status, times=2)
        request = drive.files().list()
        request._sleep = lambda seconds: None
        assert request.execute(num_retries=2)["files"] == []
        assert emu.counts["files.list"] == 3


def test_given_fault_for_one_route_when_other_routes_called_then_they_are_unaffected():
    with DriveEmulator() as emu:
        drive = build_drive(emu)
        emu.faults.add("GET", r"/drive/v3/about", status=500, times=None)
        _folder(drive)
        assert _error(lambda: drive.about().get(fields="user").execute())[0] == 500
        emu.faults.clear()
        assert drive.about().get(fields="user/emailAddress").execute() == {"user": {"emailAddress": "owner@example.com"}}


def test_given_calls_when_counted_then_read_write_and_route_keys_add_up():
    with DriveEmulator() as emu:
        drive = build_drive(emu)
        root = _folder(drive)
        drive.files().generateIds(count=2).execute()
        drive.files().get(fileId=root).execute()
        _upload(drive, b"pdf", parent=root)
        drive.permissions().create(fileId=root, body={"role": "reader", "type": "anyone"}).execute()
        drive.files().delete(fileId=root).execute()
        counts = dict(emu.counts)
        emu.reset_counters()
        assert not emu.counts
    assert counts == {"token": 1, "files.create": 1, "files.generateIds": 1, "files.get": 1, "upload.multipart": 1,
                      "permissions.create": 1, "files.delete": 1, "read": 2, "write": 4}


def test_given_latency_and_credentials_when_built_by_hand_then_client_works():
    with DriveEmulator(latency_ms=5) as emu:
        drive = build_drive(emu, oauth_credentials(emu))
        assert drive.files().list(pageSize=1000).execute()["files"] == []
        assert emu.destination_config(root_folder_name="X")["drive_api_url"] == emu.url


def test_given_declared_size_over_quota_when_initiating_resumable_then_403_before_any_chunk():
    with DriveEmulator(quota_bytes=1000) as emu:
        answer = requests.post(f"{emu.url}upload/drive/v3/files?uploadType=resumable", json={"name": "big.pdf"},
                               headers={"Authorization": f"Bearer {emu.issue_access_token()}",
                                        "X-Upload-Content-Length": "1001"})
        assert (answer.status_code, answer.json()["error"]["errors"][0]["reason"]) == (403, "storageQuotaExceeded")
        assert emu.paths() == []


def test_given_cli_when_started_then_prints_url_and_credentials_and_serves():
    process = subprocess.Popen([sys.executable, "-m", "integration_tests.emulators.drive", "--port", "0"],
                               stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    try:
        started = json.loads(process.stdout.readline())
        answer = requests.get(started["url"] + "drive/v3/about?fields=user")
        token = requests.post(started["url"] + "token", data={**started["credentials"], "grant_type": "refresh_token"})
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert answer.status_code == 401
    assert token.json()["token_type"] == "Bearer"


def test_given_service_account_key_when_client_signs_in_then_jwt_grant_yields_a_working_token():
    import google.oauth2.service_account
    with DriveEmulator(service_account=True) as emu:
        info = json.loads(emu.service_account_credentials()["service_account_info"])
        creds = google.oauth2.service_account.Credentials.from_service_account_info(
            info, scopes=["https://www.googleapis.com/auth/drive.file"])
        drive = build_drive(emu, creds)
        quota = drive.about().get(fields="storageQuota/limit,user/emailAddress").execute()
        forged = requests.post(emu.token_uri, data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                                    "assertion": "a.b.c"})
    assert quota["storageQuota"] == {"limit": "0"}
    assert quota["user"]["emailAddress"] == info["client_email"]
    assert forged.status_code == 400
