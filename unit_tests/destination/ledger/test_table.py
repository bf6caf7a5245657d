"""Ledger tables: CSV round trip, merge of changed rows (insert, update, move, delete), digest (pure)."""

import csv
import datetime
import io

import pytest

from destination_gdrive_receipts.ledger import missing, rows, table
from destination_gdrive_receipts.ledger.formats import locale

FR = locale("fr-FR")


def row(tx_id: str, day: int = 1, note: str = "") -> rows.Row:
    transaction = {"id": tx_id, "bank_account_id": "acc", "amount": 10, "currency": "EUR", "side": "debit",
                   "status": "completed", "settled_at": f"2025-03-{day:02d}T10:00:00Z", "note": note}
    return rows.build_row(transaction, day=datetime.date(2025, 3, day), loc=FR, file_ids={})


def test_given_rows_when_encoded_and_decoded_then_they_come_back_keyed_by_transaction_id():
    written = [row("t1", 1, note='with "quotes", commas\nand a line'), row("t2", 2)]
    parsed = table.decode(table.encode(written))
    assert parsed.readable and parsed.rows == {"t1": written[0], "t2": written[1]}


def test_given_a_user_moved_and_added_columns_when_decoded_then_cells_are_found_by_header():
    header, cells = list(csv.reader(io.StringIO(table.encode([row("t1")]).decode())))
    order = list(reversed(range(len(header))))
    out = io.StringIO()
    csv.writer(out).writerows([["My column"] + [header[i] for i in order], ["x"] + [cells[i] for i in order]])
    assert table.decode(out.getvalue().encode()).rows == {"t1": row("t1")}


@pytest.mark.parametrize("data, readable, count", [
    (b"", True, 0),
    (b"Date,Amount\r\n01/03/2025,10\r\n", False, 0),                  # the key column was deleted
    ("\ufeff" + table.encode([row("t1")]).decode(), True, 1),          # a byte-order mark
])
def test_given_odd_exports_when_decoded_then_readability_is_reported(data, readable, count):
    parsed = table.decode(data.encode() if isinstance(data, str) else data)
    assert (parsed.readable, len(parsed.rows)) == (readable, count)


def test_given_a_title_line_when_decoded_then_it_is_skipped():
    data = table.encode([row("t1")], title="Missing receipts · 1 transaction")
    assert list(table.decode(data).rows) == ["t1"]


CASES = {
    "insert": ({"t1": 1}, {"t2": 2}, (), ["t1", "t2"]),
    "update": ({"t1": 1, "t2": 2}, {"t1": 3}, (), ["t2", "t1"]),     # re-sorted by its new date
    "move-out": ({"t1": 1, "t2": 2}, {}, ("t1",), ["t2"]),
    "declined": ({"t1": 1}, {}, ("t1", "t9"), []),                   # unknown removals are harmless
    "upsert-wins": ({"t1": 1}, {"t1": 1}, ("t1",), ["t1"]),          # removed elsewhere, filed here
}


@pytest.mark.parametrize("existing, upserts, removals, expected", CASES.values(), ids=CASES.keys())
def test_given_changes_when_merged_then_the_ledger_keeps_every_other_row(existing, upserts, removals, expected):
    merged = table.merge({k: row(k, d) for k, d in existing.items()}, {k: row(k, d) for k, d in upserts.items()},
                         removals)
    assert [r.transaction_id for r in merged] == expected


def test_given_rows_when_merged_newest_first_then_order_is_reversed():
    merged = table.merge({"a": row("a", 1), "b": row("b", 5)}, {}, newest_first=True)
    assert [r.transaction_id for r in merged] == ["b", "a"]


def test_given_rows_when_digested_then_order_of_reading_does_not_matter_but_content_does():
    a, b = row("a", 1), row("b", 2)
    assert table.digest(table.merge({"a": a, "b": b}, {})) == table.digest(table.merge({"b": b}, {"a": a}))
    assert table.digest([a, b]) != table.digest([a, row("b", 2, note="edited")])
    assert table.digest([a]) != table.digest([a, b])
    assert len(table.digest([])) == 22


def test_given_missing_rows_when_summarised_then_counts_per_account_most_first():
    def entry(tx_id, account):
        return missing.build_row({"id": tx_id, "bank_account_id": account, "settled_at": "2025-03-01T10:00:00Z"},
                                 day=datetime.date(2025, 3, 1), loc=FR, account=account, period="2025-03",
                                 folder_id=None)
    counts = missing.per_account([entry("1", "Main"), entry("2", "Taxes"), entry("3", "Taxes")])
    assert counts == {"Taxes": 2, "Main": 1}
    assert missing.summary(counts) == "3 transactions still miss a receipt (Taxes: 2, Main: 1)"
    assert missing.summary({"Main": 1}) == "1 transaction still misses a receipt (Main: 1)"
    assert missing.summary({}) == "no transaction misses a receipt"
    assert entry("1", "Main").cells[missing.COLUMNS.index("Period folder")] == "2025-03 (folder deleted in Drive)"


def test_given_a_time_when_title_made_then_it_names_count_time_and_zone():
    now = datetime.datetime(2025, 3, 14, 9, 5)
    assert missing.title(3, now, FR, "Europe/Paris") == "Missing receipts · 3 transactions · updated 14/03/2025 09:05 (Europe/Paris)"


def test_given_ledger_written_before_probative_columns_when_decoded_then_rows_read_with_empty_copy_cells():
    header, cells = list(csv.reader(io.StringIO(table.encode([row("t1")]).decode())))
    keep = [i for i, name in enumerate(header) if not name.startswith("Probative")]
    out = io.StringIO()
    csv.writer(out).writerows([[header[i] for i in keep], [cells[i] for i in keep]])

    parsed = table.decode(out.getvalue().encode())

    assert parsed.readable and list(parsed.rows) == ["t1"]
    read = dict(zip(rows.COLUMNS, parsed.rows["t1"].cells))
    assert (read["Probative copy"], read["Probative status"]) == ("", "")
    assert read["Transaction id"] == "t1" and read["Receipt ids"] == ""
