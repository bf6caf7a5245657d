"""How Google Sheets reads text typed into a cell, and displays typed values, per spreadsheet locale.

Evidence:
- USER_ENTERED: "The values will be parsed as if the user typed them into the UI. Numbers will stay
  as numbers, but strings may be converted to numbers, dates, etc. following the same rules that
  are applied when entering text into a cell via the Google Sheets UI"; RAW: "The values the user
  has entered will not be parsed and will be stored as-is."
  https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption
- The parse depends on the spreadsheet's locale (decimal mark, digit grouping, day/month order):
  https://support.google.com/docs/answer/58515 (locale "affects formatting details such as
  functions, dates, and currency"); public reports of comma decimals read wrong in an English
  sheet: burnash/gspread#501, nithinmurali/pygsheets#414, CartoDB/cartodb#2850.
- A leading apostrophe keeps typed text as text and is not part of the value; a leading "=" (and
  "+", as in the UI) starts a formula: https://support.google.com/docs/answer/3094140 .
- Dates are numbers: days since 1899-12-30 (SERIAL_NUMBER),
  https://developers.google.com/sheets/api/reference/rest/v4/DateTimeRenderOption .
- NumberFormat patterns: "#,##0.00" uses "," for grouping and "." for the decimal point whatever
  the locale, which displays them with its own characters; a DATE format without pattern uses the
  locale's default, https://developers.google.com/sheets/api/guides/formats .
Believed, from the reports above (no Google page states it): grouping characters are accepted
wherever they stand ("-721,28" in en_US is -72128, "5,5" is 55).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class SheetLocale:
    decimal: str
    grouping: str
    date_order: str                 # "MDY" or "DMY"
    date_separators: str
    date_pattern: str               # default DATE display
    true_false: tuple[str, str]


LOCALES = {
    "en_US": SheetLocale(".", ",", "MDY", "/-", "M/d/yyyy", ("TRUE", "FALSE")),
    "en_GB": SheetLocale(".", ",", "DMY", "/-", "dd/MM/yyyy", ("TRUE", "FALSE")),
    "fr_FR": SheetLocale(",", "\u202f", "DMY", "/", "dd/MM/yyyy", ("VRAI", "FAUX")),
    "de_DE": SheetLocale(",", ".", "DMY", ".", "dd.MM.yyyy", ("WAHR", "FALSCH")),
    "es_ES": SheetLocale(",", ".", "DMY", "/", "d/M/yyyy", ("VERDADERO", "FALSO")),
    "it_IT": SheetLocale(",", ".", "DMY", "/", "d/M/yyyy", ("VERO", "FALSO")),
    "nl_NL": SheetLocale(",", ".", "DMY", "-", "d-M-yyyy", ("WAAR", "ONWAAR")),
}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_FORMULA_STARTS = ("=", "+")


def sheet_locale(name: str | None) -> SheetLocale:
    return LOCALES.get(name or "en_US", LOCALES["en_US"])


def serial(day: dt.date) -> int:
    return (day - EPOCH).days


def from_serial(number: float) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def parse_user_entered(text: str, locale: str, today: dt.date | None = None) -> tuple[dict, dict | None]:
    """(userEnteredValue, numberFormat it implies) of `text` typed into a cell of a `locale` sheet."""
    loc = sheet_locale(locale)
    if text == "":
        return {}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith(_FORMULA_STARTS) and len(text) > 1:
        return {"formulaValue": text if text.startswith("=") else "=" + text}, None
    if text.upper() in loc.true_false:
        return {"boolValue": text.upper() == loc.true_false[0]}, None
    day = _date(text, loc, today or dt.date.today())
    if day is not None:
        return {"numberValue": serial(day)}, {"type": "DATE", "pattern": loc.date_pattern}
    number = _number(text, loc)
    if number is not None:
        return {"numberValue": number}, None
    return {"stringValue": text}, None


def _number(text: str, loc: SheetLocale) -> float | None:
    compact = text.strip().replace(" ", "").replace("\u00a0", "")
    for char in loc.grouping + ("\u00a0 " if loc.grouping == "\u202f" else ""):
        compact = compact.replace(char, "")
    if not re.fullmatch(rf"[-+]?(\d+({re.escape(loc.decimal)}\d*)?|{re.escape(loc.decimal)}\d+)", compact):
        return None
    value = float(compact.replace(loc.decimal, "."))
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _date(text: str, loc: SheetLocale, today: dt.date) -> dt.date | None:
    iso = _ISO_DATE.match(text)
    try:
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        for sep in loc.date_separators:
            parts = text.split(sep)
            if len(parts) in (2, 3) and all(p.isdigit() and 0 < len(p) <= 4 for p in parts):
                first, second = int(parts[0]), int(parts[1])
                year = int(parts[2]) if len(parts) == 3 else today.year
                year = year + 2000 if year < 30 and len(parts) == 3 and len(parts[2]) <= 2 else year
                month, day = (first, second) if loc.date_order == "MDY" else (second, first)
                return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def display(value: dict, number_format: dict | None, locale: str) -> str:
    """formattedValue of an effective value under a cell's numberFormat, in the sheet's locale."""
    loc = sheet_locale(locale)
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return loc.true_false[0 if value["boolValue"] else 1]
    if "errorValue" in value:
        return "#ERROR!"
    if "numberValue" not in value:
        return ""
    number = value["numberValue"]
    kind = (number_format or {}).get("type")
    pattern = (number_format or {}).get("pattern")
    if kind in ("DATE", "DATE_TIME"):
        return format_date(from_serial(number), pattern or loc.date_pattern)
    if kind == "TEXT":
        return _general(number, loc)
    if pattern:
        return format_number(number, pattern, loc)
    return _general(number, loc)


def _general(number: float, loc: SheetLocale) -> str:
    text = f"{number:.10g}" if isinstance(number, float) else str(number)
    if "e" in text:
        mantissa, exponent = f"{number:.5E}".split("E")
        text = f"{mantissa.rstrip('0').rstrip('.')}E+{int(exponent):02d}"
    return text.replace(".", loc.decimal)


def format_number(number: float, pattern: str, loc: SheetLocale) -> str:
    """A "#,##0.00"-style pattern: grouping when it has ",", as many decimals as zeros after "."."""
    body = pattern.split(";")[0]
    decimals = len(body.split(".", 1)[1].rstrip("#")) if "." in body else 0
    text = f"{abs(number):,.{decimals}f}" if "," in body else f"{abs(number):.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", loc.decimal).replace("\x00", loc.grouping)
    return ("-" if number < 0 and float(text.replace(loc.grouping, "").replace(loc.decimal, ".") or 0) else "") + text


def format_date(day: dt.date, pattern: str) -> str:
    tokens = re.split(r"(y+|m+|M+|d+)", pattern)
    out = []
    for token in tokens:
        lower = token.lower()
        if lower.startswith("y"):
            out.append(f"{day.year:04d}" if len(token) > 2 else f"{day.year % 100:02d}")
        elif lower.startswith("m"):
            out.append(f"{day.month:02d}" if len(token) == 2 else str(day.month))
        elif lower.startswith("d"):
            out.append(f"{day.day:02d}" if len(token) == 2 else str(day.day))
        else:
            out.append(token)
    return "".join(out)
