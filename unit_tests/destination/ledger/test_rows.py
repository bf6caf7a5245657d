"""Row building: receipt status rules, dates in the time zone, amounts, links, user text (pure)."""

import datetime

import pytest

from destination_gdrive_receipts.ledger import rows
from destination_gdrive_receipts.ledger.formats import locale

FR = locale("fr-FR")


def tx(**fields) -> dict:
    base = {"id": "tx-1", "bank_account_id": "acc", "amount": 12.5, "currency": "EUR", "side": "debit",
            "status": "completed", "settled_at": "2025-03-14T10:00:00Z", "emitted_at": "2025-03-14T09:00:00Z",
            "label": "ACME", "attachment_ids": [], "attachment_required": True, "attachment_lost": False}
    return {**base, **fields}


@pytest.mark.parametrize("fields, status", [
    ({"attachment_ids": ["a1"]}, rows.PRESENT),
    ({"attachment_ids": ["a1"], "attachment_lost": True}, rows.PRESENT),        # found after all
    ({}, rows.MISSING),
    ({"attachment_lost": True}, rows.LOST),
    ({"attachment_lost": True, "attachment_required": False}, rows.LOST),
    ({"attachment_required": False}, rows.NOT_REQUIRED),
    ({"attachment_required": None}, rows.NOT_REQUIRED),                         # unknown is not "missing"
    ({"attachment_ids": None}, rows.MISSING),
], ids=["attached", "attached-despite-lost", "required-none", "lost", "lost-not-required", "not-required",
        "unknown-required", "null-ids"])
def test_given_transaction_when_status_computed_then_the_rule_holds(fields, status):
    assert rows.receipt_status(tx(**fields)) == status


@pytest.mark.parametrize("status, void", [("declined", True), ("DECLINED", True), ("reversed", True), ("Reversed", True),
                                          ("completed", False), ("pending", False), ("refunded", False), (None, False)])
def test_given_status_when_checked_then_only_declined_and_reversed_are_out(status, void):
    assert rows.is_void({"status": status}) is void


def cells(row) -> dict:
    return dict(zip(rows.COLUMNS, row.cells))


@pytest.mark.parametrize("fields, loc, expected", [
    ({}, "fr-FR", {"Date": "14/03/2025", "Amount": "-12,50", "Side": "debit"}),
    ({"side": "credit", "amount": 1200}, "en-US", {"Date": "03/14/2025", "Amount": "1200.00"}),
    ({"currency": "JPY", "amount": 1500}, "iso", {"Date": "2025-03-14", "Amount": "-1500"}),
    ({"currency": "kwd", "amount": "1.25"}, "de-DE", {"Date": "14.03.2025", "Amount": "-1,250", "Currency": "KWD"}),
    ({"vat_amount": 2.08, "vat_rate": 20.0}, "fr-FR", {"VAT amount": "2,08", "VAT rate": "20"}),
    ({"vat_rate": 5.5}, "en-GB", {"VAT rate": "5.5", "VAT amount": ""}),
    ({"amount": "abc"}, "fr-FR", {"Amount": "abc"}),
    ({"clean_counterparty_name": "Acme SAS"}, "fr-FR", {"Counterparty": "Acme SAS"}),
    ({"label": "=HYPERLINK(\"http://x\")"}, "fr-FR", {"Counterparty": "'=HYPERLINK(\"http://x\")"}),
    ({"note": "+33 1 23"}, "fr-FR", {"Note": "'+33 1 23"}),
    ({"note": 'line 1\nline\t2 "quoted" a/b\x00'}, "fr-FR", {"Note": 'line 1 line 2 "quoted" a/b'}),
    ({"status": "pending", "settled_at": None}, "fr-FR", {"Payment status": "pending"}),
], ids=["fr", "us-credit", "iso-yen", "de-dinar", "vat", "vat-rate-only", "odd-amount", "clean-name",
        "formula-label", "formula-note", "multi-line-note", "pending"])
def test_given_transaction_when_row_built_then_cells_are_formatted_for_the_locale(fields, loc, expected):
    row = rows.build_row(tx(**fields), day=datetime.date(2025, 3, 14), loc=locale(loc), file_ids={})
    assert {k: cells(row)[k] for k in expected} == expected


def test_given_receipts_in_drive_when_row_built_then_each_links_to_its_file_and_absent_ones_do_not():
    row = rows.build_row(tx(attachment_ids=["a1", "a2", "a3"]), day=datetime.date(2025, 3, 14), loc=FR,
                         file_ids={"a1": "F1", "a2": None, "a3": "F3"})
    assert cells(row)["Receipt"] == "https://drive.google.com/file/d/F1/view"
    assert cells(row)["More receipts"] == "https://drive.google.com/file/d/F3/view"
    assert cells(row)["Receipt ids"] == "a1 a2 a3"


