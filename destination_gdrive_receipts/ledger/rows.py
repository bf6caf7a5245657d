"""One ledger row per transaction, and the receipt status rules (pure, table-tested).

A row is text cells in COLUMNS order. Its last cell, the row check, is `<sort key>~<hash>`: the
sort key orders rows by date, the hash covers every other cell, so a row read back from Drive
tells whether it changed without trusting how a spreadsheet re-displays dates or numbers.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pendulum

from destination_gdrive_receipts.ledger.formats import Locale, format_amount, format_date, format_rate

PRESENT, MISSING, LOST, NOT_REQUIRED = "receipt present", "receipt missing", "declared lost", "not required"
STATUSES = (PRESENT, MISSING, LOST, NOT_REQUIRED)
COLUMNS = ("Date", "Counterparty", "Amount", "Currency", "Side", "VAT amount", "VAT rate", "Category",
           "Payment status", "Receipt status", "Receipt", "More receipts", "Probative copy", "Probative status",
           "Note", "Transaction id", "Receipt ids", "Row check")
TX_ID, RECEIPT_IDS, CHECK = COLUMNS.index("Transaction id"), COLUMNS.index("Receipt ids"), COLUMNS.index("Row check")
LINK, MORE_LINKS = COLUMNS.index("Receipt"), COLUMNS.index("More receipts")
PROBATIVE_LINKS, PROBATIVE_STATUS = COLUMNS.index("Probative copy"), COLUMNS.index("Probative status")
# The bank's probative_attachment.status, as the ledger says it (docs/destinations/gdrive-receipts.md).
SEALED, PENDING_SEAL = "sealed copy", "pending at the bank"
PROBATIVE_LABELS = {"available": SEALED, "pending": PENDING_SEAL, "unavailable": "not produced by the bank",
                    "corrupted": "corrupted at the bank"}
SEALED_NOT_FILED = "sealed copy, not filed yet"
# A cell starting with one of these is a formula to a spreadsheet: user text must not become one.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]

    # Every table ends with (Transaction id, <one more>, Row check): the ledger and the missing list.
    @property
    def transaction_id(self) -> str:
        return self.cells[-3]

    @property
    def check(self) -> str:
        return self.cells[-1]

    @property
    def sort_key(self) -> str:
        return self.check.split("~", 1)[0]


def clean_text(value: object) -> str:
    """A cell's text: one line, no control characters (unlike file names, quotes and slashes stay)."""
    if value is None:
        return ""
    return " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())


# A payment that did not go through: declined, or reversed (a pending authorisation cancelled).
VOID_STATUSES = ("declined", "reversed")


def is_void(transaction: Mapping[str, Any]) -> bool:
    return str(transaction.get("status") or "").lower() in VOID_STATUSES


def receipt_status(transaction: Mapping[str, Any]) -> str:
    """Present when a receipt is attached; else declared lost; else missing only when the bank requires one."""
    if transaction.get("attachment_ids"):
        return PRESENT
    if transaction.get("attachment_lost"):
        return LOST
    if transaction.get("attachment_required") is True:
        return MISSING
    return NOT_REQUIRED


def receipt_link(file_id: str | None) -> str:
    """The browser link of a Drive file, built from its id (the form Drive gives as webViewLink)."""
    return f"https://drive.google.com/file/d/{file_id}/view" if file_id else ""


def folder_link(folder_id: str | None) -> str:
    return f"https://drive.google.com/drive/folders/{folder_id}" if folder_id else ""


