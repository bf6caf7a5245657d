"""The bank emulator's probative copies: real PAdES seals, statuses, URLs and fault bodies."""

from __future__ import annotations

import io

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator
from integration_tests.emulators.bank.dataset import BankDataset


@pytest.fixture
def bank():
    with BankEmulator(BankDataset()) as emulator:
        account = emulator.add_bank_account("Main", iban="FR7616958000010000000000098")["id"]
        emulator.add_transaction(account, emitted_at="2025-03-04T10:00:00.000Z",
                                 attachments=[{"file_name": "ticket.jpg", "content_type": "image/jpeg", "size": 3000, "probative": "pending"}])
        yield emulator


def _attachment_json(emu: BankEmulator) -> dict:
    att_id = next(iter(emu.dataset.attachments))
    return requests.get(f"{emu.url}/v2/attachments/{att_id}", headers=emu.auth_headers(), timeout=10).json()["attachment"]


def test_given_pending_copy_when_sealing_done_then_available_with_own_fields_and_updated_at_unchanged(bank):
    txn = next(iter(bank.dataset.transactions.values()))
    before = txn.updated_ms
    assert _attachment_json(bank)["probative_attachment"] == {"status": "pending"}

    bank.set_probative(next(iter(bank.dataset.attachments)), "available")

    probative = _attachment_json(bank)["probative_attachment"]
    assert probative["status"] == "available" and probative["file_name"] == "ticket.pdf"
    assert probative["file_content_type"] == "application/pdf" and probative["file_size"].isdigit()
    assert "X-Amz-Expires=1800" in probative["url"]
    assert txn.updated_ms == before


def test_given_available_copy_when_downloaded_then_pades_seal_verifies_with_pyhanko(bank):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    bank.set_probative(next(iter(bank.dataset.attachments)), "available")
    probative = _attachment_json(bank)["probative_attachment"]
    body = requests.get(probative["url"], timeout=10).content

    assert len(body) == int(probative["file_size"])
    signature = PdfFileReader(io.BytesIO(body)).embedded_signatures[0]
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(signature)
    assert status.intact and status.valid and not status.trusted  # a test certificate: nobody trusts it


def test_given_original_url_when_used_for_the_copy_then_refused_like_s3(bank):
    bank.set_probative(next(iter(bank.dataset.attachments)), "available")
    attachment = _attachment_json(bank)
    forged = attachment["url"].replace("/ticket.jpg?", "/probative/ticket.pdf?")

    assert requests.get(forged, timeout=10).status_code == 403


@pytest.mark.parametrize("fault, check", [
    ("gate", lambda r, size: r.headers["Content-Type"].startswith("text/html")),
    ("truncated", lambda r, size: len(r.content) < size),
    ("unsigned", lambda r, size: r.content.startswith(b"%PDF") and b"/ByteRange" not in r.content),
])
def test_given_probative_fault_when_downloaded_then_the_faulty_body_is_served(bank, fault, check):
    bank.set_probative(next(iter(bank.dataset.attachments)), "available", fault=fault)
    probative = _attachment_json(bank)["probative_attachment"]

    assert check(requests.get(probative["url"], timeout=10), int(probative["file_size"]))
