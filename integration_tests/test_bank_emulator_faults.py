"""Injected faults, request limits and counters of the bank emulator, seen by a real HTTP client."""

from __future__ import annotations

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset


@pytest.fixture
def emu():
    with BankEmulator(make_sample_dataset(seed=3, transactions=40, receipts=10, large_receipt_sizes=())) as emulator:
        yield emulator


def get(emu: BankEmulator, path: str, **params: object) -> requests.Response:
    return requests.get(emu.url + path, params=params, headers=emu.auth_headers(), timeout=10)


def transactions(emu: BankEmulator) -> requests.Response:
    return get(emu, "/v2/transactions", bank_account_id=next(iter(emu.dataset.accounts)))


def a_download_url(emu: BankEmulator) -> str:
    att_id = next(iter(emu.dataset.attachments))
    return get(emu, f"/v2/attachments/{att_id}").json()["attachment"]["url"]


@pytest.mark.parametrize("retry_after,expected_header", [(1, "1"), (None, None)], ids=["with", "without"])
def test_given_429_fault_when_calling_then_throttled_times_then_normal(emu, retry_after, expected_header):
    emu.faults.add(r"/v2/transactions", status=429, times=2, retry_after=retry_after)
    answers = [transactions(emu) for _ in range(3)]
    assert [r.status_code for r in answers] == [429, 429, 200]
    assert answers[0].headers.get("Retry-After") == expected_header
    assert answers[0].json()["errors"] == [{"code": "too_many_requests", "detail": "Too Many Requests"}]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_given_5xx_fault_when_calling_then_json_envelope_once(emu, status):
    emu.faults.add(r"/v2/transactions", status=status)
    first, second = transactions(emu), transactions(emu)
    assert (first.status_code, second.status_code) == (status, 200)
    assert first.json()["errors"][0]["code"] and first.json()["trace_id"]


def test_given_reset_fault_when_downloading_then_connection_error_then_download_works(emu):
    url = a_download_url(emu)
    emu.faults.add(r"/_s3/", reset=True, times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=10)
    assert requests.get(url, timeout=10).status_code == 200
    assert [r.status for r in emu.requests if r.path.startswith("/_s3/")] == [0, 200]


def test_given_s3_403_fault_when_downloading_then_expired_xml(emu):
    url = a_download_url(emu)
    emu.faults.add(r"/_s3/", status=403, times=1)
    response = requests.get(url, timeout=10)
    assert response.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in response.text


def test_given_html_fault_when_calling_organization_then_200_html_page(emu):
    emu.faults.add(r"/v2/organization", html=True)
    response = get(emu, "/v2/organization")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    assert get(emu, "/v2/organization").headers["Content-Type"].startswith("application/json")


def test_given_forever_fault_when_cleared_then_requests_succeed_again(emu):
    emu.faults.add(r"/v2/", status=503, times=None)
    assert [transactions(emu).status_code for _ in range(3)] == [503, 503, 503]
    emu.faults.clear()
    assert transactions(emu).status_code == 200


def test_given_faults_on_several_paths_when_calling_then_first_match_wins_and_others_untouched(emu):
    emu.faults.add(r"^GET /v2/transactions", status=500, times=1)
    emu.faults.add(r"/v2/transactions", status=429, times=1)
    assert get(emu, "/v2/organization").status_code == 200
    assert [transactions(emu).status_code for _ in range(3)] == [500, 429, 200]


def test_given_fault_without_kind_when_added_then_value_error(emu):
    with pytest.raises(ValueError):
        emu.faults.add(r"/v2/", times=1)


def test_given_per_ip_limit_when_exceeded_then_429_with_retry_after():
    with BankEmulator(make_sample_dataset(seed=3, transactions=20, receipts=5, large_receipt_sizes=()),
                      per_ip_limit=(3, 60.0)) as emulator:
        answers = [get(emulator, "/v2/organization") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_given_requests_when_counted_then_log_has_method_path_query_status_and_resets(emu):
    transactions(emu)
    get(emu, "/v2/organization")
    requests.get(emu.url + "/v2/organization", timeout=10)
    assert emu.count(prefix="/v2/transactions") == 1
    assert emu.count() == 3
    logged = emu.requests[0]
    assert (logged.method, logged.path, logged.status) == ("GET", "/v2/transactions", 200)
    assert logged.query["bank_account_id"] == [next(iter(emu.dataset.accounts))]
    assert [r.status for r in emu.requests[1:]] == [200, 400]
    emu.reset_counters()
    assert emu.count() == 0 and emu.requests == []


def test_given_latency_when_calling_then_answers_are_still_correct():
    with BankEmulator(make_sample_dataset(seed=3, transactions=20, receipts=5, large_receipt_sizes=()),
                      latency_ms=20) as emulator:
        assert get(emulator, "/v2/organization").status_code == 200