def test_given_same_transaction_when_built_twice_then_the_check_is_equal_and_any_change_moves_it():
    day = datetime.date(2025, 3, 14)
    first = rows.build_row(tx(), day=day, loc=FR, file_ids={})
    assert rows.build_row(tx(), day=day, loc=FR, file_ids={}).check == first.check
    assert rows.build_row(tx(note="x"), day=day, loc=FR, file_ids={}).check != first.check
    assert first.sort_key == "20250314T100000"


def test_given_a_row_read_back_when_relinked_then_it_is_unchanged_unless_a_link_changed():
    row = rows.build_row(tx(attachment_ids=["a1"]), day=datetime.date(2025, 3, 14), loc=FR, file_ids={"a1": "F1"})
    assert rows.relink(row, {"a1": "F1"}) is row
    moved = rows.relink(row, {"a1": "F2"})
    assert cells(moved)["Receipt"].endswith("/F2/view") and moved.check != row.check
    assert moved.sort_key == row.sort_key


def test_given_a_csv_row_read_back_when_its_sealed_copy_changed_then_only_then_its_probative_cells_are_rewritten():
    day, before = datetime.date(2025, 3, 14), {"a1": rows.SealedCopy("pending")}
    row = rows.build_row(tx(attachment_ids=["a1"]), day=day, loc=FR, file_ids={"a1": "F1"}, sealed=before)
    assert rows.relink(row, {"a1": "F1"}, before) is row
    assert rows.relink(row, {"a1": "F1"}) is row                    # no statuses given: cells left as they are
    filed = rows.relink(row, {"a1": "F1"}, {"a1": rows.SealedCopy("available", "S1")})
    assert (cells(filed)["Probative copy"], cells(filed)["Probative status"]) == (rows.receipt_link("S1"), "sealed copy")
    assert filed.check != row.check and filed.sort_key == row.sort_key


@pytest.mark.parametrize("stamp, key", [("2025-03-31T22:30:00Z", "20250331T223000"),
                                        ("2025-04-01T00:30:00+02:00", "20250331T223000"), (None, "0"),
                                        ("garbage", "0")])
def test_given_filing_time_when_sort_key_made_then_it_is_utc(stamp, key):
    assert rows.sort_stamp({"settled_at": stamp}) == key


S = rows.SealedCopy


@pytest.mark.parametrize("attachment_ids, sealed, links, status", [
    (["a1"], None, "", ""),
    (["a1"], {"a1": S("available", "P1")}, "https://drive.google.com/file/d/P1/view", "sealed copy"),
    (["a1"], {"a1": S("pending")}, "", "pending at the bank"),
    (["a1"], {"a1": S("unavailable")}, "", "not produced by the bank"),
    (["a1"], {"a1": S("corrupted")}, "", "corrupted at the bank"),
    (["a1"], {"a1": S("available")}, "", "sealed copy, not filed yet"),
    (["a1"], {"a1": S(None)}, "", ""),
    (["a1", "a2"], {"a1": S("available", "P1"), "a2": S("available", "P2")},
     "https://drive.google.com/file/d/P1/view https://drive.google.com/file/d/P2/view", "sealed copy"),
    (["a1", "a2"], {"a1": S("available", "P1"), "a2": S("pending")},
     "https://drive.google.com/file/d/P1/view", "sealed copy; pending at the bank"),
    ([], {}, "", ""),
], ids=["copies off", "sealed", "pending", "unavailable", "corrupted", "available not filed", "no status",
        "two sealed", "mixed", "no receipt"])
def test_given_probative_statuses_when_row_built_then_copy_links_and_status_cells(attachment_ids, sealed, links, status):
    row = rows.build_row(tx(attachment_ids=attachment_ids), day=datetime.date(2025, 3, 14), loc=FR,
                         file_ids={}, sealed=sealed)
    assert (cells(row)["Probative copy"], cells(row)["Probative status"]) == (links, status)
    assert row.transaction_id == cells(row)["Transaction id"] and row.cells[-2] == " ".join(attachment_ids)


def test_given_probative_status_changes_when_row_rebuilt_then_the_check_moves():
    day = datetime.date(2025, 3, 14)
    pending = rows.build_row(tx(attachment_ids=["a1"]), day=day, loc=FR, file_ids={}, sealed={"a1": S("pending")})
    sealed = rows.build_row(tx(attachment_ids=["a1"]), day=day, loc=FR, file_ids={}, sealed={"a1": S("available", "P1")})
    assert pending.check != sealed.check
