"""A ledger as a table: CSV in and out, merge of changed rows, and the digest of its rows (pure).

Rows are keyed by transaction id. Reading back maps cells by header name, so a user who moves a
column does not scramble the rows; a table without the "Transaction id" column is unreadable.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from destination_gdrive_receipts.ledger.rows import COLUMNS, Row

FORMAT_VERSION = "1"


@dataclass
class Table:
    rows: dict[str, Row] = field(default_factory=dict)   # transaction id → row
    readable: bool = True


def encode(rows: Iterable[Row], columns: Sequence[str] = COLUMNS, title: str | None = None) -> bytes:
    """CSV (RFC 4180, CRLF) with an optional title line, then the header row, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if title is not None:
        writer.writerow([title])
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row.cells)
    return out.getvalue().encode("utf-8")


def decode(data: bytes, columns: Sequence[str] = COLUMNS, key_column: str = "Transaction id") -> Table:
    """Rows of a CSV written by encode() (title line, if any, skipped), keyed by transaction id."""
    text = data.decode("utf-8-sig", errors="replace")
    lines = list(csv.reader(io.StringIO(text)))
    header_at = next((i for i, line in enumerate(lines[:3]) if key_column in line), None)
    if header_at is None:
        return Table(readable=not any(any(cell.strip() for cell in line) for line in lines))
    header = lines[header_at]
    positions = [header.index(c) if c in header else None for c in columns]
    key = columns.index(key_column)
    width = len(columns)
    table = Table()
    for line in lines[header_at + 1:]:
        cells = tuple(line[p].strip() if p is not None and p < len(line) else "" for p in positions)
        if cells[key] and len(cells) == width:
            table.rows[cells[key]] = Row(cells)
    return table


def merge(existing: Mapping[str, Row], upserts: Mapping[str, Row], removals: Iterable[str] = (),
          *, newest_first: bool = False) -> list[Row]:
    """Existing rows with changed ones replaced or added and removed ones dropped, ordered by date."""
    merged = {k: v for k, v in existing.items() if k not in set(removals)}
    merged.update(upserts)
    return sorted(merged.values(), key=lambda r: (r.sort_key, r.transaction_id), reverse=newest_first)


def digest(rows: Iterable[Row], *extra: str) -> str:
    """Short digest of the rows' identities and checks (and any settings in `extra`)."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    for part in extra:
        h.update(b"\x1e" + part.encode())
    for row in rows:
        h.update(b"\x1e" + row.transaction_id.encode() + b"\x1f" + row.check.encode())
    return base64.urlsafe_b64encode(h.digest()[:16]).decode().rstrip("=")


