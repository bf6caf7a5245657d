"""Dates and amounts as a person of the configured locale writes them (pure).

No thousands separator: Google Sheets reads "1234,50" as a number in a French sheet, while a
grouped "1 234,50" or "1.234,50" depends on which space or dot the sheet's locale expects.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from destination_gdrive_receipts.filing.layout import _THREE_DECIMALS, _ZERO_DECIMALS

DEFAULT_LOCALE = "fr-FR"


@dataclass(frozen=True)
class Locale:
    date_order: str      # "DMY", "MDY" or "YMD"
    date_separator: str
    decimal: str


LOCALES = {
    "en-US": Locale("MDY", "/", "."),
    "en-GB": Locale("DMY", "/", "."),
    "fr-FR": Locale("DMY", "/", ","),
    "de-DE": Locale("DMY", ".", ","),
    "es-ES": Locale("DMY", "/", ","),
    "it-IT": Locale("DMY", "/", ","),
    "nl-NL": Locale("DMY", "-", ","),
    "iso": Locale("YMD", "-", "."),
}


def locale(name: str) -> Locale:
    try:
        return LOCALES[name]
    except KeyError:
        raise ValueError(f"unknown locale {name!r}; allowed: {', '.join(LOCALES)}") from None


def format_date(day: datetime.date, loc: Locale) -> str:
    parts = {"D": f"{day.day:02d}", "M": f"{day.month:02d}", "Y": f"{day.year:04d}"}
    return loc.date_separator.join(parts[c] for c in loc.date_order)


def decimals_of(currency: str) -> int:
    return 0 if currency in _ZERO_DECIMALS else 3 if currency in _THREE_DECIMALS else 2


def format_amount(amount: object, currency: str, loc: Locale, *, negative: bool = False) -> str:
    """The amount with the currency's decimals; a minus sign for money going out."""
    if amount is None or amount == "":
        return ""
    try:
        value = abs(Decimal(str(amount))).quantize(Decimal(1).scaleb(-decimals_of(currency)))
    except InvalidOperation:          # not a finite number: show what the bank sent
        return str(amount)
    text = f"{-value if negative and value else value:f}"
    return text.replace(".", loc.decimal)


def format_rate(rate: object, loc: Locale) -> str:
    """VAT rate as the bank gives it (20.0 → "20"), with the locale's decimal mark."""
    if rate is None or rate == "":
        return ""
    try:
        value = Decimal(str(rate)).normalize()
    except InvalidOperation:
        return str(rate)
    return f"{value:f}".replace(".", loc.decimal)
