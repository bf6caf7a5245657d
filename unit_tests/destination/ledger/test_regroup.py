"""A change of `period`: former periods' ledger rows carried into the new periods (pure)."""

import datetime

import pytest

from destination_gdrive_receipts.ledger.columns import LEDGER_COLUMNS, Facts
from destination_gdrive_receipts.ledger.regroup import as_transaction, is_foreign, period_start
from destination_gdrive_receipts.ledger.typed import build


@pytest.mark.parametrize("key, period, foreign", [
    ("2025-04", "month", False), ("2025-04", "quarter", True), ("2025-Q2", "quarter", False),
    ("2025-Q2", "year", True), ("2025", "year", False), ("2025", "month", True), ("notes", "month", False)])
def test_given_a_period_key_when_checked_against_the_setting_then_only_other_settings_are_foreign(
        key, period, foreign):
    assert is_foreign(key, period) is foreign


@pytest.mark.parametrize("key, start", [("2025-04", datetime.date(2025, 4, 1)), ("2025-Q3", datetime.date(2025, 7, 1)),
                                        ("2025", datetime.date(2025, 1, 1)), ("2025-13x", None)])
def test_given_a_period_key_when_its_start_is_asked_then_it_is_its_first_day(key, start):
    assert period_start(key) == start


def test_given_a_row_read_back_typed_when_rebuilt_then_its_values_are_the_same():
    tx = {"id": "tx-1", "amount": 721.28, "currency": "EUR", "side": "debit", "vat_amount": 120.21, "vat_rate": 5.5,
          "status": "completed", "label": "Shop", "note": "=1+1", "category": "fees", "attachment_ids": [],
          "attachment_required": True}
    day = datetime.date(2025, 4, 3)
    row = build(LEDGER_COLUMNS, Facts(tx, day))
    read_back = {c.key: (float(v) if hasattr(v, "as_tuple") else v) for c, v in zip(LEDGER_COLUMNS, row.values)}

    again = build(LEDGER_COLUMNS, Facts(as_transaction(read_back), day))

    assert again.values == row.values
