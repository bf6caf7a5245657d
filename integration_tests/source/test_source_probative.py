"""Probative (PAdES-sealed) copies: exported beside the originals when the option is on, checked,
and listed in receipt_index with their status."""

from __future__ import annotations

import io

import pytest

from integration_tests.emulators.bank import BankEmulator
from integration_tests.emulators.bank.dataset import BankDataset
from connector_runtime.seal_shape import seal_problem

from .conftest import reassemble, records_of, run_read

STATUSES = ("available", "pending", "unavailable", "corrupted")


@pytest.fixture
def bank():
    """One account, one completed transaction per probative status, one receipt each."""
    with BankEmulator(BankDataset()) as emulator:
        account = emulator.add_bank_account("Main", iban="FR7616958000010000000000099")["id"]
        for status in STATUSES:
            emulator.add_transaction(
                account, label=f"Shop {status}", emitted_at="2025-03-04T10:00:00.000Z",
                attachments=[{"file_name": f"{status}.pdf", "size": 4000, "probative": status}],
            )
        yield emulator


def _attachment(emu: BankEmulator, status: str):
    return next(a for a in emu.dataset.attachments.values() if a.probative_status == status)


def _probative_files(output) -> dict:
    return reassemble(records_of(output, "receipts"), variant="probative")


def test_given_copies_on_when_synced_then_each_available_copy_exported_once_signed_beside_its_original(bank):
    output = run_read(bank.source_config(probative_copies=True), ["receipts"])

    available = _attachment(bank, "available")
    sealed = _probative_files(output)
    assert list(sealed) == [available.id]
    assert sealed[available.id] == bank.probative.sealed(available)
    assert seal_problem(io.BytesIO(sealed[available.id]), len(sealed[available.id])) is None
    originals = reassemble(records_of(output, "receipts"))
    assert set(originals) == {a.id for a in bank.dataset.attachments.values()}
    copy = next(r for r in records_of(output, "receipts") if r["variant"] == "probative")
    assert copy["content_type"] == "application/pdf" and copy["file_name"] == "available.pdf"
    assert not output.errors


def test_given_copies_off_when_synced_then_nothing_probative_is_read_or_exported(bank):
    output = run_read(bank.source_config(), ["receipts", "receipt_index"])

    assert {r["variant"] for r in records_of(output, "receipts")} == {"original"}
    assert all(r.get("probative") is None for r in records_of(output, "receipt_index"))  # absent: the CDK drops nulls
    assert bank.count("/_s3/") == len(bank.dataset.attachments)  # originals only


def test_given_copies_on_when_index_read_then_each_receipt_carries_its_probative_status(bank):
    output = run_read(bank.source_config(probative_copies=True), ["receipt_index"])

    by_id = {r["attachment_id"]: r["probative"] for r in records_of(output, "receipt_index")}
    for status in STATUSES:
        entry = by_id[_attachment(bank, status).id]
        assert entry["status"] == status
        assert (entry.get("download_url") is not None) == (status == "available")
    available = by_id[_attachment(bank, "available").id]
    assert available["size"] == len(bank.probative.sealed(_attachment(bank, "available")))
    assert bank.count("/_s3/") == 0  # the index downloads nothing


def test_given_pending_copy_when_it_becomes_available_without_updated_at_bump_then_index_offers_it(bank):
    pending = _attachment(bank, "pending")
    updated_before = bank.dataset.transactions[pending.transaction_id].updated_ms

    bank.set_probative(pending.id, "available")
    output = run_read(bank.source_config(probative_copies=True), ["receipt_index"])

    assert bank.dataset.transactions[pending.transaction_id].updated_ms == updated_before
    entry = next(r["probative"] for r in records_of(output, "receipt_index") if r["attachment_id"] == pending.id)
    assert entry["status"] == "available" and entry["download_url"]


@pytest.mark.parametrize("fault", ["gate", "truncated", "unsigned"])
def test_given_faulty_probative_body_when_synced_then_copy_not_exported_and_one_warning(bank, fault):
    available = _attachment(bank, "available")
    bank.set_probative(available.id, "available", fault=fault)

    output = run_read(bank.source_config(probative_copies=True), ["receipts"])

    assert _probative_files(output) == {}
    assert set(reassemble(records_of(output, "receipts"))) == {a.id for a in bank.dataset.attachments.values()}
    warnings = [m.log.message for m in output.logs if m.log.level.value == "WARN" and "Sealed copy" in m.log.message]
    assert len(warnings) == 1 and available.id in warnings[0]
    assert "X-Amz" not in warnings[0]  # the signed URL is never logged
    assert not output.errors


def test_given_sandbox_gate_on_probative_url_when_synced_then_sync_goes_on_with_originals(bank):
    available = _attachment(bank, "available")
    bank.set_probative(available.id, "available", fault="gate")

    output = run_read(bank.source_config(probative_copies=True), ["receipts"])

    assert available.id in reassemble(records_of(output, "receipts"))


@pytest.mark.parametrize("bump", [False, True], ids=["updated_at unchanged", "updated_at bumped"])
def test_given_pending_copy_sealed_after_sync_when_next_incremental_sync_then_copy_offered_either_way(bank, bump):
    from .conftest import last_states

    config = bank.source_config(probative_copies=True)
    first = run_read(config, ["receipts", "receipt_index"])
    pending = _attachment(bank, "pending")

    bank.set_probative(pending.id, "available", bump=bump)
    second = run_read(config, ["receipts", "receipt_index"], state=last_states(first))

    index = next(r["probative"] for r in records_of(second, "receipt_index") if r["attachment_id"] == pending.id)
    assert index["status"] == "available" and index["download_url"]        # always: the destination files it
    in_receipts = pending.id in _probative_files(second)
    assert in_receipts == bump                                            # re-sent only when the bank bumps
