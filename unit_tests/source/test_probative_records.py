"""Sealed copies, pure parts: the signature shape check and the record fields (table-driven)."""

from __future__ import annotations

import io

import pytest

from source_bank_receipts.records import probative_download, probative_index_entry, variant_metadata
from connector_runtime.seal_shape import seal_problem



def _signed_pdf() -> bytes:
    head = b"%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /Contents "
    gap = b"<" + b"0" * 16 + b">"
    tail_template = b" /ByteRange [0 %d %d %d] >>\nendobj\ntrailer\n<< >>\n%%%%EOF\n"
    first = len(head)
    second = first + len(gap)
    tail = tail_template % (first, second, 0)
    tail = tail_template % (first, second, len(tail))
    assert len(tail) == len(tail_template % (first, second, len(tail)))
    return head + gap + tail


@pytest.mark.parametrize(
    "body, problem",
    [
        (_signed_pdf(), None),
        (b"<!DOCTYPE html><html><body>Login</body></html>", "not a PDF"),
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Page >>\nendobj\n%%EOF\n", "a PDF without signature (no /ByteRange)"),
        (_signed_pdf()[:-20], "a PDF cut short (no %%EOF at its end)"),
        (_signed_pdf().replace(b"/Contents ", b"/Foo      "), "a PDF whose /ByteRange does not frame its signature (altered or cut short)"),
    ],
    ids=["signed", "web page", "unsigned", "cut short", "range frames no signature"],
)
def test_given_body_when_shape_checked_then_only_a_whole_signed_pdf_passes(body, problem):
    assert seal_problem(io.BytesIO(body), len(body)) == problem


@pytest.mark.parametrize(
    "probative, expected",
    [
        ({"status": "available", "file_name": "s.pdf", "file_content_type": "application/pdf", "file_size": "666", "url": "https://x/y"},
         {"id": "a1", "file_name": "s.pdf", "file_content_type": "application/pdf", "file_size": "666", "url": "https://x/y"}),
        ({"status": "available"}, {"id": "a1", "file_name": "r.png.pdf", "file_content_type": "application/pdf", "file_size": None, "url": None}),
        ({"status": "pending"}, None),
        ({"status": "unavailable"}, None),
        ({"status": "corrupted"}, None),
        (None, None),
        ("available", None),
    ],
    ids=["available", "available without fields", "pending", "unavailable", "corrupted", "absent", "not an object"],
)
def test_given_probative_attachment_when_read_then_download_only_when_available(probative, expected):
    assert probative_download({"id": "a1", "file_name": "r.png", "probative_attachment": probative}) == expected


@pytest.mark.parametrize(
    "probative, expected",
    [
        ({"status": "pending"}, {"status": "pending"}),
        ({"status": "corrupted"}, {"status": "corrupted"}),
        (None, {"status": None}),
        ({"status": "available", "file_name": "s.pdf", "file_size": "12", "url": "https://x/y"},
         {"status": "available", "file_name": "s.pdf", "content_type": "application/pdf", "size": 12, "download_url": "https://x/y",
          "download_url_expires_at": "1970-01-01T00:30:00.000Z"}),
    ],
    ids=["pending", "corrupted", "absent", "available"],
)
def test_given_attachment_when_indexed_then_probative_entry_says_status_and_how_to_fetch(probative, expected):
    assert probative_index_entry({"id": "a1", "file_name": "r", "probative_attachment": probative}, 1800.0) == expected


def test_given_sealed_copy_when_metadata_built_then_own_name_and_type_and_same_attachment_id():
    metadata = {"attachment_id": "a1", "file_name": "photo.jpg", "content_type": "image/jpeg"}
    sealed = variant_metadata(metadata, {"file_name": "photo.pdf", "file_content_type": "application/pdf"}, "probative")
    original = variant_metadata(metadata, {}, "original")
    assert sealed == {"attachment_id": "a1", "file_name": "photo.pdf", "content_type": "application/pdf", "variant": "probative"}
    assert original == {**metadata, "variant": "original"}
