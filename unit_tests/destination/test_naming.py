"""File names safe on every OS: table-driven, no I/O."""

import unicodedata

import pytest

from destination_gdrive_receipts.filing.naming import (
    clean_text,
    extension_for,
    render_name,
    safe_file_name,
    short_id,
    split_extension,
    truncate_utf8,
)

WINDOWS_FORBIDDEN = set('/\\:*?"<>|')
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)), *(f"LPT{n}" for n in range(1, 10))}


def assert_portable(name: str, max_bytes: int = 200) -> None:
    assert name, "empty name"
    assert not WINDOWS_FORBIDDEN & set(name), name
    assert not any(unicodedata.category(c) == "Cc" for c in name), repr(name)
    assert name == name.rstrip(" ."), repr(name)
    assert not name.startswith((".", " ")), repr(name)
    assert name.split(".", 1)[0].upper() not in WINDOWS_RESERVED, name
    assert len(name.encode("utf-8")) <= max_bytes
    name.encode("utf-8").decode("utf-8")  # whole characters only


@pytest.mark.parametrize(
    "stem, extension, expected",
    [
        ("2024-04-03 ACME 12.50 EUR ab12cd34", "pdf", "2024-04-03 ACME 12.50 EUR ab12cd34.pdf"),
        ("Orange/SFR", "pdf", "Orange-SFR.pdf"),
        (r"C:\temp\x", "pdf", "C--temp-x.pdf"),
        ('a*b?c"d<e>f|g', "png", "a_b_c'd_e_f-g.png"),
        ("line\nbreak\ttab\x00nul\x7fdel", "pdf", "line break tab nul del.pdf"),
        ("many     spaces", "pdf", "many spaces.pdf"),
        ("trailing dots...", "pdf", "trailing dots.pdf"),
        ("trailing space   ", "", "trailing space"),
        ("...hidden", "pdf", "hidden.pdf"),
        ("CON", "pdf", "CON_.pdf"),
        ("nul", "txt", "nul_.txt"),
        ("com1", "", "com1_"),
        ("LPT9.tar", "gz", "LPT9_.tar.gz"),
        ("CONSOLE", "pdf", "CONSOLE.pdf"),
        ("", "pdf", "receipt.pdf"),
        ("  ..  ", "pdf", "receipt.pdf"),
        ("\x01\x02", "", "receipt"),
        ("Café 🍕 Noël", "jpg", "Café 🍕 Noël.jpg"),
        ("invoice\u202efdp.exe", "pdf", "invoicefdp.exe.pdf"),
        ("x", "PDF", "x.pdf"),
        ("x", ".pdf", "x.pdf"),
        ("x", "p/d", "x"),
        ("x", "toolongextension", "x"),
    ],
    ids=[
        "plain", "slash", "backslash-colon", "windows-punctuation", "control-characters", "space-runs",
        "trailing-dots", "trailing-space-no-extension", "leading-dots", "reserved-CON", "reserved-nul-lowercase",
        "reserved-com1-no-extension", "reserved-with-inner-dot", "reserved-prefix-is-fine", "empty-stem",
        "only-dots", "only-controls", "accents-and-emoji", "bidi-override-removed", "extension-lowercased",
        "extension-dot-stripped", "unsafe-extension-dropped", "long-extension-dropped",
    ],
)
def test_safe_file_name(stem, extension, expected):
    name = safe_file_name(stem, extension)
    assert name == expected
    assert_portable(name)


def test_decomposed_accents_are_composed_so_names_compare_equal_across_systems():
    assert safe_file_name("Cafe\u0301", "pdf") == "Caf\u00e9.pdf"


@pytest.mark.parametrize(
    "stem, max_bytes",
    [("é" * 300, 200), ("🍕" * 300, 200), ("a" * 300, 200), ("aé🍕" * 100, 37), ("x" * 10, 6)],
    ids=["two-byte-chars", "four-byte-emoji", "ascii", "mixed-odd-bound", "tiny-bound"],
)
def test_long_stems_are_cut_between_characters_within_the_bound(stem, max_bytes):
    name = safe_file_name(stem, "pdf", max_bytes)
    assert name.endswith(".pdf")
    assert max_bytes - 4 <= len(name.encode("utf-8")) <= max_bytes
    assert stem.startswith(name[:-4])
    assert_portable(name, max_bytes)


