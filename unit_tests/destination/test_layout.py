"""Where receipts are filed and what they are called: table-driven, no I/O."""

import datetime

import pytest

from destination_gdrive_receipts.filing.layout import (
    DEFAULT_TEMPLATE,
    PERIODS,
    TEMPLATE_VARIABLES,
    account_folder_name,
    filing_date,
    period_key,
    place,
    validate_template,
    validate_timezone,
)
from unit_tests.destination.test_naming import assert_portable

ATTACHMENT_ID = "ab12cd34-eaee-4dcb-b08e-688dc9937d23"


def receipt(**overrides):
    base = {
        "attachment_id": ATTACHMENT_ID,
        "file_name": "facture-mars.pdf",
        "content_type": "application/pdf",
        "attachment_created_at": "2024-04-03T10:05:00Z",
        "transaction_id": "6f1c7a0e-1111-4222-8333-944445555666",
        "label": "ACME",
        "amount": 12.5,
        "currency": "EUR",
        "side": "debit",
        "settled_at": "2024-04-03T10:00:00Z",
        "emitted_at": "2024-04-02T09:00:00Z",
        "status": "completed",
        "updated_at": "2024-04-03T10:06:00Z",
        "bank_account_id": "e97d6e4b-8179-47ae-88e9-3e43b230251e",
        "bank_account_name": "Main account",
        "iban": "FR7616958000016423456789012",
    }
    return {**base, **overrides}


D = datetime.date


@pytest.mark.parametrize(
    "settled_at, emitted_at, timezone, expected",
    [
        ("2024-03-31T22:30:00Z", "2024-03-30T10:00:00Z", "Europe/Paris", D(2024, 4, 1)),
        ("2024-03-31T22:30:00Z", "2024-03-30T10:00:00Z", "UTC", D(2024, 3, 31)),
        (None, "2024-03-31T22:30:00Z", "Europe/Paris", D(2024, 4, 1)),
        (None, "2024-04-01T03:30:00Z", "America/New_York", D(2024, 3, 31)),
        ("2024-03-31T14:59:59Z", None, "Asia/Tokyo", D(2024, 3, 31)),
        ("2024-03-31T15:00:00Z", None, "Asia/Tokyo", D(2024, 4, 1)),
        ("2024-03-30T23:30:00Z", None, "Europe/Paris", D(2024, 3, 31)),
        ("2024-03-31T21:59:59Z", None, "Europe/Paris", D(2024, 3, 31)),
        ("2024-10-26T21:30:00Z", None, "Europe/Paris", D(2024, 10, 26)),
        ("2024-10-26T22:30:00Z", None, "Europe/Paris", D(2024, 10, 27)),
        ("2024-10-31T22:59:59Z", None, "Europe/Paris", D(2024, 10, 31)),
        ("2024-10-31T23:00:00Z", None, "Europe/Paris", D(2024, 11, 1)),
        ("2024-03-10T04:30:00Z", None, "America/New_York", D(2024, 3, 9)),
        ("2024-11-03T04:30:00Z", None, "America/New_York", D(2024, 11, 3)),
        ("2024-12-31T23:30:00Z", None, "Europe/Paris", D(2025, 1, 1)),
        ("2024-04-01T01:00:00+02:00", None, "UTC", D(2024, 3, 31)),
        ("2024-02-29T23:30:00.123456Z", None, "Europe/Paris", D(2024, 3, 1)),
    ],
    ids=[
        "paris-late-march-payment-is-april", "utc-keeps-march", "pending-uses-emitted-at",
        "new-york-early-april-utc-is-march", "tokyo-before-midnight", "tokyo-midnight",
        "paris-spring-forward-night-before", "paris-summer-time-last-second-of-month",
        "paris-autumn-back-eve", "paris-autumn-back-night", "paris-winter-time-last-second-of-october",
        "paris-winter-time-november", "new-york-spring-forward-eve", "new-york-autumn-back-night",
        "paris-new-year", "offset-input-to-utc", "leap-day-fraction-seconds",
    ],
)
def test_filing_date(settled_at, emitted_at, timezone, expected):
    day = filing_date(receipt(settled_at=settled_at, emitted_at=emitted_at), timezone)
    assert day == expected
    assert type(day) is datetime.date


