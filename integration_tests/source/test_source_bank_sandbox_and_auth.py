"""The documented bank behaviours the source must survive: the sandbox gate on every URL, tokens
refused at (or a little before) their expiry, the rate windows and a long 429 storm, a key
revoked mid-sync. Evidence for each: source_bank_receipts/BEHAVIOR.md."""

from __future__ import annotations

import logging

import pytest
import requests
from airbyte_cdk.models import FailureType

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset
from source_bank_receipts.source import NUM_WORKERS
from source_bank_receipts.downloads import ReceiptDownloader, looks_like_html

from .conftest import expected_receipt_ids, reassemble, records_of, run_read

STAGING = "stg-1234"


def small_dataset(seed: int = 21, receipts: int = 20):
    return make_sample_dataset(seed=seed, accounts=2, closed_accounts=0, transactions=50, receipts=receipts, large_receipt_sizes=())


# -- 1. the sandbox gate ----------------------------------------------------------------------------


@pytest.mark.parametrize("gate", ["html", "redirect"])
def test_given_sandbox_gate_when_backfill_then_every_receipt_downloaded_with_the_staging_token(gate):
    with BankEmulator(small_dataset(), sandbox=True, staging_token=STAGING, sandbox_gate=gate) as emu:
        output = run_read(emu.source_config(environment="sandbox", staging_token=STAGING), ["receipts"])

        assert not output.errors
        files = reassemble(records_of(output, "receipts"))
        assert set(files) == expected_receipt_ids(emu)
        assert all(files[a] == emu.attachment_bytes(a) and not looks_like_html(files[a][:512]) for a in files)
        downloads = [r for r in emu.requests if r.path.startswith("/_s3/")]
        assert downloads and all("X-Qonto-Staging-Token" in r.header_names for r in downloads)


@pytest.mark.parametrize("gate", ["html", "redirect"])
def test_given_sandbox_gate_when_download_lacks_the_staging_token_then_config_error_and_no_file(gate):
    with BankEmulator(small_dataset(), sandbox=True, staging_token=STAGING, sandbox_gate=gate) as emu:
        attachment_id = next(iter(expected_receipt_ids(emu)))
        attachment = {"id": attachment_id, "url": emu.download_url(emu.dataset.attachments[attachment_id]),
                      "file_content_type": emu.dataset.attachments[attachment_id].content_type}
        downloader = ReceiptDownloader(lambda _: attachment, logging.getLogger("test"), sandbox=True)  # no header: the old bug

        with pytest.raises(Exception) as raised:
            downloader.download(attachment, fetched_at=emu.clock.now(), where="test")

        assert raised.value.failure_type == FailureType.config_error and "staging token" in raised.value.message
        assert not any(r.path.startswith("/_onelogin") for r in emu.requests), "a redirect to the login page is never followed"


def test_given_production_when_synced_then_no_staging_token_header_is_ever_sent():
    with BankEmulator(small_dataset()) as emu:
        output = run_read(emu.source_config(staging_token="ignored-in-production"), ["receipts"])

        assert not output.errors
        assert emu.requests and not any(name.lower() == "x-qonto-staging-token" for r in emu.requests for name in r.header_names)


def test_given_production_download_answering_a_web_page_when_read_then_receipt_never_exported():
    with BankEmulator(small_dataset()) as emu:
        emu.faults.add(r"^/_s3/", html=True, times=None)

        output = run_read(emu.source_config(), ["receipts"], expect_failure=True)

        assert records_of(output, "receipts") == []
        assert any("web page came instead of the receipt" in e.trace.error.message for e in output.errors)


# -- 2. token expiry ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "ttl_s, early_s",
    [
        # 20 s tokens refused 3 s early, 40 times faster: the margin (a quarter of the lifetime) covers it
        pytest.param(0.5, 0.075, id="refused-early-within-the-margin"),
        # refused before the margin: a 401 gets one refresh and one retry, and the margin widens
        pytest.param(1, 0.35, id="refused-early-beyond-the-margin"),
    ],
)
def test_given_short_lived_tokens_refused_early_when_long_sync_then_it_succeeds(ttl_s, early_s):
    dataset = make_sample_dataset(seed=23, accounts=2, closed_accounts=0, transactions=160, receipts=120, large_receipt_sizes=())
    with BankEmulator(dataset, access_ttl_s=ttl_s, early_refusal_s=early_s, latency_ms=40) as emu:
        config = emu.source_config(credentials=emu.oauth_credentials())

        output = run_read(config, ["transactions", "receipts", "receipt_index"])

        assert not output.errors, [e.trace.error.message for e in output.errors]
        assert set(reassemble(records_of(output, "receipts"))) == expected_receipt_ids(emu)
        assert emu.oauth.refreshes >= 2, "the sync outlived its first token"