def safe_text(value: object) -> str:
    """User text as a literal cell: a leading apostrophe keeps "=HYPERLINK(…)" from being a formula."""
    text = clean_text(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def sort_stamp(transaction: Mapping[str, Any]) -> str:
    """Compact UTC time of the filing moment, for ordering ("20250314T102200")."""
    stamp = transaction.get("settled_at") or transaction.get("emitted_at")
    try:   # the standard library's parser first: ~20× faster than pendulum's, same answer for RFC 3339
        moment = datetime.datetime.fromisoformat(stamp)
        if moment.tzinfo is None:
            raise ValueError(stamp)
        return moment.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S")
    except (TypeError, ValueError):
        pass
    try:
        return pendulum.parse(stamp).in_timezone("UTC").format("YYYYMMDD[T]HHmmss")
    except Exception:  # no usable time: such rows sort first
        return "0"


def row_hash(cells: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join(cells).encode()).hexdigest()[:12]


def with_check(cells: Sequence[str], key: str) -> Row:
    """The row of `cells` (all but the check) with its row check appended."""
    cells = list(cells)
    return Row(tuple(cells + [f"{key}~{row_hash(cells)}"]))


def links_cells(attachment_ids: Sequence[str], file_ids: Mapping[str, str | None]) -> tuple[str, str]:
    links = [receipt_link(file_ids.get(a)) for a in attachment_ids if file_ids.get(a)]
    return (links[0] if links else ""), " ".join(links[1:])


@dataclass(frozen=True)
class SealedCopy:
    """What is known of one receipt's probative copy: the bank's status, and its Drive file once filed."""
    status: str | None
    file_id: str | None = None


def probative_label(copy: SealedCopy | None) -> str:
    """'sealed copy', 'pending at the bank', … ('' when sealed copies are not exported)."""
    if copy is None or not copy.status:
        return ""
    if copy.status == "available" and not copy.file_id:
        return SEALED_NOT_FILED
    return PROBATIVE_LABELS.get(copy.status, clean_text(copy.status))


def probative_cells(attachment_ids: Sequence[str], copies: Mapping[str, SealedCopy]) -> tuple[str, str]:
    """(links to the filed sealed copies, their statuses): one status when all agree, else each
    receipt's in receipt order, separated by "; "."""
    links = " ".join(receipt_link(copies[a].file_id) for a in attachment_ids if a in copies and copies[a].file_id)
    labels = [probative_label(copies.get(a)) for a in attachment_ids]
    shown = [label for label in labels if label]
    return links, (shown[0] if len(set(shown)) == 1 and len(shown) == len(labels) else "; ".join(shown))


def build_row(transaction: Mapping[str, Any], *, day: datetime.date, loc: Locale,
              file_ids: Mapping[str, str | None], sealed: Mapping[str, SealedCopy] | None = None) -> Row:
    """The ledger row of one transaction filed on `day`; `file_ids`: attachment id → its Drive file
    id; `sealed`: attachment id → its probative copy (none given: the probative cells stay empty)."""
    currency = clean_text(transaction.get("currency")).upper()
    side = clean_text(transaction.get("side")).lower()
    attachments = [str(a) for a in transaction.get("attachment_ids") or []]
    link, more = links_cells(attachments, file_ids)
    sealed_links, sealed_status = probative_cells(attachments, sealed or {})
    counterparty = transaction.get("clean_counterparty_name") or transaction.get("label")
    cells = [
        format_date(day, loc),
        safe_text(counterparty),
        format_amount(transaction.get("amount"), currency, loc, negative=side == "debit"),
        currency,
        side,
        format_amount(transaction.get("vat_amount"), currency, loc),
        format_rate(transaction.get("vat_rate"), loc),
        safe_text(transaction.get("category")),
        clean_text(transaction.get("status")).lower(),
        receipt_status(transaction),
        link,
        more,
        sealed_links,
        sealed_status,
        safe_text(transaction.get("note")),
        clean_text(transaction.get("id")),
        " ".join(attachments),
    ]
    return with_check(cells, sort_stamp(transaction))


def relink(row: Row, file_ids: Mapping[str, str | None], sealed: Mapping[str, SealedCopy] | None = None) -> Row:
    """The row with its receipt links (and, `sealed` given, its probative cells) rebuilt from its
    receipt ids; the same row when nothing changed.

    Only a row whose links change is re-hashed: cells read back from a spreadsheet may be displayed
    differently from how they were written, and re-hashing them would look like a change.
    """
    attachments = row.cells[RECEIPT_IDS].split()
    fresh = {LINK: None, MORE_LINKS: None}
    fresh[LINK], fresh[MORE_LINKS] = links_cells(attachments, file_ids)
    if sealed is not None:
        fresh[PROBATIVE_LINKS], fresh[PROBATIVE_STATUS] = probative_cells(attachments, sealed)
    if all(row.cells[i] == value for i, value in fresh.items()):
        return row
    cells = list(row.cells[:-1])
    for i, value in fresh.items():
        cells[i] = value
    return with_check(cells, row.sort_key)
