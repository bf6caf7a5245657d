"""Sealed copies in the destination, pure parts: variants, names, identity markers, index records."""

from __future__ import annotations

import pytest

from destination_gdrive_receipts.drive.inventory import DriveTree, Entry
from destination_gdrive_receipts.filing.identity import filed_markers
from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.filing.assembly import ReceiptAssembler
from destination_gdrive_receipts.filing.variants import UnknownVariants, file_key, probative_index_record, variant_of

RECEIPT = {
    "attachment_id": "3f9a1c2e-0000-4000-8000-000000000000", "label": "Boulangerie", "amount": 12.5, "currency": "EUR",
    "settled_at": "2025-03-04T10:00:00Z", "bank_account_id": "acc", "file_name": "ticket.jpg", "content_type": "image/jpeg",
}
SEALED = {**RECEIPT, "variant": "probative", "file_name": "ticket.pdf", "content_type": "application/pdf"}


@pytest.mark.parametrize("record, variant, key", [
    ({"attachment_id": "a"}, "original", "a"),
    ({"attachment_id": "a", "variant": "original"}, "original", "a"),
    ({"attachment_id": "a", "variant": "probative"}, "probative", "a#probative"),
    ({"attachment_id": "a", "variant": None}, "original", "a"),
], ids=["no variant (older source)", "original", "probative", "null"])
def test_given_record_when_variant_read_then_one_key_per_file_and_original_keeps_bare_id(record, variant, key):
    assert variant_of(record) == variant
    assert file_key(record["attachment_id"], variant_of(record)) == key


@pytest.mark.parametrize("receipt, name", [
    (RECEIPT, "2025-03-04 Boulangerie 12.50 EUR 3f9a1c2e.jpg"),
    (SEALED, "2025-03-04 Boulangerie 12.50 EUR 3f9a1c2e (probative).pdf"),
    ({**SEALED, "label": "x" * 400}, None),
], ids=["original", "sealed copy", "long label"])
def test_given_sealed_copy_when_placed_then_named_like_its_original_plus_probative_in_same_folder(receipt, name):
    placed, original = layout.place(receipt), layout.place({**receipt, "variant": "original"})
    if name is not None:
        assert placed.file_name == name
    assert placed.file_name.endswith(" 3f9a1c2e (probative).pdf") or receipt is RECEIPT
    assert len(placed.file_name.encode()) <= 200
    assert (placed.account_folder_name, placed.period_key) == (original.account_folder_name, original.period_key)


@pytest.mark.parametrize("entry, expected", [
    (None, None),
    ({"status": "pending"}, None),
    ({"status": "corrupted"}, None),
    ({"status": "available"}, None),  # no URL: nothing to download
    ({"status": "available", "file_name": "t.pdf", "size": 9, "download_url": "https://x.s3.amazonaws.com/k",
      "download_url_expires_at": "2025-03-04T10:30:00.000Z"},
     {"variant": "probative", "file_name": "t.pdf", "content_type": "application/pdf", "size": 9,
      "download_url": "https://x.s3.amazonaws.com/k", "download_url_expires_at": "2025-03-04T10:30:00.000Z"}),
], ids=["copies off", "pending", "corrupted", "available without url", "available"])
def test_given_index_record_when_probative_entry_read_then_copy_indexed_only_when_available(entry, expected):
    record = {**RECEIPT, "size": 5, "download_url": "https://orig", "probative": entry}
    derived = probative_index_record(record)
    if expected is None:
        assert derived is None
    else:
        assert {k: derived[k] for k in expected} == expected
        assert derived["attachment_id"] == RECEIPT["attachment_id"] and "probative" not in derived


def test_given_original_and_sealed_copy_in_drive_when_looked_up_then_each_found_by_its_variant():
    tree = DriveTree("root", [
        Entry("f1", "a.jpg", "receipt", "p", markers=filed_markers("root", "att-1", sha256="s1")),
        Entry("f2", "a (probative).pdf", "receipt", "p", markers=filed_markers("root", "att-1", sha256="s2", variant="probative")),
    ])
    assert "var" not in filed_markers("root", "att-1", sha256="s1")  # originals' markers unchanged
    assert tree.receipt("att-1").id == "f1"
    assert tree.receipt("att-1", variant="probative").id == "f2"


def test_given_chunks_of_original_and_copy_interleaved_when_assembled_then_two_files():
    def chunk(variant, index, data):
        import base64, hashlib
        whole = {"original": b"AAAABBBB", "probative": b"%PDF-CCCCDDDD"}[variant]
        return {"attachment_id": "att", "variant": variant, "chunk_index": index, "chunk_count": 2, "size": len(whole),
                "sha256": hashlib.sha256(whole).hexdigest(), "content_base64": base64.b64encode(data).decode()}

    with ReceiptAssembler() as assembler:
        assert assembler.add(chunk("original", 0, b"AAAA")) is None
        assert assembler.add(chunk("probative", 0, b"%PDF-CCCC")) is None
        original = assembler.add(chunk("original", 1, b"BBBB"))
        sealed = assembler.add(chunk("probative", 1, b"DDDD"))
        assert original.size == 8 and sealed.size == 13
        assert sealed.metadata["variant"] == "probative"
        original.close(), sealed.close()


def test_given_unknown_variant_when_received_then_left_out_with_one_warning(caplog):
    unknown = UnknownVariants()
    with caplog.at_level("WARNING"):
        results = [unknown.known({"variant": v}) for v in ("original", "probative", "xml-invoice", "xml-invoice")]
    assert results == [True, True, False, False]
    assert unknown.ignored == 2
    assert len([r for r in caplog.records if "xml-invoice" in r.getMessage()]) == 1


@pytest.mark.parametrize("statuses, line", [
    ({}, ""),
    ({"available": 40, "pending": 2, "unavailable": 3, "corrupted": 1},
     "Sealed copies at the bank: 40 available, 3 not produced by the bank, 2 pending at the bank, 1 corrupted at the bank"),
], ids=["copies off", "mixed"])
def test_given_index_statuses_when_summarised_then_one_line_in_the_ledgers_words(statuses, line):
    from destination_gdrive_receipts.filing.variants import sealed_statuses_line

    assert sealed_statuses_line(statuses) == line