@pytest.mark.parametrize(
    "overrides, timezone, message",
    [
        ({}, "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ({"settled_at": None, "emitted_at": None}, "UTC", "neither settled_at nor emitted_at"),
        ({"settled_at": "last tuesday"}, "UTC", "'last tuesday' is not an RFC 3339 timestamp"),
    ],
    ids=["unknown-zone", "no-dates", "garbage-date"],
)
def test_filing_date_errors_are_clear(overrides, timezone, message):
    with pytest.raises(ValueError, match=message):
        filing_date(receipt(**overrides), timezone)


@pytest.mark.parametrize("timezone", ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo"])
def test_known_time_zones_are_valid(timezone):
    validate_timezone(timezone)


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2024, 1, 1), ("2024-01", "2024-Q1", "2024")),
        (D(2024, 3, 31), ("2024-03", "2024-Q1", "2024")),
        (D(2024, 4, 1), ("2024-04", "2024-Q2", "2024")),
        (D(2024, 6, 30), ("2024-06", "2024-Q2", "2024")),
        (D(2024, 7, 1), ("2024-07", "2024-Q3", "2024")),
        (D(2024, 9, 30), ("2024-09", "2024-Q3", "2024")),
        (D(2024, 10, 1), ("2024-10", "2024-Q4", "2024")),
        (D(2024, 12, 31), ("2024-12", "2024-Q4", "2024")),
        (D(999, 5, 5), ("0999-05", "0999-Q2", "0999")),
    ],
    ids=lambda value: value.isoformat() if isinstance(value, D) else "",
)
def test_period_keys(day, expected):
    assert tuple(period_key(day, period) for period in PERIODS) == expected


def test_unknown_period_names_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown period 'week'; allowed: month, quarter, year"):
        period_key(D(2024, 4, 1), "week")


@pytest.mark.parametrize(
    "settled_at, period, timezone, expected_key",
    [
        ("2024-03-31T22:30:00Z", "month", "Europe/Paris", "2024-04"),
        ("2024-03-31T22:30:00Z", "quarter", "Europe/Paris", "2024-Q2"),
        ("2024-03-31T22:30:00Z", "quarter", "UTC", "2024-Q1"),
        ("2024-12-31T23:30:00Z", "year", "Europe/Paris", "2025"),
        ("2024-12-31T23:30:00Z", "year", "America/New_York", "2024"),
    ],
    ids=["month-paris", "quarter-paris", "quarter-utc", "year-paris", "year-new-york"],
)
def test_place_files_into_the_period_of_the_local_filing_date(settled_at, period, timezone, expected_key):
    placement = place(receipt(settled_at=settled_at), period=period, timezone=timezone)
    assert placement.period_key == expected_key
    assert placement.file_name.startswith(placement.filing_date.isoformat())


@pytest.mark.parametrize(
    "name, iban, expected",
    [
        ("Main account", "FR7616958000016423456789012", "Main account · FR76…9012"),
        ("Main account", "FR76 1695 8000 0164 2345 6789 012", "Main account · FR76…9012"),
        ("Main account", None, "Main account · e97d6e4b"),
        (None, "fr7616958000016423456789012", "Account FR76…9012"),
        (None, None, "Account e97d6e4b"),
        ("  ", "", "Account e97d6e4b"),
        ("Travel/Expenses: 2024", "FR7616958000016423456789012", "Travel-Expenses- 2024 · FR76…9012"),
        ("CON", None, "CON · e97d6e4b"),
        ("Compte 🇫🇷\nprincipal", "DE89370400440532013000", "Compte 🇫🇷 principal · DE89…3000"),
        ("x" * 300, "FR7616958000016423456789012", "x" * (120 - len(" · FR76…9012".encode())) + " · FR76…9012"),
    ],
    ids=[
        "name-and-iban", "iban-with-spaces", "no-iban-uses-account-short-id", "no-name-lowercase-iban",
        "neither", "blank-name", "unsafe-characters", "reserved-word-is-fine-with-tail", "emoji-and-newline",
        "very-long-name-bounded",
    ],
)
def test_account_folder_name(name, iban, expected):
    folder = account_folder_name(name, iban, "e97d6e4b-8179-47ae-88e9-3e43b230251e")
    assert folder == expected
    assert_portable(folder, 120)


