"""The preview before anything is written to Drive: counts, size, backfill time."""

import pytest

from tools.setup.estimate import build_preview, duration_text, period_of, preview_lines

ACCOUNTS = [{"id": "a1", "name": "Main", "iban": "FR7612345678906458", "status": "active"},
            {"id": "a2", "name": "Old", "iban": None, "status": "closed"}]


def receipt(account, settled, size=1000, emitted="2025-01-01T00:00:00Z"):
    return {"bank_account_id": account, "settled_at": settled, "emitted_at": emitted, "size": size}


@pytest.mark.parametrize("record, period, expected", [
    (receipt("a", "2025-03-31T22:30:00Z"), "month", "2025-04"),     # already April in Paris
    (receipt("a", "2025-03-31T21:30:00Z"), "month", "2025-03"),
    (receipt("a", "2025-06-30T23:00:00Z"), "quarter", "2025-Q3"),
    (receipt("a", "2024-12-31T23:30:00Z"), "year", "2025"),
    (receipt("a", None, emitted="2025-02-10T10:00:00Z"), "month", "2025-02"),   # pending: emitted day
    ({"bank_account_id": "a"}, "month", None),
])
def test_given_a_receipt_when_its_period_is_computed_then_the_zone_decides_the_day(record, period, expected):
    assert period_of(record, period, "Europe/Paris") == expected


def test_given_receipts_when_previewed_then_writes_are_one_per_receipt_and_folder_plus_root_shares_manifest():
    index = [receipt("a1", "2025-01-05T10:00:00Z", 2000), receipt("a1", "2025-01-20T10:00:00Z", None),
             receipt("a1", "2025-02-05T10:00:00Z", 3000)]
    preview = build_preview(ACCOUNTS, index, "month", "Europe/Paris", shares=1)
    assert (preview.receipts, preview.total_bytes, preview.unknown_sizes) == (3, 5000, 1)
    assert preview.folders == 3                    # account a1, 2025-01, 2025-02
    assert preview.writes == 3 + 3 + 1 + 1 + 1     # receipts, folders, root, share, manifest
    assert preview.seconds == pytest.approx(3.0)
    assert preview.accounts == ["Main · FR76…6458", "Old (closed)"]


def test_given_10000_receipts_when_previewed_then_the_backfill_takes_about_an_hour():
    index = [receipt("a1", f"2025-{m:02d}-10T10:00:00Z", 200_000) for m in range(1, 13) for _ in range(833)]
    preview = build_preview(ACCOUNTS, index, "month", "Europe/Paris")
    lines = preview_lines(preview, "2025-01-01")
    assert "Receipts since 2025-01-01: 9996, 1.9 GiB" in lines
    assert "10011 Drive writes" in lines[-1] and "about 56 min" in lines[-1]


@pytest.mark.parametrize("seconds, text", [(10, "under a minute"), (600, "about 10 min"),
                                           (3900, "about 1 h 05 min"), (7260, "about 2 h 01 min")])
def test_given_seconds_when_written_for_people_then_rounded_to_minutes(seconds, text):
    assert duration_text(seconds) == text
