"""Receipt downloads: large files, expired URLs, transient failures, and a download that keeps failing."""

from __future__ import annotations

import pytest

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset

from .conftest import last_states, reassemble, records_of, run_read


def _account_with_large_receipt(emu):
    ds = emu.dataset
    large = max(ds.attachments.values(), key=lambda a: a.size)
    return large, ds.transactions[large.transaction_id].bank_account_id


def test_given_9_mib_receipt_when_synced_then_chunks_reassemble_byte_identical(emu):
    large, account = _account_with_large_receipt(emu)
    assert large.size == 9 * MiB

    output = run_read(emu.source_config(bank_account_ids=[account]), ["receipts"])

    chunks = [r for r in records_of(output, "receipts") if r["attachment_id"] == large.id]
    assert [c["chunk_index"] for c in chunks] == [0, 1, 2, 3] and {c["chunk_count"] for c in chunks} == {4}
    assert all(len(c["content_base64"]) <= 4_000_000 for c in chunks)
    assert reassemble(chunks)[large.id] == emu.attachment_bytes(large.id)


def test_given_expired_download_url_when_synced_then_fresh_url_fetched_and_file_exported(emu):
    large, account = _account_with_large_receipt(emu)
    emu.faults.add(r"/_s3/", status=403, times=1)

    output = run_read(emu.source_config(bank_account_ids=[account]), ["receipts"])

    assert not output.errors
    assert emu.count("/v2/attachments/") >= 1
    files = reassemble(records_of(output, "receipts"))
    assert all(files[a] == emu.attachment_bytes(a) for a in files)


def test_given_urls_close_to_expiry_when_synced_then_refreshed_before_download():
    dataset = make_sample_dataset(seed=3, accounts=1, closed_accounts=0, transactions=20, receipts=5, large_receipt_sizes=())
    with BankEmulator(dataset, url_ttl_s=120) as emu:
        output = run_read(emu.source_config(), ["receipts"])

        assert not output.errors
        assert emu.count("/v2/attachments/") == 5
        assert len(reassemble(records_of(output, "receipts"))) == 5


@pytest.mark.parametrize("fault", [{"status": 503}, {"reset": True}, {"status": 429, "retry_after": 1}], ids=["5xx", "reset", "429"])
def test_given_transient_download_failure_when_synced_then_retried_and_file_intact(emu, fault):
    large, account = _account_with_large_receipt(emu)
    emu.faults.add(r"/_s3/", times=1, **fault)

    output = run_read(emu.source_config(bank_account_ids=[account]), ["receipts"])

    assert not output.errors
    files = reassemble(records_of(output, "receipts"))
    assert files[large.id] == emu.attachment_bytes(large.id)


def test_given_download_that_keeps_failing_when_synced_then_sync_fails_clearly_and_state_stays_before_it(emu):
    ds = emu.dataset
    account = next(a.id for a in ds.accounts.values() if a.main)
    receipts = sorted(
        (a for a in ds.attachments.values() if ds.transactions[a.transaction_id].bank_account_id == account and ds.transactions[a.transaction_id].status == "completed"),
        key=lambda a: ds.transactions[a.transaction_id].updated_ms,
    )
    broken = receipts[len(receipts) // 2]
    broken_updated_ms = ds.transactions[broken.transaction_id].updated_ms
    emu.faults.add(rf"/_s3/{broken.id}", status=403, times=None)
    config = emu.source_config(bank_account_ids=[account])

    failed = run_read(config, ["receipts"], expect_failure=True)

    message = " ".join(e.trace.error.message for e in failed.errors)
    assert broken.id in message and "Could not download receipt" in message
    assert "X-Amz-Signature" not in message and "X-Amz-Signature" not in " ".join(l.log.message for l in failed.logs)
    states = last_states(failed)
    cursor = states[0].stream.stream_state.states[0]["cursor"]["updated_at"] if states and states[0].stream.stream_state.states else None
    if cursor is not None:
        from source_bank_receipts.dates import parse_ts

        assert parse_ts(cursor).timestamp() * 1000 < broken_updated_ms, "state must not pass the failed receipt"
    emu.faults.clear()
    resumed = run_read(config, ["receipts"], state=states or None)
    assert broken.id in reassemble(records_of(resumed, "receipts"))


def test_given_attachment_deleted_at_the_bank_when_its_url_fails_then_skipped_not_failed(emu):
    large, account = _account_with_large_receipt(emu)
    emu.faults.add(rf"/_s3/{large.id}", status=403, times=1)
    emu.faults.add(rf"/v2/attachments/{large.id}", status=404, times=1)

    output = run_read(emu.source_config(bank_account_ids=[account]), ["receipts"])

    assert not output.errors
    assert large.id not in {r["attachment_id"] for r in records_of(output, "receipts")}


def test_given_url_refresh_answered_without_the_attachment_when_synced_then_sync_fails_instead_of_skipping(emu):
    # Only a 404 says a receipt was deleted; any other answer without the attachment must not
    # let the cursor move past it.
    large, account = _account_with_large_receipt(emu)
    emu.faults.add(rf"/_s3/{large.id}", status=403, times=1)
    emu.faults.add(rf"/v2/attachments/{large.id}", status=200, times=None)

    failed = run_read(emu.source_config(bank_account_ids=[account]), ["receipts"], expect_failure=True)

    message = " ".join(e.trace.error.message for e in failed.errors)
    assert large.id in message
    assert large.id not in {r["attachment_id"] for r in records_of(failed, "receipts")}
    emu.faults.clear()
    resumed = run_read(emu.source_config(bank_account_ids=[account]), ["receipts"], state=last_states(failed) or None)
    assert reassemble(records_of(resumed, "receipts"))[large.id] == emu.attachment_bytes(large.id)
