"""What a user and an accountant see in Drive, compared with what the bank holds.

The oracle is written here from the product promises (DESIGN.md), not taken from the destination:
a receipt is filed under <root>/<bank account>/<period of its settlement date, else emission date,
in the configured time zone>/ exactly once, with the bank's bytes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

EXPORTED_STATUSES = ("completed", "pending")


def exported_attachments(bank) -> dict[str, object]:
    """Attachment id → Attachment, for every receipt the promise covers (start date before all data)."""
    dataset = bank.dataset
    with dataset.lock:
        return {
            attachment.id: attachment
            for attachment in dataset.attachments.values()
            if dataset.transactions[attachment.transaction_id].status in EXPORTED_STATUSES
        }


def receipt_files(drive, variant: str = "original") -> dict[str, list]:
    """Attachment id → the live (not trashed) receipt files carrying it, of one variant (the
    original, or the bank's sealed copy: "probative")."""
    found: dict[str, list] = defaultdict(list)
    for record in list(drive.files.values()):
        props = record.app_properties or {}
        if props.get("kind") == "receipt" and not record.trashed and props.get("var", "original") == variant:
            found[props["att"]].append(record)
    return dict(found)


def sealed_files(drive) -> dict[str, list]:
    return receipt_files(drive, "probative")


def check_sealed_copies(bank, drive, *, except_ids: frozenset[str] = frozenset()) -> list[str]:
    """Problems with the promise 'every available sealed copy once, byte-identical, beside its original'."""
    expected = {key for key, att in exported_attachments(bank).items()
                if att.probative_status == "available" and att.probative_fault is None and key not in except_ids}
    found, originals = sealed_files(drive), receipt_files(drive)
    problems = []
    for attachment_id in sorted(expected):
        files = found.get(attachment_id, [])
        if len(files) != 1:
            problems.append(f"sealed copy of {attachment_id}: {len(files)} copies in Drive")
            continue
        if drive.content(files[0].id) != bank.probative.sealed(bank.dataset.attachments[attachment_id]):
            problems.append(f"sealed copy of {attachment_id}: bytes differ from the bank's")
        original = (originals.get(attachment_id) or [None])[0]
        if original is None or original.parents != files[0].parents:
            problems.append(f"sealed copy of {attachment_id}: not beside its original")
    problems += [f"unexpected sealed copy in Drive: {a}" for a in sorted(set(found) - expected - set(except_ids))]
    return problems


def expected_period(bank, attachment_id: str, tz: str = "Europe/Paris") -> str:
    """Monthly period folder name of a receipt, from its transaction's dates."""
    txn = bank.dataset.transactions[bank.dataset.attachments[attachment_id].transaction_id]
    millis = txn.settled_ms if txn.settled_ms is not None else txn.emitted_ms
    return datetime.fromtimestamp(millis / 1000, tz=timezone.utc).astimezone(ZoneInfo(tz)).strftime("%Y-%m")


def folder_name(drive, record) -> str:
    return drive.files[record.parents[0]].name


def check_exactly_once(bank, drive, *, except_ids: frozenset[str] = frozenset()) -> list[str]:
    """Problems with the promise 'every receipt once, byte-identical, in its period folder'.

    Returns readable problems (empty when everything holds) so a failing test says what is wrong.
    `except_ids` are receipts the user chose to lose (a deleted period folder).
    """
    expected = {key: value for key, value in exported_attachments(bank).items() if key not in except_ids}
    found = receipt_files(drive)
    problems = []
    for attachment_id, attachment in sorted(expected.items()):
        files = found.get(attachment_id, [])
        if len(files) != 1:
            problems.append(f"{attachment.file_name!r} ({attachment_id}): {len(files)} copies in Drive")
            continue
        if drive.content(files[0].id) != bank.attachment_bytes(attachment_id):
            problems.append(f"{attachment.file_name!r} ({attachment_id}): bytes differ from the bank's")
        period = expected_period(bank, attachment_id)
        if folder_name(drive, files[0]) != period:
            problems.append(f"{attachment.file_name!r}: in {folder_name(drive, files[0])!r}, expected {period!r}")
    unexpected = sorted(set(found) - set(expected) - set(except_ids))
    problems += [f"unexpected receipt in Drive: {attachment_id}" for attachment_id in unexpected]
    return problems
