"""Which periods' ledgers a sync writes, besides those of its transactions (the tree and the settings).

A folder whose receipts changed, a ledger the user trashed, every ledger on a full refresh, and on
a change of `period` the new periods receiving the rows of the former periods' ledgers. Ledgers of
a former `period` setting are never written again (regroup.py).
"""

from __future__ import annotations

import logging
from typing import Callable

from destination_gdrive_receipts.drive.inventory import PERIOD, Entry
from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.ledger import regroup
from destination_gdrive_receipts.ledger.files import LEDGER, WatchedTree
from destination_gdrive_receipts.ledger.plan import PeriodChange
from destination_gdrive_receipts.ledger.sheet_book import SheetLedgers, is_current

logger = logging.getLogger("airbyte")
Changes = dict[tuple[str, str], PeriodChange]


def add_receipt_changes(tree: WatchedTree, changes: Changes, foreign: Callable[[str], bool]) -> None:
    """Periods whose receipts were put, restored or moved this sync: their links may change."""
    for folder_id in sorted(tree.receipt_folders_changed):
        folder = tree.get(folder_id)
        if folder is None or folder.kind != PERIOD or not folder.live:
            continue
        account, period = folder.markers.get("acct", ""), folder.markers.get("period", "")
        if account and not account.startswith("h:") and not foreign(period):
            changes.setdefault((account, period), PeriodChange(account, period))


def add_trashed_ledgers(tree: WatchedTree, changes: Changes, foreign: Callable[[str], bool]) -> None:
    """A ledger the user deleted (in the trash, its folder live) comes back, like a receipt."""
    for entry in tree.of_kind(LEDGER):
        if entry.explicitly_trashed and tree.is_live_folder(entry.parent):
            key = (entry.markers.get("acct", ""), entry.markers.get("period", ""))
            if key[0] and not key[0].startswith("h:") and not _has_live_ledger(tree, entry.parent) \
                    and not foreign(key[1]):
                changes.setdefault(key, PeriodChange(*key, restore_only=True))


def add_every_ledger(tree: WatchedTree, changes: Changes, foreign: Callable[[str], bool]) -> None:
    for entry in tree.of_kind(LEDGER):
        key = (entry.markers.get("acct", ""), entry.markers.get("period", ""))
        if entry.live and key[0] and not key[0].startswith("h:") and not foreign(key[1]):
            changes.setdefault(key, PeriodChange(*key))


def carry_over(tree: WatchedTree, changes: Changes, period: str, sheets: SheetLedgers) -> list[Entry]:
    """`period` changed: rows of the former periods' ledgers go to the new periods' (regroup.py)."""
    retiring = []
    for entry in tree.of_kind(LEDGER):
        account, key = entry.markers.get("acct", ""), entry.markers.get("period", "")
        if not (entry.live and is_current(entry) and regroup.is_foreign(key, period)) or not account \
                or account.startswith("h:"):
            continue
        for cells in sheets.ledger_table().read_all(entry.id):
            day = regroup.from_serial(cells.get("date"))
            if day is not None:
                new_key = layout.period_key(day, period)
                change = changes.setdefault((account, new_key), PeriodChange(account, new_key))
                change.carried[str(cells.get("transaction_id"))] = (regroup.as_transaction(cells), day)
        retiring.append(entry)
    if retiring:
        logger.info("`period` changed: %d ledger(s) of the former periods are carried over into the new "
                    "periods' ledgers and kept, no longer updated, in their folders.", len(retiring))
    return retiring


def _has_live_ledger(tree: WatchedTree, folder_id: str | None) -> bool:
    return any(e.live and e.parent == folder_id for e in tree.of_kind(LEDGER))
