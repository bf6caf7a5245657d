"""Writes the ledgers and the missing-receipts list at the end of a sync, after receipts are filed.

Cost rules: a period is read only when this sync changed one of its transactions or receipts, and
written only when one of its rows changed (Sheets: row checks read back, sheet_table.py; CSV: the
digest of its rows kept in the file's appProperties); the missing list likewise. A sync with no new
transaction reads and writes nothing here, except to put back a ledger the user trashed (an
untrash, known from the tree listing).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from destination_gdrive_receipts.config import Config
from destination_gdrive_receipts.drive.gateway import DriveGateway
from destination_gdrive_receipts.drive.inventory import Entry, marker_value
from destination_gdrive_receipts.filing import layout
from destination_gdrive_receipts.filing.folders import Folders
from destination_gdrive_receipts.filing.manifest import Manifest
from destination_gdrive_receipts.ledger import files, missing, periods, regroup, table
from destination_gdrive_receipts.ledger.buffer import OFFSET, TransactionBuffer
from destination_gdrive_receipts.ledger.formats import locale
from destination_gdrive_receipts.ledger.plan import Filing, PeriodChange, group
from destination_gdrive_receipts.ledger.probative import SealedCopies, no_status
from destination_gdrive_receipts.ledger.rows import RECEIPT_IDS, Row, build_row, relink
from destination_gdrive_receipts.ledger.sheet_book import SheetLedgers, TooLargeError, is_current

logger = logging.getLogger("airbyte")


@dataclass
class Report:
    touched: int = 0
    written: int = 0
    skipped_deleted: int = 0
    missing_written: bool = False
    missing_counts: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """"3 period(s) touched, 4 ledger write(s) (missing list rewritten); 2 transactions still …"."""
        total = self.written + int(self.missing_written)
        return (f"{self.touched} period(s) touched, {total} ledger write(s)"
                f"{' (missing list rewritten)' if self.missing_written else ''}; {missing.summary(self.missing_counts)}")


class LedgerBook:
    def __init__(self, *, config: Config, gateway: DriveGateway, tree: files.WatchedTree, folders: Folders,
                 manifest: Manifest, account_name: Callable[[str], str], reset: bool,
                 now: Callable[[], datetime.datetime] | None = None, sheets: Callable[[], Any] | None = None,
                 probative_status: Callable[[str], str | None] = no_status) -> None:
        self._config, self._gateway, self._tree, self._folders = config, gateway, tree, folders
        self._manifest, self._account_name = manifest, account_name
        self._fmt, self._loc = config.ledger, locale(config.ledger_locale)
        self._reset = reset
        self._sheets = SheetLedgers(gateway, tree, sheets or (lambda: None), locale=config.ledger_locale,
                                    time_zone=config.timezone)
        self._sealed = self._sheets.sealed = SealedCopies(tree, probative_status)
        self._now = now or (lambda: datetime.datetime.now(layout._zone(config.timezone)))
        self.report = Report()

    # ---- the whole pass -------------------------------------------------------------------------
    def run(self, transactions: TransactionBuffer) -> Report:
        missing_entry = self._missing_entry()
        reset = self._reset
        # Ledgers were written before (the list exists): a live period folder without any is one deleted forever.
        self._had_ledgers = missing_entry is not None
        self._folders_before = self._tree.periods_at_open
        if reset:
            logger.info("Reset of the transactions stream: every ledger is rebuilt from this sync's transactions.")
        self._buffer = transactions
        changes, filed = group(transactions.with_offsets(), period=self._config.period,
                               timezone=self._config.timezone, account_name=self._account_name,
                               on_error=self._skip_transaction, keep=lambda tx: tx[OFFSET], load=transactions.at)
        periods.add_receipt_changes(self._tree, changes, self._foreign)
        periods.add_trashed_ledgers(self._tree, changes, self._foreign)
        if reset:
            periods.add_every_ledger(self._tree, changes, self._foreign)
        retiring = periods.carry_over(self._tree, changes, self._config.period, self._sheets) \
            if self._fmt == files.SHEET else []
        self.report.touched = len(changes)
        for key in sorted(changes):
            self._write_period(changes.pop(key), reset)      # each period's bookkeeping freed once written
        for entry in retiring:
            self._sheets.retire(entry, regroup.RETIRED)
        if self._sheets.upgraded:
            logger.warning("%d ledger(s) written by 0.2.0 (converted CSV, numbers and dates possibly misread) were "
                           "replaced by Sheets built from the bank's data of this sync; the old ones are in the trash. "
                           "The bank receipts source re-reads every transaction once after its upgrade, so they are "
                           "whole; with a source older than 0.3.0, refresh the transactions stream once.",
                           self._sheets.upgraded)
        if filed or reset:
            self._write_missing(missing_entry, filed, reset)
        elif missing_entry is not None and missing_entry.explicitly_trashed:
            files.untrash(self._gateway, self._tree, missing_entry)      # the user trashed it: put it back
            self.report.missing_written = True
            self.report.missing_counts = missing.counts_from_markers(missing_entry)
        else:
            self.report.missing_counts = missing.counts_from_markers(missing_entry)
        return self.report

    def _skip_transaction(self, transaction: Mapping, error: Exception) -> None:
        logger.warning("Transaction %s left out of the ledgers: %s", transaction.get("id"), error)

    def _foreign(self, period_key: str) -> bool:
        return regroup.is_foreign(period_key, self._config.period)

    # ---- one period ---------------------------------------------------------------------------------
    def _write_period(self, change: PeriodChange, reset: bool) -> None:
        folder_id = self._folder(change)
        if folder_id is None:
            return
        candidates = self._ledgers_of(change.account_id, change.period)
        if change.restore_only and candidates and candidates[0].parent == folder_id:
            files.untrash(self._gateway, self._tree, candidates[0])    # its rows are as we wrote them
            self.report.written += 1
            return
        if self._fmt == files.SHEET:
            self._write_sheet_period(change, folder_id, candidates, reset)
            return
        target = next((e for e in candidates if e.parent == folder_id and e.markers.get("fmt") == self._fmt
                       and (e.live or e.explicitly_trashed)), None)
        source = target or (candidates[0] if candidates else None)
        if source is None and not reset and self._had_ledgers and folder_id in self._folders_before:
            logger.warning("The ledger of %s (account %s) is gone from Drive (deleted forever?): it is written again "
                           "with this sync's transactions of the period; a full refresh of the transactions "
                           "stream makes it whole.", change.period, change.account_name or change.account_id)
        # A Sheet is not read into a CSV ledger: its cells are typed and its first tab may be the user's.
        readable = source is not None and source.markers.get("fmt") == files.CSV
        existing = self._read(source, table.decode) if readable and not reset else {}
        loaded = {str(tx["id"]): (tx, day) for tx, day in map(self._load, change.upserts)}
        file_ids = self._file_ids(existing.values(), loaded.values())
        rows = {k: relink(r, file_ids, self._sealed.copies(r.cells[RECEIPT_IDS].split())) for k, r in existing.items()}
        upserts = {tx_id: build_row(tx, day=day, loc=self._loc, file_ids=file_ids,
                                    sealed=self._sealed.copies(tx.get("attachment_ids") or []))
                   for tx_id, (tx, day) in loaded.items()}
        merged = table.merge(rows, upserts, change.removals)
        dg = table.digest(merged)
        if target is not None and target.live and target.markers.get("dg") == dg:
            return
        if target is None and not merged:
            return
        markers = {"kind": files.LEDGER, "root": self._tree.root_id,
                   "acct": marker_value("acct", change.account_id), "period": change.period,
                   "fmt": self._fmt, "dg": dg}
        files.write(self._gateway, self._tree, existing=target, parent=folder_id,
                    name=files.ledger_name(change.period, self._fmt), fmt=self._fmt, markers=markers,
                    data=table.encode(merged), description=_LEDGER_DESCRIPTION)
        self.report.written += 1
        if source is not None and source is not target and source.live:
            files.trash(self._gateway, self._tree, source)      # the ledger changed format (sheet ↔ csv)
            self.report.written += 1

    def _write_sheet_period(self, change: PeriodChange, folder_id: str, candidates: list[Entry], reset: bool) -> None:
        target = next((e for e in candidates if e.parent == folder_id and is_current(e)
                       and (e.live or e.explicitly_trashed)), None)
        links = "changed" if folder_id in self._tree.receipt_folders_changed else ""
        elsewhere = next((e for e in candidates if is_current(e) and e.parent != folder_id), None)
        moved = target is None and elsewhere is not None
        if moved:       # its folder was trashed and a new one made: the ledger follows, with the user's work
            target, links = self._sheets.move_into(elsewhere, folder_id), "all"
        if target is None and not reset and self._had_ledgers and folder_id in self._folders_before \
                and not any(e.live and e.parent == folder_id for e in candidates):
            logger.warning("The ledger of %s (account %s) is gone from Drive (deleted forever?): it is written again "
                           "with this sync's transactions of the period; a full refresh of the transactions "
                           "stream makes it whole.", change.period, change.account_name or change.account_id)
        upserts = {tx_id: self._sheets.ledger_row(tx, day) for tx_id, (tx, day) in change.carried.items()}
        for transaction, day in map(self._load, change.upserts):
            upserts[str(transaction["id"])] = self._sheets.ledger_row(transaction, day)
        markers = {"kind": files.LEDGER, "root": self._tree.root_id,
                   "acct": marker_value("acct", change.account_id), "period": change.period, "fmt": self._fmt}
        try:
            written = self._sheets.write(target=target, parent=folder_id, name=files.ledger_name(change.period, self._fmt),
                                         markers=markers, description=_LEDGER_DESCRIPTION, upserts=upserts,
                                         removals=change.removals, rebuild=reset, relink=links)[2]
        except TooLargeError as error:
            logger.warning("The ledger of %s (account %s) could not be written: %s. Receipts are filed and other "
                           "ledgers written; split the period (a shorter `period`) to bring it under Sheets' limits.",
                           change.period, change.account_name or change.account_id, error)
            return
        self.report.written += int(written or moved)
        for old in candidates:      # a CSV ledger (format changed) or a 0.2.0 converted one: replaced
            if (target is None or old.id != target.id) and old.live and old.parent == folder_id \
                    and (written or target is not None):
                self._sheets.upgraded += int(old.markers.get("fmt") == files.SHEET)
                files.trash(self._gateway, self._tree, old)

    def _load(self, offset: int) -> tuple[dict, datetime.date]:
        """A transaction of this sync read back from the spool, with the day it is filed on."""
        transaction = self._buffer.at(offset)
        return transaction, layout.filing_date(transaction, self._config.timezone)

    def _folder(self, change: PeriodChange) -> str | None:
        """The live period folder; a new one only for rows to show and a period the user never deleted."""
        live = self._tree.live_period(change.account_id, change.period)
        if live is not None:
            return live.id
        account = marker_value("acct", change.account_id)
        if any(d.account_id == account and d.period == change.period for d in self._manifest.deleted):
            self.report.skipped_deleted += 1
            return None
        if not change.upserts and not change.carried:
            return None
        name = change.account_name or self._account_name(change.account_id)
        return self._folders.period(change.account_id, name, change.period)

    def _ledgers_of(self, account_id: str, period: str) -> list[Entry]:
        """This period's ledger files: live first, then the most recently made."""
        account = marker_value("acct", account_id)
        found = [e for e in self._tree.of_kind(files.LEDGER)
                 if e.markers.get("acct") == account and e.markers.get("period") == period]
        return sorted(found, key=lambda e: (not e.live, not e.explicitly_trashed, _desc(e.created)))

    def _read(self, entry: Entry, decode: Callable[[bytes], table.Table]) -> dict[str, Row]:
        parsed = decode(files.read_rows(self._gateway, entry))
        if not parsed.readable:
            logger.warning("%s (%s) lost its \"Transaction id\" column and cannot be merged: it is rebuilt from "
                           "this sync's transactions only. Refresh the transactions stream to rebuild it whole.",
                           entry.name, entry.id)
        return parsed.rows

    def _file_ids(self, rows, transactions) -> dict[str, str | None]:
        """Attachment id → live receipt file id, for every receipt these rows and transactions link to."""
        wanted = {a for r in rows for a in r.cells[-2].split()}
        wanted |= {str(a) for tx, _ in transactions for a in tx.get("attachment_ids") or []}
        out: dict[str, str | None] = {}
        for attachment in wanted:
            entry = self._tree.live_receipt(attachment)    # wherever the user filed it
            out[attachment] = entry.id if entry is not None else None
        return out

    # ---- the missing list ---------------------------------------------------------------------------
    def _missing_entry(self) -> Entry | None:
        found = [e for e in self._tree.of_kind(files.MISSING_LIST) if e.parent == self._tree.root_id]
        found.sort(key=lambda e: (not e.live, e.created))
        return found[0] if found else None

    def _write_missing(self, entry: Entry | None, filed: Filing, reset: bool) -> None:
        if self._fmt == files.SHEET:
            self._sheets.write_missing(entry, filed, self._buffer, self.report, reset=reset,
                                       description=_MISSING_DESCRIPTION)
            return
        decode = lambda data: table.decode(data, missing.COLUMNS)  # noqa: E731
        readable = entry is not None and entry.markers.get("fmt") == files.CSV and not reset
        existing = self._read(entry, decode) if readable else {}
        upserts: dict[str, Row] = {}
        for tx_id, where in filed.missing():
            transaction = self._buffer.at(where.transaction)
            folder = self._tree.live_period(str(transaction["bank_account_id"]), where.period)
            upserts[tx_id] = missing.build_row(transaction, day=where.day, loc=self._loc,
                                               account=where.account_name, period=where.period,
                                               folder_id=folder.id if folder else None)
        removals = [tx_id for tx_id in self._buffer.keys() if tx_id not in upserts]
        merged = table.merge(existing, upserts, removals, newest_first=True)
        dg = table.digest(merged)
        counts = missing.per_account(merged)
        self.report.missing_counts = counts
        if entry is not None and entry.live and entry.markers.get("dg") == dg:
            return
        markers: dict[str, Any] = {"kind": files.MISSING_LIST, "root": self._tree.root_id, "fmt": self._fmt, "dg": dg}
        markers.update(missing.count_markers(counts, entry))
        title = missing.title(len(merged), self._now(), self._loc, self._config.timezone)
        name = missing.NAME + (".csv" if self._fmt == files.CSV else "")
        same_format = entry is not None and entry.markers.get("fmt") == self._fmt
        files.write(self._gateway, self._tree, existing=entry if same_format else None, parent=self._tree.root_id,
                    name=name, fmt=self._fmt, markers=markers, data=table.encode(merged, missing.COLUMNS, title),
                    description=_MISSING_DESCRIPTION)
        self.report.missing_written = True
        if entry is not None and not same_format and entry.live:
            files.trash(self._gateway, self._tree, entry)



def _desc(stamp: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in stamp)


_LEDGER_DESCRIPTION = ("Every transaction of this period with its receipts. The connector updates the cells of "
                       "its own tab and columns when a transaction changes; your tabs, columns and formatting "
                       "are kept.")
_MISSING_DESCRIPTION = ("Transactions that still need a receipt. The connector updates its own tab and columns "
                        "when the list changes; other tabs and columns are yours.")
