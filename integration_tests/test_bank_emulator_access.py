"""Who may call the bank emulator (API key, OAuth, sandbox), presigned downloads, and the test
hooks that change data the way users do - over loopback HTTP with requests."""

from __future__ import annotations

import hashlib

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
from integration_tests.test_bank_emulator import account_id, all_rows, get, receipt_holder


@pytest.fixture
def emu():
    with BankEmulator(make_sample_dataset(seed=1, large_receipt_sizes=())) as emulator:
        yield emulator


# -- authentication --------------------------------------------------------------------------------

def test_given_no_authorization_when_calling_then_400_bad_request(emu):
    response = requests.get(emu.url + "/v2/organization", timeout=10)
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"code": "bad_request", "detail": "Authorization field missing"}


@pytest.mark.parametrize("header", ["wrong-slug:wrong", "Bearer not-a-token", "boulangerie-emulee-2161:nope"])
def test_given_wrong_authorization_when_calling_then_401_unauthorized(emu, header):
    response = requests.get(emu.url + "/v2/organization", headers={"Authorization": header}, timeout=10)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthorized"


def test_given_sandbox_when_staging_token_missing_then_200_html_and_with_token_json():
    with BankEmulator(make_sample_dataset(seed=1, large_receipt_sizes=()), sandbox=True,
                      staging_token="stg-123") as emulator:
        headers = emulator.auth_headers()
        without = requests.get(emulator.url + "/v2/organization",
                               headers={"Authorization": headers["Authorization"]}, timeout=10)
        wrong = requests.get(emulator.url + "/v2/organization",
                             headers={**headers, "X-Qonto-Staging-Token": "other"}, timeout=10)
        with_token = requests.get(emulator.url + "/v2/organization", headers=headers, timeout=10)
    for response in (without, wrong):
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
    assert with_token.json()["organization"]["slug"] == emulator.dataset.organization.slug


def _refresh(emulator: BankEmulator, creds: dict, refresh_token: str, path: str = "/oauth2/token"):
    return requests.post(emulator.url + path, data={
        "grant_type": "refresh_token", "client_id": creds["client_id"],
        "client_secret": creds["client_secret"], "refresh_token": refresh_token}, timeout=10)


@pytest.mark.parametrize("token_path", ["/oauth2/token", "/v2/oauth2/token"])
def test_given_oauth_refresh_token_when_exchanged_then_bearer_works_and_token_rotates(emu, token_path):
    creds = emu.oauth_credentials()
    response = _refresh(emu, creds, creds["refresh_token"], token_path)
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "bearer"
    assert tokens["refresh_token"] != creds["refresh_token"]
    api = requests.get(emu.url + "/v2/organization",
                       headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert api.status_code == 200


def test_given_used_refresh_token_when_reused_then_valid_for_60s_then_invalid_grant(emu):
    creds = emu.oauth_credentials()
    first = _refresh(emu, creds, creds["refresh_token"])
    emu.clock.advance(59)
    within_grace = _refresh(emu, creds, creds["refresh_token"])
    emu.clock.advance(2)
    after_grace = _refresh(emu, creds, creds["refresh_token"])
    rotated = _refresh(emu, creds, first.json()["refresh_token"])
    assert (first.status_code, within_grace.status_code, after_grace.status_code) == (200, 200, 400)
    assert after_grace.json()["error"] == "invalid_grant"
    assert rotated.status_code == 200


def test_given_access_token_when_an_hour_passes_then_401(emu):
    creds = emu.oauth_credentials()
    access = _refresh(emu, creds, creds["refresh_token"]).json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    emu.clock.advance(3599)
    still = requests.get(emu.url + "/v2/organization", headers=headers, timeout=10).status_code
    emu.clock.advance(2)
    expired = requests.get(emu.url + "/v2/organization", headers=headers, timeout=10).status_code
    assert (still, expired) == (200, 401)


def test_given_wrong_client_secret_when_refreshing_then_401_invalid_client(emu):
    creds = emu.oauth_credentials()
    response = _refresh(emu, {**creds, "client_secret": "wrong"}, creds["refresh_token"])
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


# -- downloads -------------------------------------------------------------------------------------

def test_given_attachment_url_when_downloaded_without_credentials_then_exact_bytes_and_headers(emu):
    _, att_id = receipt_holder(emu)
    attachment = get(emu, f"/v2/attachments/{att_id}").json()["attachment"]
    response = requests.get(attachment["url"], timeout=10)
    assert response.status_code == 200
    assert response.content == emu.attachment_bytes(att_id)
    assert int(response.headers["Content-Length"]) == int(attachment["file_size"]) == len(response.content)
    assert response.headers["Content-Type"] == attachment["file_content_type"]


def test_given_url_when_clock_passes_1800s_then_403_xml_and_refreshed_url_works(emu):
    _, att_id = receipt_holder(emu)
    old_url = get(emu, f"/v2/attachments/{att_id}").json()["attachment"]["url"]
    emu.clock.advance(1801)
    expired = requests.get(old_url, timeout=10)
    new_url = get(emu, f"/v2/attachments/{att_id}").json()["attachment"]["url"]
    fresh = requests.get(new_url, timeout=10)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text
    assert expired.headers["Content-Type"] == "application/xml"
    assert new_url != old_url
    assert fresh.status_code == 200 and fresh.content == emu.attachment_bytes(att_id)


def test_given_url_when_just_inside_ttl_then_still_works(emu):
    _, att_id = receipt_holder(emu)
    url = get(emu, f"/v2/attachments/{att_id}").json()["attachment"]["url"]
    emu.clock.advance(1790)
    assert requests.get(url, timeout=10).status_code == 200


def test_given_tampered_signature_when_downloading_then_403(emu):
    _, att_id = receipt_holder(emu)
    url = get(emu, f"/v2/attachments/{att_id}").json()["attachment"]["url"]
    response = requests.get(url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), timeout=10)
    assert response.status_code == 403 and "SignatureDoesNotMatch" in response.text


