"""Sealed (probative) copies end to end: the bank's PAdES copy filed once beside each original,
pending ones arriving the night they become available, restored, moved, and faulty ones left out.

Scenarios share syncs (each sync is two processes and a few seconds) to keep the default run short.
"""

from __future__ import annotations

import io

import pytest

from integration_tests.destination import ledger_view
from integration_tests.e2e.conftest import SMALL_BANK
from integration_tests.e2e.drive_view import (
    check_exactly_once,
    check_sealed_copies,
    exported_attachments,
    folder_name,
    receipt_files,
    sealed_files,
)

pytestmark = pytest.mark.slow
MIX = (("available", 6), ("pending", 2), ("unavailable", 1), ("corrupted", 1))
BANK = {**SMALL_BANK, "large_receipt_sizes": (), "probative": MIX}


@pytest.fixture
def sealed_world(make_world):
    from integration_tests.emulators.bank import make_sample_dataset

    return make_world(make_sample_dataset(**BANK), source_overrides={"probative_copies": True})


def _with_status(world, status: str) -> list:
    return [a for a in exported_attachments(world.bank).values() if a.probative_status == status]


LABELS = {"available": "sealed copy", "pending": "pending at the bank", "unavailable": "not produced by the bank",
          "corrupted": "corrupted at the bank"}


def _ledger_sealed_cells(drive) -> dict[str, tuple[str, set[str]]]:
    """Transaction id → (its ledger row's probative status, the links of its probative copy cell)."""
    out = {}
    for record in list(drive.files.values()):
        if record.app_properties.get("kind") == "ledger" and not record.trashed:
            book = drive.spreadsheet(record.id)
            sheet, columns = ledger_view.connector_tab(book)
            for r in range(1, len(sheet.rows)):
                tx_id = ((sheet.cell(r, columns["transaction_id"]) or {}).get("userEnteredValue") or {}).get("stringValue")
                status = ((sheet.cell(r, columns["probative_status"]) or {}).get("userEnteredValue") or {}).get("stringValue")
                if tx_id:
                    out[tx_id] = (status or "", set(ledger_view.links(book, r, "probative_copy")))
    return out


def _sealed_cell_problems(world) -> list[str]:
    """Rows whose probative cells differ from the bank's statuses and the copies filed in Drive."""
    cells, copies, problems = _ledger_sealed_cells(world.drive), sealed_files(world.drive), []
    by_tx: dict[str, list] = {}
    for attachment in exported_attachments(world.bank).values():
        by_tx.setdefault(attachment.transaction_id, []).append(attachment)
    for tx_id, attachments in by_tx.items():
        statuses = {a.probative_status for a in attachments}
        if len(statuses) != 1:
            continue           # mixed statuses: one label per receipt, table-tested in the unit tests
        wanted_links = {f"https://drive.google.com/file/d/{copies[a.id][0].id}/view" for a in attachments if a.id in copies}
        if cells.get(tx_id) != (LABELS[statuses.pop()], wanted_links):
            problems.append(f"{tx_id}: {cells.get(tx_id)} (statuses {[a.probative_status for a in attachments]})")
    return problems


def _every_status_on_a_receipt_of_its_own(world) -> None:
    """The sample's mix spread over transactions of one receipt each, so each status has rows of its own."""
    single = [a for a in exported_attachments(world.bank).values()
              if len(world.bank.dataset.transactions[a.transaction_id].attachment_ids) == 1]
    statuses = {a.probative_status for a in single}
    spare = [a for a in single if a.probative_status == "available"][:-2]
    for status in ("pending", "unavailable", "corrupted"):
        if status not in statuses:
            world.bank.set_probative(spare.pop().id, status)


