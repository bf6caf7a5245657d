"""Where a receipt goes in Drive and what it is called (pure, no I/O).

A receipt is filed under ``<root>/<account folder>/<period folder>/<file name>``. The filing date is
the transaction's ``settled_at``, else its ``emitted_at`` (pending payments), seen in the configured
time zone: a card payment at 2024-03-31T22:30Z belongs to April in Paris.
"""

from __future__ import annotations

import datetime
import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pendulum

from destination_gdrive_receipts.filing.variants import NAME_SUFFIX, PROBATIVE, variant_of
from destination_gdrive_receipts.filing.naming import (
    MAX_NAME_BYTES,
    clean_text,
    extension_for,
    render_name,
    safe_file_name,
    short_id,
    split_extension,
    truncate_utf8,
    utf8_len,
)

__all__ = [
    "DEFAULT_TEMPLATE", "PERIODS", "TEMPLATE_VARIABLES", "Placement", "account_folder_name", "filing_date",
    "period_key", "place", "safe_file_name", "validate_template", "validate_timezone",
]

PERIODS = ("month", "quarter", "year")
DEFAULT_TEMPLATE = "{date} {label} {amount} {currency} {short_id}"
TEMPLATE_VARIABLES = {
    "date": "filing date, YYYY-MM-DD (settled date, else emitted date, in the configured time zone)",
    "label": "counterparty name (empty when the bank has none)",
    "amount": "amount without sign, with the currency's decimals (12.50, 1200, 1.250)",
    "currency": "ISO 4217 currency code (EUR)",
    "side": "debit or credit",
    "status": "completed or pending",
    "original_name": "file name as uploaded at the bank, without its extension",
    "short_id": "first 8 characters of the attachment id (keeps names unique)",
    "attachment_id": "the bank's full attachment id",
    "transaction_id": "the bank's transaction id",
    "account": "bank account name (else the IBAN's short form)",
    "period": "period key of the filing folder (2024-04, 2024-Q2 or 2024)",
}
# Free-text variables that may be shortened to keep a name within bounds.
_SHRINKABLE = ("label", "original_name", "account")
# Either one makes every name unique; a template without both gets " {short_id}" appended.
_UNIQUE_VARIABLES = ("short_id", "attachment_id")
_ZERO_DECIMALS = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
                  "VUV", "XAF", "XOF", "XPF"}
_THREE_DECIMALS = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
_MAX_FOLDER_BYTES = 120
_MAX_TEMPLATE_TEXT_BYTES = 100
_MAX_DESCRIPTION_CHARS = 4000


@dataclass(frozen=True)
class Placement:
    account_folder_name: str
    period_key: str
    file_name: str
    description: str
    filing_date: datetime.date


def validate_template(template: str) -> None:
    """Raise ValueError with an actionable message unless `template` only uses known plain variables."""
    allowed = ", ".join(TEMPLATE_VARIABLES)
    if not isinstance(template, str) or not template.strip():
        raise ValueError(f"the template is empty; use variables such as {DEFAULT_TEMPLATE!r} (allowed: {allowed})")
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as error:
        raise ValueError(
            f"template {template!r} is malformed ({error}); write variables as {{name}} and a literal "
            f"brace as {{{{ or }}}}"
        ) from None
    fixed = sum(utf8_len(literal) for literal, *_ in fields)
    if fixed > _MAX_TEMPLATE_TEXT_BYTES:
        raise ValueError(
            f"the template has {fixed} bytes of fixed text; keep it to at most {_MAX_TEMPLATE_TEXT_BYTES} so "
            f"names fit in {MAX_NAME_BYTES} bytes with their variables"
        )
    for _literal, name, format_spec, conversion in fields:
        if name is None:
            continue
        if name not in TEMPLATE_VARIABLES:
            raise ValueError(f"unknown variable {{{name}}}; allowed: {allowed}")
        if format_spec or conversion:
            raise ValueError(
                f"{{{name}}} takes no format or conversion (found "
                f"{'!' + conversion if conversion else ''}{':' + format_spec if format_spec else ''}); "
                f"write it as {{{name}}}"
            )


@functools.lru_cache(maxsize=16)
def _zone(timezone: str) -> pendulum.Timezone:
    # pendulum reads the zone file on every call: one lookup per zone, not per receipt
    # (filing_date went from ~67 to ~7 µs; a profile had put a third of the destination's CPU here).
    try:
        return pendulum.timezone(timezone)
    except Exception:  # pendulum raises several types for unknown or malformed names
        raise ValueError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris or UTC") from None


def validate_timezone(timezone: str) -> None:
    """Raise ValueError unless `timezone` is an IANA zone name such as Europe/Paris."""
    _zone(timezone)


def filing_date(receipt: Mapping, timezone: str) -> datetime.date:
    """Calendar day of `settled_at`, else `emitted_at`, in `timezone`."""
    zone = _zone(timezone)
    stamp = receipt.get("settled_at") or receipt.get("emitted_at")
    if not stamp:
        raise ValueError(f"receipt {receipt.get('attachment_id')!r} has neither settled_at nor emitted_at")
    try:
        moment = pendulum.parse(stamp)
    except Exception:
        raise ValueError(f"receipt {receipt.get('attachment_id')!r}: {stamp!r} is not an RFC 3339 timestamp") from None
    day = moment.in_timezone(zone)
    return datetime.date(day.year, day.month, day.day)