def test_cut_does_not_leave_a_dangling_joiner():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    cut = truncate_utf8(family, len("\U0001F468\u200d".encode()))
    assert cut == "\U0001F468"


def test_a_bound_smaller_than_the_extension_is_refused():
    with pytest.raises(ValueError, match="max_bytes=4"):
        safe_file_name("x", "pdf", 4)


@pytest.mark.parametrize(
    "content_type, original, expected",
    [
        ("application/pdf", "scan", "pdf"),
        ("application/pdf; charset=binary", "scan", "pdf"),
        ("APPLICATION/PDF", "scan.txt", "pdf"),
        ("image/jpeg", "photo.jpeg", "jpg"),
        ("image/png", None, "png"),
        ("image/heic", "IMG_1.HEIC", "heic"),
        ("image/webp", "", "webp"),
        ("image/gif", "", "gif"),
        ("image/tiff", "", "tiff"),
        ("application/octet-stream", "facture.PDF", "pdf"),
        ("application/x-unknown", "archive.7z", "7z"),
        (None, "notes.md", "md"),
        ("application/octet-stream", "no extension", ""),
        ("application/octet-stream", "Facture 2024.03", ""),
        ("application/octet-stream", "weird.p/df", ""),
        ("application/octet-stream", "long.abcdefghijk", ""),
        ("application/octet-stream", ".bashrc", ""),
        ("", None, ""),
    ],
    ids=[
        "pdf", "pdf-with-parameter", "type-wins-over-name", "jpeg-is-jpg", "png-no-name", "heic", "webp", "gif",
        "tiff", "unknown-type-uses-name", "unknown-type-uses-name-digits-letters", "no-type-uses-name",
        "unknown-type-no-extension", "digits-only-is-not-an-extension", "unsafe-name-extension",
        "too-long-name-extension", "dotfile-has-no-extension", "nothing-known",
    ],
)
def test_extension_for(content_type, original, expected):
    assert extension_for(content_type, original) == expected


@pytest.mark.parametrize(
    "name, expected",
    [("facture.pdf", ("facture", "pdf")), ("a/b.PDF", ("a/b", "pdf")), ("a.b/c", ("a.b/c", "")), ("x", ("x", ""))],
    ids=["simple", "slash-in-stem", "dot-before-slash", "no-extension"],
)
def test_split_extension(name, expected):
    assert split_extension(name) == expected


@pytest.mark.parametrize(
    "attachment_id, expected",
    [("ea54f563-eaee-4dcb-b08e-688dc9937d23", "ea54f563"), ("EA54F563EAEE4DCBB08E688DC9937D23", "ea54f563")],
    ids=["uuid", "uuid-without-dashes-uppercase"],
)
def test_short_id_of_uuid_is_its_first_group(attachment_id, expected):
    assert short_id(attachment_id) == expected


def test_short_ids_of_non_uuid_ids_with_a_common_prefix_differ():
    ids = [f"attachment-{n}" for n in range(1000)]
    shorts = {short_id(i) for i in ids}
    assert len(shorts) == 1000
    assert all(len(s) == 8 and s.isalnum() for s in shorts)


def test_clean_text_treats_none_as_empty():
    assert clean_text(None) == ""


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"label": "x" * 300, "id": "ab12cd34"}, "x" * (200 - len(" ab12cd34.pdf") - 3) + "… ab12cd34.pdf"),
        ({"label": "🍕" * 100, "id": "ab12cd34"}, "🍕" * 46 + "… ab12cd34.pdf"),
        ({"label": "short", "id": "ab12cd34"}, "short ab12cd34.pdf"),
    ],
    ids=["ascii-label-shortened", "emoji-label-shortened-whole-characters", "fits"],
)
def test_render_name_shortens_free_text_and_keeps_the_short_id(values, expected):
    name = render_name("{label} {id}", values, ("label",), "pdf")
    assert name == expected
    assert_portable(name)


def test_render_name_shortens_the_longest_free_text_first():
    values = {"label": "L" * 150, "original_name": "O" * 150, "id": "ab12cd34"}
    name = render_name("{label} {original_name} {id}", values, ("label", "original_name"), "pdf")
    label, original, rest = name.split(" ")
    assert rest == "ab12cd34.pdf"
    assert abs(len(label) - len(original)) <= 3
    assert len(name.encode()) <= 200