def test_given_oauth_token_refused_once_when_read_then_refreshed_retried_and_complete():
    with BankEmulator(small_dataset()) as emu:
        emu.faults.add(r"^/v2/transactions", status=401, times=1)

        output = run_read(emu.source_config(credentials=emu.oauth_credentials()), ["transactions", "receipts"])

        assert not output.errors, [e.trace.error.message for e in output.errors]
        assert set(reassemble(records_of(output, "receipts"))) == expected_receipt_ids(emu)
        assert emu.oauth.refreshes == 2, "one refresh at the start, one forced by the 401"


def test_given_oauth_token_refused_twice_in_a_row_when_read_then_one_reauthorize_error():
    with BankEmulator(small_dataset()) as emu:
        emu.faults.add(r"^/v2/transactions", status=401, times=None)

        output = run_read(emu.source_config(credentials=emu.oauth_credentials()), ["transactions"], expect_failure=True)

        messages = {e.trace.error.message for e in output.errors if not e.trace.error.message.startswith("During the sync")}
        assert len(messages) == 1 and "re-authorize" in messages.pop()
        assert sum(1 for r in emu.requests if r.status == 401) <= 2 * NUM_WORKERS


# -- 3. rate windows and a 429 storm ---------------------------------------------------------------


def test_given_rate_windows_when_synced_then_paced_and_complete(monkeypatch, compressed_time):
    # Both windows, scaled alike on both sides: 30 requests / 0.1 s and 80 / 6 s.
    windows = ((30, 10.0), (80, 600.0))
    monkeypatch.setattr("source_bank_receipts.pacing.RATE_WINDOWS", ((28, 10.0), (76, 600.0)))
    with BankEmulator(small_dataset(receipts=30), rate_windows=windows, time_scale=compressed_time) as emu:
        output = run_read(emu.source_config(), ["transactions", "receipts"])

        assert not output.errors
        assert set(reassemble(records_of(output, "receipts"))) == expected_receipt_ids(emu)
        assert sum(1 for r in emu.requests if r.status == 429) <= 2, "the budget keeps the source under the windows"


def test_given_five_minute_429_storm_without_retry_after_when_backfill_then_delayed_not_failed(compressed_time):
    with BankEmulator(small_dataset()) as emu:
        storm = emu.faults.add(r"^/v2/transactions", status=429, duration_s=300 * compressed_time)

        output = run_read(emu.source_config(), ["transactions", "receipts"])

        assert not output.errors, [e.trace.error.message for e in output.errors]
        assert storm.hits > 6, "the storm outlasted one request's own retries"
        assert set(reassemble(records_of(output, "receipts"))) == expected_receipt_ids(emu)


# -- 4. a key revoked mid-sync --------------------------------------------------------------------


def test_given_key_revoked_after_accounts_listed_when_read_then_one_401_and_one_readable_config_error():
    with BankEmulator(make_sample_dataset(seed=24, accounts=4, closed_accounts=1, transactions=80, receipts=20, large_receipt_sizes=())) as emu:
        emu.faults.add(r"^/v2/transactions", status=401, times=None)

        output = run_read(emu.source_config(), ["bank_accounts", "transactions", "receipts", "receipt_index"], expect_failure=True)

        # Requests already in flight when the first 401 came may get one too; no new one is sent.
        refused = sum(1 for r in emu.requests if r.status == 401)
        assert refused <= NUM_WORKERS, f"{refused} 401s: calls went on after the first one"
        assert not any(r.status == 200 and r.path.startswith("/v2/transactions") for r in emu.requests)
        errors = [e.trace.error for e in output.errors if e.trace.error.failure_type == FailureType.config_error]
        assert errors and all("credentials.secret_key" in e.message for e in errors)
        assert len({e.message for e in errors if not e.message.startswith("During the sync")}) == 1
        for error in output.errors:
            text = (error.trace.error.message or "") + (error.trace.error.internal_message or "")
            assert "http://" not in text and "bank_account_id=" not in text and "Response (headers)" not in text