def _seal_intact(data: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    status = validate_pdf_signature(PdfFileReader(io.BytesIO(data)).embedded_signatures[0])
    return status.intact and status.valid


def _add_pending_payment_with_sealed_copy(bank) -> str:
    main = next(a for a in bank.dataset.accounts.values() if a.main)
    txn = bank.add_transaction(main.id, amount=89.9, label="Hôtel du Nord", status="pending",
                               emitted_at="2025-11-30T20:00:00.000Z", settled_at=None,
                               attachments=[{"file_name": "hotel.pdf", "size": 42_000, "probative": "available"}])
    return txn["id"]


def test_given_copies_on_when_backfilled_then_filed_beside_originals_pending_arrive_deleted_restored_settled_moved_tampering_reported(sealed_world):
    bank, drive = sealed_world.bank, sealed_world.drive
    hotel = _add_pending_payment_with_sealed_copy(bank)
    hotel_receipt = bank.dataset.transactions[hotel].attachment_ids[0]
    _every_status_on_a_receipt_of_its_own(sealed_world)

    first = sealed_world.sync()

    # Backfill: every available copy once, the bank's bytes, beside its original, named after it, seal intact.
    assert check_exactly_once(bank, drive) == [] and check_sealed_copies(bank, drive) == []
    available, pending = _with_status(sealed_world, "available"), _with_status(sealed_world, "pending")
    assert len(available) >= 3 and pending and _with_status(sealed_world, "unavailable") + _with_status(sealed_world, "corrupted")
    copy = sealed_files(drive)[available[0].id][0]
    original = receipt_files(drive)[available[0].id][0]
    assert copy.name == original.name.rsplit(".", 1)[0] + " (probative).pdf"
    assert _seal_intact(drive.content(copy.id))
    summary = [m["log"]["message"] for m in first.messages if m.get("type") == "LOG" and "Sealed copies at the bank" in m["log"]["message"]]
    labels = {"pending": "pending at the bank", "unavailable": "not produced by the bank", "corrupted": "corrupted at the bank"}
    assert len(summary) == 1 and all(f"{len(_with_status(sealed_world, status))} {label}" in summary[0]
                                     for status, label in labels.items() if _with_status(sealed_world, status))
    assert folder_name(drive, sealed_files(drive)[hotel_receipt][0]) == "2025-11"
    # The ledger rows: a link to each filed sealed copy and the bank's status, in words.
    assert _sealed_cell_problems(sealed_world) == []
    assert set(LABELS.values()) <= {status for status, _ in _ledger_sealed_cells(drive).values()}
    assert all(status == "" for tx, (status, _) in _ledger_sealed_cells(drive).items()
               if not bank.dataset.transactions[tx].attachment_ids)

    # The night after: a pending copy became available (no updated_at bump), the user deleted a
    # copy, the pending payment settled in the next month.
    bank.set_probative(pending[0].id, "available")
    victim = sealed_files(drive)[available[1].id][0]
    drive.user_delete(victim.id)
    bank.settle(hotel, settled_at="2025-12-02T10:00:00.000Z")
    sealed_world.sync()

    assert len(sealed_files(drive)[pending[0].id]) == 1
    assert len(sealed_files(drive)[available[1].id]) == 1
    assert folder_name(drive, receipt_files(drive)[hotel_receipt][0]) == "2025-12"
    assert folder_name(drive, sealed_files(drive)[hotel_receipt][0]) == "2025-12"
    assert check_exactly_once(bank, drive) == [] and check_sealed_copies(bank, drive) == []
    assert _sealed_cell_problems(sealed_world) == []     # the copy made available since: linked, "sealed copy"

    # A quiet night: nothing downloaded, nothing written.
    bank.reset_counters()
    assert sealed_world.sync_counting_drive_writes() == 0
    assert bank.count(prefix="/_s3/") == 0

    # make verify: counts per period, and a copy whose signed bytes changed in Drive is reported.
    _assert_seal_check_reports_tampering(sealed_world)


def _assert_seal_check_reports_tampering(world) -> None:
    from destination_gdrive_receipts.config import parse_config
    from destination_gdrive_receipts.sync import open_gateway
    from tools.verify_seals import run

    copies = sealed_files(world.drive)
    tampered = next(iter(copies.values()))[0]
    data = bytearray(world.drive.content(tampered.id))
    data[data.index(b"Probative copy of receipt")] ^= 0x01   # one byte of the signed revision
    with world.drive._store.lock:
        world.drive.files[tampered.id].content = bytes(data)

    out = io.StringIO()
    config = parse_config(world.destination_config())
    code = run(open_gateway(config), config.root_folder_name, out=out)

    text = out.getvalue()
    assert code == 1
    assert f"{len(copies) - 1} of {len(copies)} sealed copies intact" in text
    assert "NOT intact: " in text and tampered.name in text and "signed bytes changed since sealing" in text
    assert "Emulated Bank Seal (test certificate)" in text
    period_lines = [line for line in text.splitlines() if " sealed copies intact" in line and " / " in line]
    assert sum(int(line.split(": ")[1].split(" of ")[1].split()[0]) for line in period_lines) == len(copies)


def test_given_copies_off_when_synced_then_nothing_probative_read_or_filed(make_world):
    from integration_tests.emulators.bank import make_sample_dataset

    world = make_world(make_sample_dataset(**BANK))
    world.sync()

    assert sealed_files(world.drive) == {}
    cells = _ledger_sealed_cells(world.drive)
    assert cells and all(v == ("", set()) for v in cells.values())      # the probative columns stay empty
    assert world.bank.count(prefix="/_s3/") == len(exported_attachments(world.bank))  # originals only
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_bank_serves_bad_sealed_copies_when_synced_then_never_filed_one_warning_each_per_connector(sealed_world):
    faults = ("unsigned", "truncated", "gate")
    victims = _with_status(sealed_world, "available")[: len(faults)]
    for victim, fault in zip(victims, faults):
        sealed_world.bank.set_probative(victim.id, "available", fault=fault)

    result = sealed_world.sync()

    bad = frozenset(v.id for v in victims)
    assert not bad & set(sealed_files(sealed_world.drive))
    assert check_sealed_copies(sealed_world.bank, sealed_world.drive, except_ids=bad) == []
    destination = [m["log"]["message"] for m in result.messages if m.get("type") == "LOG" and m["log"].get("level") == "WARN"]
    for victim in victims:
        about = f"Sealed copy of receipt {victim.id}"
        assert sum(about in text for text in result.sent.warnings) == 1
        # receipt_index offers the copy too; the destination checks it the same way and says so once.
        assert sum(about in text for text in destination) == 1