def period_key(day: datetime.date, period: str) -> str:
    """Name of the period folder holding `day`: 2024-04, 2024-Q2 or 2024."""
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if period == "year":
        return f"{day.year:04d}"
    raise ValueError(f"unknown period {period!r}; allowed: {', '.join(PERIODS)}")


def _iban_short(iban: str | None) -> str:
    compact = "".join((iban or "").split()).upper()
    return f"{compact[:4]}…{compact[-4:]}" if len(compact) > 8 else compact


def account_folder_name(name: str | None, iban: str | None, bank_account_id: str) -> str:
    """Readable folder name: "Main account · FR76…1234"; the account's short id stands in for a missing IBAN."""
    tail = clean_text(_iban_short(iban)) or short_id(bank_account_id)
    # A long name is shortened, never the tail that tells accounts apart.
    name = truncate_utf8(clean_text(name), _MAX_FOLDER_BYTES - utf8_len(f" · {tail}")).rstrip(" .")
    readable = f"{name} · {tail}" if name else f"Account {tail}"
    return safe_file_name(readable, "", _MAX_FOLDER_BYTES)


def _amount_text(amount: object, currency: str) -> str:
    decimals = 0 if currency in _ZERO_DECIMALS else 3 if currency in _THREE_DECIMALS else 2
    try:
        return f"{abs(Decimal(str(amount))).quantize(Decimal(1).scaleb(-decimals)):f}"
    except InvalidOperation:  # not a finite number: show what the bank sent
        return clean_text(amount)


def _template_values(receipt: Mapping, day: datetime.date, period: str) -> dict[str, str]:
    currency = clean_text(receipt.get("currency")).upper()
    return {
        "date": day.isoformat(),
        "label": clean_text(receipt.get("label")),
        "amount": _amount_text(receipt.get("amount"), currency),
        "currency": currency,
        "side": clean_text(receipt.get("side")),
        "status": clean_text(receipt.get("status")),
        "original_name": clean_text(split_extension(receipt.get("file_name"))[0]),
        "short_id": short_id(receipt["attachment_id"]),
        "attachment_id": clean_text(receipt["attachment_id"]),
        "transaction_id": clean_text(receipt.get("transaction_id")),
        "account": clean_text(receipt.get("bank_account_name")) or _iban_short(receipt.get("iban")),
        "period": period,
    }


def _description(receipt: Mapping, values: Mapping[str, str], account: str) -> str:
    def line(text: str) -> str:
        return " ".join(text.split())  # user text must not forge extra lines

    lines = [
        line(f"Original file: {receipt.get('file_name') or '(no name)'}"),
        line(f"Transaction: {receipt.get('label') or '(no counterparty)'} · {values['amount']} {values['currency']} · "
             f"{values['side']} · {values['status']}"),
        f"Settled at: {receipt.get('settled_at') or 'not yet (pending)'}",
        f"Emitted at: {receipt.get('emitted_at')}",
        line(f"Account: {account}"),
        f"Transaction id: {receipt.get('transaction_id')}",
        f"Attachment id: {receipt.get('attachment_id')}",
    ]
    if variant_of(receipt) == PROBATIVE:
        lines.insert(0, "Probative copy: the bank's PAdES-sealed version of the receipt filed beside it")
    return "\n".join(lines)[:_MAX_DESCRIPTION_CHARS]


def _variant_template(template: str, receipt: Mapping) -> str:
    """The sealed copy is named like its original plus " (probative)": the two sort side by side.
    The suffix is fixed text, so shortening keeps it and trims the free-text variables instead."""
    return template + NAME_SUFFIX.replace("{", "{{").replace("}", "}}") if variant_of(receipt) == PROBATIVE else template


def place(receipt: Mapping, *, period: str = "month", timezone: str = "Europe/Paris",
          file_name_template: str | None = None) -> Placement:
    """Account folder, period folder, file name and description of one receipt (metadata per the contract)."""
    template = file_name_template or DEFAULT_TEMPLATE
    validate_template(template)
    if not {name for _, name, _, _ in string.Formatter().parse(template)} & set(_UNIQUE_VARIABLES):
        template += " {short_id}"
    template = _variant_template(template, receipt)
    day = filing_date(receipt, timezone)
    key = period_key(day, period)
    values = _template_values(receipt, day, key)
    folder = account_folder_name(receipt.get("bank_account_name"), receipt.get("iban"), receipt["bank_account_id"])
    extension = extension_for(receipt.get("content_type"), receipt.get("file_name"))
    return Placement(
        account_folder_name=folder,
        period_key=key,
        file_name=render_name(template, values, _SHRINKABLE, extension, MAX_NAME_BYTES),
        description=_description(receipt, values, folder),
        filing_date=day,
    )
