"""`check` through the real command: readable FAILED answers, never a traceback or a secret."""

import json
import socket

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import check_in_process, run_check, run_write
from integration_tests.destination.test_write_backfill import receipts_in

SA_KEY = json.dumps({"type": "service_account", "client_email": "sync@project.iam.gserviceaccount.com",
                     "private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n",
                     "token_uri": "https://oauth2.googleapis.com/token", "private_key_id": "k1"})


SECRET_KEYS = ("client_id", "client_secret", "refresh_token", "access_token", "service_account_info")


def closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def test_given_valid_oauth_config_when_checked_then_succeeds_and_root_folder_exists(drive, config, tmp_path):
    result = run_check(tmp_path, config)
    assert result.connection_status == {"status": "SUCCEEDED"}, result.stderr
    assert [f.name for f in drive.files.values() if f.app_properties.get("kind") == "root"] == ["Qonto"]
    assert run_check(tmp_path, config).connection_status["status"] == "SUCCEEDED"
    assert len([f for f in drive.files.values() if f.app_properties.get("kind") == "root"]) == 1


BAD_CONFIGS = {
    "revoked-refresh-token": (lambda d: {**d.destination_config(), "credentials": {
        **d.oauth_credentials(), "refresh_token": "1//revoked-token-value"}}, "refresh token is invalid"),
    "wrong-client-secret": (lambda d: {**d.destination_config(), "credentials": {
        **d.oauth_credentials(), "client_secret": "GOCSPX-wrong-secret-value"}}, "Sign in with Google again"),
    "missing-parent-folder": (lambda d: d.destination_config(parent_folder_id="1NoSuchFolderAbCdEfGhIjKlMnOpQrSt"),
                              "was not found or is not visible"),
    "parent-folder-invisible-under-drive-file": (
        lambda d: d.destination_config(parent_folder_id=d.create_user_folder("Accounting")), "not visible"),
    "unreachable-endpoint": (lambda d: {**d.destination_config(), "drive_api_url": closed_port_url()}, "unreachable"),
    "plain-http-to-remote-host": (lambda d: d.destination_config(drive_api_url="http://drive.example.com/"),
                                  "use https"),
    "unknown-time-zone": (lambda d: d.destination_config(timezone="Europe/Atlantis"), "IANA time zone"),
    "unknown-template-variable": (lambda d: d.destination_config(file_name_template="{date} {iban}"),
                                  "file_name_template"),
    "bad-share-email": (lambda d: d.destination_config(share_with=[{"email": "accountant", "role": "reader"}]),
                        "not an e-mail address"),
    "bad-share-role": (lambda d: d.destination_config(share_with=[{"email": "a@example.com", "role": "owner"}]),
                       "'owner' is not one of ['reader', 'commenter', 'writer']"),
    "bad-period": (lambda d: d.destination_config(period="week"), "week"),
    "missing-credentials": (lambda d: {"drive_api_url": d.url}, "credentials"),
    "service-account-key-not-json": (lambda d: d.destination_config(credentials={
        "auth_type": "service_account", "service_account_info": "{oops"}), "not valid JSON"),
    "service-account-outside-shared-drive": (lambda d: d.destination_config(credentials={
        "auth_type": "service_account", "service_account_info": SA_KEY}), "shared drive"),
}


# These also run as a real `check` process; the others go through the same command handling in-process.
AS_PROCESS = {"revoked-refresh-token", "unreachable-endpoint", "unknown-time-zone", "missing-credentials"}


@pytest.mark.parametrize("name", list(BAD_CONFIGS))
def test_given_bad_configuration_when_checked_then_failed_with_readable_message(drive, tmp_path, name, capfd):
    build, expected = BAD_CONFIGS[name]
    config = build(drive)
    if name in AS_PROCESS:
        result = run_check(tmp_path, config)
    else:
        result = check_in_process(tmp_path, config)
        captured = capfd.readouterr()
        result.stderr = captured.out + captured.err
    status = result.connection_status
    assert status is not None and status["status"] == "FAILED", result.stdout
    assert expected in status["message"]
    assert "Traceback" not in result.stdout + result.stderr
    credentials = config.get("credentials") or {}
    secrets = [credentials[k] for k in SECRET_KEYS if len(credentials.get(k) or "") >= 8]
    assert not any(secret in result.stdout + result.stderr for secret in secrets)


def test_given_trashed_parent_folder_when_checked_then_failed(drive, tmp_path):
    drive_id = drive.create_shared_drive("Accounting")
    config = drive.destination_config(parent_folder_id=drive_id, writes_per_second=50)
    assert run_check(tmp_path, config).connection_status["status"] == "SUCCEEDED"
    (root,) = [f for f in drive.files.values() if f.app_properties.get("kind") == "root"]
    drive.user_trash(root.id)
    result = run_check(tmp_path, drive.destination_config(parent_folder_id=root.id))
    assert result.connection_status["status"] == "FAILED"
    assert "trash" in result.connection_status["message"]


def test_given_shared_drive_parent_when_synced_then_receipts_live_in_the_shared_drive(drive, tmp_path):
    drive_id = drive.create_shared_drive("Accounting")
    config = drive.destination_config(parent_folder_id=drive_id, writes_per_second=50)
    assert run_check(tmp_path, config).connection_status["status"] == "SUCCEEDED"
    items = [(M.receipt(n), M.content_of(n)) for n in range(3)]
    result = run_write(tmp_path, config, M.receipts_messages(items))
    assert result.returncode == 0, result.stderr
    files = receipts_in(drive)
    assert len(files) == 3 and {f.drive_id for f in files} == {drive_id}
    drive.reset_counters()
    assert run_write(tmp_path, config, M.receipts_messages(items)).returncode == 0
    assert drive.counts["write"] == 0


def test_given_share_with_when_synced_twice_then_one_permission_per_person(drive, tmp_path):
    config = drive.destination_config(writes_per_second=50, share_with=[
        {"email": "accountant@example.com", "role": "reader"}, {"email": "boss@example.com", "role": "writer"}])
    messages = M.receipts_messages([(M.receipt(1), M.content_of(1))])
    assert run_write(tmp_path, config, messages).returncode == 0
    assert run_write(tmp_path, config, messages).returncode == 0
    (root,) = [f for f in drive.files.values() if f.app_properties.get("kind") == "root"]
    granted = sorted((p.get("emailAddress"), p["role"]) for p in drive.permissions(root.id) if p["role"] != "owner")
    assert granted == [("accountant@example.com", "reader"), ("boss@example.com", "writer")]