def test_given_odd_file_name_when_url_built_then_name_is_one_encoded_path_segment(emu):
    att = next(a for a in emu.dataset.attachments.values() if "/" in a.file_name)
    url = get(emu, f"/v2/attachments/{att.id}").json()["attachment"]["url"]
    assert url.split("?")[0].endswith("/" + att.id + "/factures%2F2025%2Fjanvier.pdf")
    assert hashlib.sha256(requests.get(url, timeout=10).content).digest() == \
        hashlib.sha256(emu.attachment_bytes(att.id)).digest()


# -- mutations -------------------------------------------------------------------------------------

def test_given_new_attachment_on_old_transaction_when_listing_from_cursor_then_row_reappears_with_new_id(emu):
    acc = account_id(emu)
    rows = all_rows(emu, bank_account_id=acc, sort_by="updated_at:asc")
    cursor = rows[-1]["updated_at"]
    old = rows[0]
    added = emu.add_attachment(old["id"], file_name="late.pdf", content_type="application/pdf", size=1234)
    changed = all_rows(emu, bank_account_id=acc, sort_by="updated_at:asc", updated_at_from=cursor,
                       **{"includes[]": "attachments"})
    row = next(t for t in changed if t["id"] == old["id"])
    assert row["updated_at"] > old["updated_at"]
    assert row["attachment_ids"] == old["attachment_ids"] + [added["id"]]
    assert requests.get(row["attachments"][-1]["url"], timeout=10).content == emu.attachment_bytes(added["id"])


def test_given_attachment_removed_when_fetched_then_gone_and_transaction_bumped(emu):
    txn_id, att_id = receipt_holder(emu)
    before = get(emu, f"/v2/transactions/{txn_id}").json()["transaction"]
    emu.remove_attachment(txn_id, att_id)
    after = get(emu, f"/v2/transactions/{txn_id}").json()["transaction"]
    assert att_id not in after["attachment_ids"] and after["updated_at"] > before["updated_at"]
    assert get(emu, f"/v2/attachments/{att_id}").status_code == 404


def test_given_pending_transaction_when_settled_then_completed_with_settled_at_and_bumped(emu):
    pending = next(t for t in emu.dataset.transactions.values() if t.status == "pending")
    before = get(emu, f"/v2/transactions/{pending.id}").json()["transaction"]
    emu.settle(pending.id, settled_at="2025-12-31T10:00:00.000Z")
    after = get(emu, f"/v2/transactions/{pending.id}").json()["transaction"]
    assert before["settled_at"] is None
    assert (after["status"], after["settled_at"]) == ("completed", "2025-12-31T10:00:00.000Z")
    assert after["updated_at"] > before["updated_at"]


def test_given_completed_transaction_when_declined_then_status_declined_and_bumped(emu):
    txn_id, _ = receipt_holder(emu)
    before = emu.dataset.transactions[txn_id].updated_ms
    emu.decline(txn_id)
    after = get(emu, f"/v2/transactions/{txn_id}").json()["transaction"]
    assert (after["status"], after["settled_at"]) == ("declined", None)
    assert emu.dataset.transactions[txn_id].updated_ms > before


def test_given_empty_bank_when_account_and_transaction_added_then_listed_with_exact_receipt_bytes():
    with BankEmulator() as emulator:
        account = emulator.add_bank_account(name="Travel", iban="FR7630004000031234567890143")
        txn = emulator.add_transaction(account["id"], amount=12.5, label="ACME", emitted_at="2025-03-01T10:00:00Z",
                                       attachments=[{"file_name": "r.pdf", "content_type": "application/pdf",
                                                     "content": b"%PDF-1.4 hello"}])
        org = get(emulator, "/v2/organization").json()["organization"]
        rows = get(emulator, "/v2/transactions", iban="FR7630004000031234567890143",
                   **{"includes[]": "attachments"}).json()["transactions"]
        download = requests.get(rows[0]["attachments"][0]["url"], timeout=10).content
    assert [a["name"] for a in org["bank_accounts"]] == ["Travel"]
    assert [t["id"] for t in rows] == [txn["id"]]
    assert (rows[0]["amount"], rows[0]["settled_at"]) == (12.5, "2025-03-01T10:00:00.000Z")
    assert download == b"%PDF-1.4 hello"


def test_given_download_url_when_sent_with_bank_authorization_then_400_like_s3(emu):
    _, att_id = receipt_holder(emu)
    url = get(emu, f"/v2/attachments/{att_id}").json()["attachment"]["url"]
    response = requests.get(url, headers=emu.auth_headers(), timeout=10)
    assert response.status_code == 400 and "<Code>InvalidArgument</Code>" in response.text
