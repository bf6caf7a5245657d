"""The bank emulator's documented defaults and its switches for undocumented behaviour, over
loopback HTTP: sandbox gate on every URL, token lifetime, rate windows, listing worlds."""

from __future__ import annotations

import time

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
from integration_tests.test_bank_emulator import account_id, get, receipt_holder

STAGING = "stg-777"


def dataset():
    return make_sample_dataset(seed=3, accounts=2, closed_accounts=0, transactions=40, receipts=10, large_receipt_sizes=())


# -- sandbox gate ------------------------------------------------------------------------------------


@pytest.mark.parametrize("gate, status", [("html", 200), ("redirect", 302)])
def test_given_sandbox_when_download_without_staging_token_then_login_page_before_any_byte(gate, status):
    with BankEmulator(dataset(), sandbox=True, staging_token=STAGING, sandbox_gate=gate) as emu:
        _, attachment_id = receipt_holder(emu)
        url = emu.download_url(emu.dataset.attachments[attachment_id])

        gated = requests.get(url, allow_redirects=False, timeout=10)
        lower_case = requests.get(url, headers={"x-qonto-staging-token": STAGING}, allow_redirects=False, timeout=10)
        served = requests.get(url, headers={"X-Qonto-Staging-Token": STAGING}, allow_redirects=False, timeout=10)

        assert gated.status_code == status and b"onelogin" in gated.content
        assert gate == "html" or gated.headers["Location"].startswith(emu.url)  # loopback stand-in
        assert lower_case.status_code == status, "the header name is case-sensitive"
        assert served.status_code == 200 and served.content == emu.attachment_bytes(attachment_id)


def test_given_sandbox_redirect_gate_when_api_called_without_token_then_302_to_the_login_page():
    with BankEmulator(dataset(), sandbox=True, staging_token=STAGING, sandbox_gate="redirect") as emu:
        headers = {k: v for k, v in emu.auth_headers().items() if k != "X-Qonto-Staging-Token"}
        answer = requests.get(emu.url + "/v2/organization", headers=headers, allow_redirects=False, timeout=10)
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/_onelogin/login")


# -- tokens ------------------------------------------------------------------------------------------


def test_given_token_lifetime_and_early_refusal_when_clock_moves_then_401_before_announced_expiry():
    with BankEmulator(dataset(), access_ttl_s=20, early_refusal_s=3) as emu:
        creds = emu.oauth_credentials()
        token = requests.post(emu.url + "/oauth2/token", data={"grant_type": "refresh_token", "client_id": creds["client_id"],
                                                               "client_secret": creds["client_secret"], "refresh_token": creds["refresh_token"]}, timeout=10).json()
        call = lambda: requests.get(emu.url + "/v2/organization", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)

        assert token["expires_in"] == 20 and call().status_code == 200
        emu.clock.advance(17.5)  # 2.5 s before the announced expiry
        assert call().status_code == 401


# -- rate windows --------------------------------------------------------------------------------------


def test_given_rate_windows_when_exceeded_then_429_without_retry_after_and_downloads_not_counted():
    # Scaled to a 2 s short window: wide enough that a loaded machine sends the first six in one window.
    with BankEmulator(dataset(), rate_windows=((5, 10.0), (8, 600.0)), time_scale=0.2) as emu:
        _, attachment_id = receipt_holder(emu)
        url = emu.download_url(emu.dataset.attachments[attachment_id])
        answers = [get(emu, "/v2/organization").status_code for _ in range(6)]
        downloads = [requests.get(url, timeout=10).status_code for _ in range(3)]
        assert answers[:5] == [200] * 5 and answers[5] == 429 and downloads == [200] * 3
        assert "Retry-After" not in get(emu, "/v2/organization").headers
        time.sleep(2.2)  # the short window (2 s scaled) is over; the long one (120 s) has 3 left
        assert [get(emu, "/v2/organization").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_given_default_emulator_then_documented_windows():
    from integration_tests.emulators.bank.faults import DOCUMENTED_WINDOWS

    assert DOCUMENTED_WINDOWS == ((1000, 10.0), (10_000, 600.0))


# -- listing worlds ------------------------------------------------------------------------------------


def rows_at(emu, account, **params):
    body = get(emu, "/v2/transactions", bank_account_id=account, sort_by="updated_at:asc", per_page=100, **params).json()
    return body["transactions"], body["meta"]


def test_given_exclusive_bounds_when_listing_from_a_row_instant_then_that_row_left_out():
    with BankEmulator(dataset(), bounds="exclusive") as emu, BankEmulator(dataset()) as inclusive:
        account = account_id(emu)
        first = rows_at(emu, account, **{"status[]": "completed"})[0][0]
        bound = {"status[]": "completed", "updated_at_from": first["updated_at"], "updated_at_to": first["updated_at"]}
        assert rows_at(emu, account, **bound)[0] == []
        assert [r["id"] for r in rows_at(inclusive, account_id(inclusive), **bound)[0]] == [first["id"]]


def test_given_microsecond_precision_then_updated_at_carries_six_digits_and_filters_use_them():
    with BankEmulator(dataset(), precision="us") as emu:
        account = account_id(emu)
        row = rows_at(emu, account, **{"status[]": "completed"})[0][0]
        assert len(row["updated_at"].split(".")[1]) == 7  # 6 digits and Z
        at_ms = row["updated_at"][:23] + "Z"
        assert row["id"] not in {r["id"] for r in rows_at(emu, account, **{"status[]": "completed", "updated_at_to": at_ms})[0]}


def test_given_shuffled_ties_when_bulk_update_listed_twice_then_same_rows_in_another_order():
    with BankEmulator(dataset(), tie_order="shuffled") as emu:
        account = account_id(emu)
        ids = [emu.add_transaction(account, label=f"T{i}")["id"] for i in range(60)]
        instant = emu.touch_all(ids)
        params = {"status[]": "completed", "updated_at_from": instant, "updated_at_to": instant}
        first, second = rows_at(emu, account, **params)[0], rows_at(emu, account, **params)[0]
        assert {r["updated_at"] for r in first} == {instant}
        assert sorted(r["id"] for r in first) == sorted(ids) == sorted(r["id"] for r in second)
        assert [r["id"] for r in first] != [r["id"] for r in second]


def test_given_attachment_bumps_off_when_attachment_added_then_updated_at_unchanged():
    with BankEmulator(dataset(), attachment_bumps=False) as emu:
        txn = next(t for t in emu.dataset.transactions.values() if not t.attachment_ids)
        before = txn.updated_ms
        added = emu.add_attachment(txn.id, size=10)
        assert txn.updated_ms == before and added["id"] in txn.attachment_ids