@pytest.mark.parametrize(
    "overrides, template, expected",
    [
        ({}, None, "2024-04-03 ACME 12.50 EUR ab12cd34.pdf"),
        ({"label": None}, None, "2024-04-03 12.50 EUR ab12cd34.pdf"),
        ({"label": "Orange/SFR"}, None, "2024-04-03 Orange-SFR 12.50 EUR ab12cd34.pdf"),
        ({"label": "Café 🍕"}, None, "2024-04-03 Café 🍕 12.50 EUR ab12cd34.pdf"),
        ({"label": "A\x00B\r\nC\x1b"}, None, "2024-04-03 A B C 12.50 EUR ab12cd34.pdf"),
        ({"label": "Trailing..."}, "{label}", "Trailing... ab12cd34.pdf"),
        ({"amount": 1200, "currency": "JPY"}, None, "2024-04-03 ACME 1200 JPY ab12cd34.pdf"),
        ({"amount": 1.25, "currency": "kwd"}, None, "2024-04-03 ACME 1.250 KWD ab12cd34.pdf"),
        ({"amount": 0.1 + 0.2}, None, "2024-04-03 ACME 0.30 EUR ab12cd34.pdf"),
        ({"amount": "1234567.891"}, None, "2024-04-03 ACME 1234567.89 EUR ab12cd34.pdf"),
        ({"amount": -7}, None, "2024-04-03 ACME 7.00 EUR ab12cd34.pdf"),
        ({"amount": float("inf")}, None, "2024-04-03 ACME inf EUR ab12cd34.pdf"),
        ({"content_type": "image/jpeg", "file_name": "IMG_0001.JPEG"}, None, "2024-04-03 ACME 12.50 EUR ab12cd34.jpg"),
        ({"content_type": "application/octet-stream", "file_name": "x.odt"}, None,
         "2024-04-03 ACME 12.50 EUR ab12cd34.odt"),
        ({"content_type": "application/octet-stream", "file_name": "no-ext"}, None, "2024-04-03 ACME 12.50 EUR ab12cd34"),
        ({"file_name": "dossier/facture.pdf"}, "{original_name} {short_id}", "dossier-facture ab12cd34.pdf"),
        ({}, "{date}_{label}", "2024-04-03_ACME ab12cd34.pdf"),
        ({}, "{label} {attachment_id}", f"ACME {ATTACHMENT_ID}.pdf"),
        ({}, "{period}/{status}/{side}", "2024-04-completed-debit ab12cd34.pdf"),
        ({}, "{account} {transaction_id}", "Main account 6f1c7a0e-1111-4222-8333-944445555666 ab12cd34.pdf"),
        ({"bank_account_name": None}, "{account}", "FR76…9012 ab12cd34.pdf"),
        ({}, "{{{label}}}", "{ACME} ab12cd34.pdf"),
    ],
    ids=[
        "default", "missing-label", "slash-in-label", "emoji-label", "control-characters-in-label",
        "inner-trailing-dots-kept", "zero-decimal-currency", "three-decimal-currency-lowercase", "float-noise",
        "amount-as-string-rounded", "negative-amount-unsigned",
        "non-finite-amount-shown-as-sent", "jpeg", "unknown-type-keeps-original-extension", "no-extension-at-all",
        "original-name-with-slash", "template-without-short-id-gets-it", "attachment-id-is-unique-enough",
        "period-status-side", "account-and-transaction", "account-falls-back-to-iban", "escaped-braces",
    ],
)
def test_file_name(overrides, template, expected):
    name = place(receipt(**overrides), file_name_template=template).file_name
    assert name == expected
    assert_portable(name)


