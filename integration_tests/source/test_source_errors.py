"""Bank API failures: retried when transient, clear and final otherwise; check never shows a traceback."""

from __future__ import annotations

import logging

import pytest
from airbyte_cdk.models import FailureType, Status

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
from source_bank_receipts import SourceBankReceipts
from source_bank_receipts.api import BankApi
from source_bank_receipts.config import parse_settings

from .conftest import expected_receipt_ids, expected_transaction_ids, records_of, run_read

LOGGER = logging.getLogger("airbyte")


def check(config):
    return SourceBankReceipts().check(LOGGER, config)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param({"status": 429, "retry_after": 1}, id="429-retry-after"),
        pytest.param({"status": 429}, id="429-without-retry-after"),
        pytest.param({"status": 503}, id="503"),
        pytest.param({"reset": True}, id="connection-reset"),
    ],
)
def test_given_transient_api_failure_when_read_then_retried_and_complete(emu, fault):
    emu.faults.add(r"/v2/transactions", times=1, **fault)

    output = run_read(emu.source_config(), ["transactions"])

    assert not output.errors
    assert {t["id"] for t in records_of(output, "transactions")} == expected_transaction_ids(emu)


def test_given_retry_after_when_rate_limited_then_the_wait_is_honoured(emu, monkeypatch):
    slept = []
    monkeypatch.setattr("airbyte_cdk.sources.streams.http.rate_limiting.time.sleep", lambda s: slept.append(s))
    emu.faults.add(r"/v2/transactions", status=429, retry_after=7, times=1)

    run_read(emu.source_config(), ["transactions"])

    assert any(seconds >= 7 for seconds in slept)  # other threads (the API budget's) sleep too


def test_given_wrong_secret_when_read_then_config_error_without_retry_or_secret(emu):
    config = emu.source_config(credentials={**emu.api_key_credentials(), "secret_key": "wrong-secret-123"})

    output = run_read(config, ["bank_accounts", "transactions", "receipts"], expect_failure=True)

    errors = [e.trace.error for e in output.errors]
    assert any(e.failure_type == FailureType.config_error and "credentials.secret_key" in e.message for e in errors)
    assert emu.count("/v2") == 1, "a 401 is never retried"
    assert all("wrong-secret-123" not in (e.message or "") + (e.internal_message or "") for e in errors)


def test_given_bad_request_when_read_then_error_carries_the_api_message(emu):
    emu.faults.add(r"/v2/transactions", status=422, times=None)    # every listing refused

    output = run_read(emu.source_config(), ["transactions"], expect_failure=True)

    assert any("HTTP 422" in e.trace.error.message and "Unprocessable Entity" in e.trace.error.message for e in output.errors)


def test_given_unknown_transaction_when_fetched_then_text_plain_404_is_not_an_error(emu):
    api = BankApi(parse_settings(emu.source_config()), emu.source_config(), LOGGER)

    assert api.get("/v2/transactions/00000000-0000-4000-8000-000000000000") is None


@pytest.mark.parametrize(
    "fault, words",
    [
        pytest.param({"status": 403}, "refused access", id="403"),
        pytest.param({"html": True}, "web page instead of JSON", id="html-200"),
        pytest.param({"status": 422}, "HTTP 422", id="422"),
        pytest.param({"status": 400}, "HTTP 400", id="400"),
        pytest.param({"status": 404}, "did not return the organization", id="404"),
    ],
)
def test_given_failing_organization_endpoint_when_check_then_failed_with_readable_message(emu, fault, words):
    emu.faults.add(r"/v2/organization", times=1, **fault)

    status = check(emu.source_config())

    assert status.status == Status.FAILED
    assert words in status.message and "Traceback" not in status.message


def test_given_wrong_credentials_when_check_then_failed_naming_the_credential(emu):
    status = check(emu.source_config(credentials={**emu.api_key_credentials(), "secret_key": "nope-nope"}))

    assert status.status == Status.FAILED
    assert "HTTP 401" in status.message and "credentials.secret_key" in status.message and "nope-nope" not in status.message


def test_given_one_5xx_when_check_then_retried_and_succeeded(emu):
    emu.faults.add(r"/v2/organization", status=502, times=1)

    assert check(emu.source_config()).status == Status.SUCCEEDED


def test_given_unreachable_api_when_check_then_failed_not_traceback():
    with BankEmulator(make_sample_dataset(seed=2, transactions=5, receipts=0)) as emu:
        config = emu.source_config()
    # the emulator is stopped: connection refused on every attempt
    status = SourceBankReceipts()
    status = status.check(LOGGER, {**config, "api_url": config["api_url"]})
    assert status.status == Status.FAILED and "Traceback" not in status.message


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"environment": "sandbox"}, id="sandbox-without-staging-token"),
        pytest.param({"api_url": "http://bank.example.com"}, id="http-non-loopback"),
        pytest.param({"start_date": "2025/01/01"}, id="bad-date"),
        pytest.param({"credentials": {"auth_type": "magic"}}, id="unknown-auth-type"),
    ],
)
def test_given_bad_config_when_check_then_failed_before_any_call(emu, bad):
    status = check(emu.source_config(**bad))

    assert status.status == Status.FAILED and status.message
    assert emu.count() == 0


@pytest.mark.parametrize(
    "status_filter, pagination",
    [("multi", "both"), ("single", "page"), ("single", "current_page"), ("multi", "current_page")],
)
def test_given_bank_quirk_modes_when_backfill_then_same_complete_result(status_filter, pagination):
    dataset = make_sample_dataset(seed=11, accounts=2, closed_accounts=0, transactions=450, receipts=40, large_receipt_sizes=())
    with BankEmulator(dataset, status_filter=status_filter, pagination=pagination) as emu:
        output = run_read(emu.source_config(), ["transactions", "receipt_index"])

        transactions = records_of(output, "transactions")
        assert {t["id"] for t in transactions} == expected_transaction_ids(emu)
        assert len(transactions) == len({t["id"] for t in transactions})
        assert {r["attachment_id"] for r in records_of(output, "receipt_index")} == expected_receipt_ids(emu)
