"""Backfill and incremental syncs against the bank emulator (through the CDK entrypoint)."""

from __future__ import annotations

import copy

from .conftest import (
    START,
    expected_receipt_ids,
    expected_transaction_ids,
    last_states,
    reassemble,
    records_of,
    run_read,
)


def test_given_organization_when_backfill_then_every_dated_transaction_and_receipt_is_exported(emu):
    output = run_read(emu.source_config(start_date=START))

    assert not output.errors
    accounts = records_of(output, "bank_accounts")
    assert {a["id"] for a in accounts} == set(emu.dataset.accounts)
    assert any(a["status"] == "closed" for a in accounts)
    transactions = records_of(output, "transactions")
    assert {t["id"] for t in transactions} == expected_transaction_ids(emu)
    assert len(transactions) == len({t["id"] for t in transactions}), "no duplicates in a backfill"
    assert {"completed", "pending", "declined"} <= {t["status"] for t in transactions}
    files = reassemble(records_of(output, "receipts"))
    assert set(files) == expected_receipt_ids(emu)
    assert all(files[a] == emu.attachment_bytes(a) for a in files)
    index = records_of(output, "receipt_index")
    assert {r["attachment_id"] for r in index} == expected_receipt_ids(emu)
    assert all(r["download_url"] and r["download_url_expires_at"] and "content_base64" not in r for r in index)


def test_given_declined_transaction_with_receipt_when_synced_then_receipt_not_exported(emu):
    account = next(iter(emu.dataset.accounts))
    declined = emu.add_transaction(account, status="declined", emitted_at="2025-06-01T10:00:00.000Z", attachments=[{"file_name": "d.pdf", "content_type": "application/pdf", "size": 100}])

    output = run_read(emu.source_config(), ["transactions", "receipts", "receipt_index"])

    assert declined["id"] in {t["id"] for t in records_of(output, "transactions")}
    assert declined["id"] not in {r["transaction_id"] for r in records_of(output, "receipts")}
    assert declined["id"] not in {r["transaction_id"] for r in records_of(output, "receipt_index")}


def test_given_state_when_nothing_changed_then_second_read_returns_no_transaction_or_receipt(emu):
    config = emu.source_config()
    first = run_read(config, ["transactions", "receipts"])

    second = run_read(config, ["transactions", "receipts"], state=last_states(first))

    assert records_of(second, "transactions") == [] and records_of(second, "receipts") == []
    assert {s.stream.stream_descriptor.name for s in last_states(second)} == {"transactions", "receipts"}


def test_given_state_when_bank_changes_then_only_changes_arrive(emu):
    config = emu.source_config()
    first = run_read(config, ["transactions", "receipts"])
    ds = emu.dataset
    old = min((t for t in ds.transactions.values() if t.status == "completed" and not t.attachment_ids), key=lambda t: t.emitted_ms)
    pending = next(t for t in ds.transactions.values() if t.status == "pending" and t.attachment_ids)
    late = emu.add_attachment(old.id, file_name="late.pdf", content_type="application/pdf", size=2048)
    emu.settle(pending.id)
    new_account = emu.add_bank_account(name="Travel")
    fresh = emu.add_transaction(new_account["id"], status="completed", attachments=[{"file_name": "taxi.jpg", "content_type": "image/jpeg", "size": 4000}])

    second = run_read(config, ["transactions", "receipts"], state=last_states(first))

    changed = {t["id"]: t for t in records_of(second, "transactions")}
    assert set(changed) == {old.id, pending.id, fresh["id"]}
    assert changed[pending.id]["status"] == "completed" and changed[pending.id].get("settled_at")
    files = reassemble(records_of(second, "receipts"))
    assert set(files) == {late["id"], *pending.attachment_ids, *(a["id"] for a in fresh["attachments"])}
    assert files[late["id"]] == emu.attachment_bytes(late["id"])
    third = run_read(config, ["transactions", "receipts"], state=last_states(second))
    assert records_of(third, "transactions") == [] and records_of(third, "receipts") == []


def test_given_bank_account_filter_when_synced_then_only_those_accounts(emu):
    closed = next(a.id for a in emu.dataset.accounts.values() if a.status == "closed")

    output = run_read(emu.source_config(bank_account_ids=[closed]), ["bank_accounts", "transactions", "receipts"])

    assert [a["id"] for a in records_of(output, "bank_accounts")] == [closed]
    assert records_of(output, "transactions"), "a closed account's history is still read"
    assert {t["bank_account_id"] for t in records_of(output, "transactions")} == {closed}
    assert {r["bank_account_id"] for r in records_of(output, "receipts")} <= {closed}


def test_given_unknown_bank_account_id_when_read_then_config_error_lists_known_ids(emu):
    output = run_read(emu.source_config(bank_account_ids=["no-such-account"]), ["transactions"], expect_failure=True)

    assert "no-such-account" in output.errors[-1].trace.error.message or any("no-such-account" in e.trace.error.message for e in output.errors)


def test_given_later_start_date_when_synced_then_older_transactions_and_receipts_left_out(emu):
    output = run_read(emu.source_config(start_date="2025-07-01"), ["transactions", "receipts", "receipt_index"])

    assert {t["id"] for t in records_of(output, "transactions")} == expected_transaction_ids(emu, "2025-07-01")
    assert {r["attachment_id"] for r in records_of(output, "receipt_index")} == expected_receipt_ids(emu, "2025-07-01")
    assert all((r.get("settled_at") or r["emitted_at"]) >= "2025-07-01" for r in records_of(output, "receipts"))


def _without_ledger_rows_marker(states):
    """The states as 0.2.0 wrote them: the transactions state has no format marker."""
    out = copy.deepcopy(states)
    for message in out:
        blob = message.stream.stream_state
        (blob.__dict__ if hasattr(blob, "__dict__") else blob).pop("ledger_rows", None)
    return out


def test_given_a_transactions_state_written_by_0_2_0_when_read_then_every_transaction_once_more_and_receipts_unaffected(emu):
    config = emu.source_config()
    first = run_read(config, ["transactions", "receipts"])
    states = last_states(first)
    assert all(_state_of(s).get("ledger_rows") == 2 for s in states if s.stream.stream_descriptor.name == "transactions")

    upgraded = run_read(config, ["transactions", "receipts"], state=_without_ledger_rows_marker(states))

    assert {t["id"] for t in records_of(upgraded, "transactions")} == expected_transaction_ids(emu)
    assert records_of(upgraded, "receipts") == []          # only transactions are read again
    after = run_read(config, ["transactions", "receipts"], state=last_states(upgraded))
    assert records_of(after, "transactions") == [] and records_of(after, "receipts") == []


def _state_of(message) -> dict:
    blob = message.stream.stream_state
    return dict(blob.__dict__ if hasattr(blob, "__dict__") else blob)