@pytest.mark.parametrize(
    "overrides, template",
    [
        ({"label": "x" * 300}, None),
        ({"label": "🍕" * 300}, None),
        ({"label": "é" * 150, "file_name": "ü" * 300 + ".pdf"}, "{label} {original_name} {short_id}"),
        ({"label": "\x07" * 300}, None),
        ({"label": "/" * 300}, "{label} {account} {short_id}"),
    ],
    ids=["ascii-300", "emoji-300", "two-long-free-texts", "300-control-characters", "300-slashes"],
)
def test_long_labels_are_bounded_and_keep_date_amount_and_short_id(overrides, template):
    name = place(receipt(**overrides), file_name_template=template).file_name
    assert_portable(name)
    assert name.endswith("ab12cd34.pdf")
    assert len(name.encode("utf-8")) <= 200


def test_duplicate_original_names_give_distinct_names_for_distinct_attachments():
    ids = [f"{n:08x}-0000-4000-8000-000000000000" for n in range(50)]
    names = {
        place(receipt(attachment_id=i, file_name="scan.pdf"), file_name_template="{original_name}").file_name
        for i in ids
    }
    assert len(names) == 50


def test_same_receipt_always_gets_the_same_placement():
    assert place(receipt()) == place(receipt())


def test_description_keeps_the_original_name_and_transaction_details():
    description = place(receipt(file_name="Facture n°12/2024\n.pdf", settled_at=None)).description
    lines = description.split("\n")
    assert lines[0] == "Original file: Facture n°12/2024 .pdf"
    assert "ACME · 12.50 EUR · debit · completed" in lines[1]
    assert "Settled at: not yet (pending)" in lines
    assert "Emitted at: 2024-04-02T09:00:00Z" in lines
    assert "Account: Main account · FR76…9012" in lines
    assert f"Attachment id: {ATTACHMENT_ID}" in lines
    assert "Transaction id: 6f1c7a0e-1111-4222-8333-944445555666" in lines


def test_description_is_bounded():
    assert len(place(receipt(label="x" * 10_000, file_name="y" * 10_000)).description) <= 4000


def test_every_documented_variable_is_accepted_and_rendered():
    template = " ".join("{" + name + "}" for name in TEMPLATE_VARIABLES)
    validate_template(template)
    name = place(receipt(), file_name_template=template, period="quarter").file_name
    for fragment in ("2024-04-03", "ACME", "12.50", "EUR", "debit", "completed", "facture-mars", "ab12cd34",
                     "Main account", "2024-Q2"):
        assert fragment in name


def test_default_template_is_valid():
    validate_template(DEFAULT_TEMPLATE)


@pytest.mark.parametrize(
    "template, message",
    [
        ("{date} {payee}", r"^unknown variable \{payee\}; allowed: date, label, amount, currency, side, status, "
                           r"original_name, short_id, attachment_id, transaction_id, account, period"),
        ("{label.upper}", r"unknown variable \{label.upper\}; allowed: date"),
        ("{label[0]}", r"unknown variable \{label\[0\]\}"),
        ("{amount:>10}", r"\{amount\} takes no format or conversion \(found :>10\)"),
        ("{label!r}", r"\{label\} takes no format or conversion \(found !r\)"),
        ("{}", r"unknown variable \{\}"),
        ("{0}", r"unknown variable \{0\}"),
        ("{date", r"malformed .*literal brace as \{\{ or \}\}"),
        ("date}", r"malformed"),
        ("x" * 101 + "{short_id}", r"101 bytes of fixed text; keep it to at most 100"),
        ("", r"^the template is empty; use variables such as '\{date\} \{label\}"),
        ("   ", r"^the template is empty; use variables such as '\{date\} \{label\}"),
    ],
    ids=[
        "unknown-variable", "attribute-access", "index-access", "format-spec", "conversion", "positional-empty",
        "positional-number", "unclosed-brace", "stray-closing-brace", "too-much-fixed-text", "empty", "blank",
    ],
)
def test_validate_template_rejects_with_a_clear_message(template, message):
    with pytest.raises(ValueError, match=message):
        validate_template(template)


def test_place_rejects_an_invalid_template():
    with pytest.raises(ValueError, match="unknown variable"):
        place(receipt(), file_name_template="{nope}")
