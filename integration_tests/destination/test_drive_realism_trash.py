"""My Drive gives no trash date (trashedTime is for shared-drive items only): a receipt attached after the
user trashed or deleted its period folder, and before the next sync, must still be filed."""

import datetime as dt

import pytest

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.destination.test_write_reconcile import APRIL, MAY, backfill, index_messages, period_folder


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def filed(drive, meta) -> list:
    return [f for f in receipts_in(drive) if f.app_properties["att"] == meta["attachment_id"]]


@pytest.mark.parametrize("removal", ["trash", "delete"])
def test_given_my_drive_period_folder_removed_when_a_receipt_is_attached_after_then_three_nightlies_file_it_once(
        drive, config, bank, tmp_path, removal):
    backfill(drive, config, tmp_path, APRIL + [MAY])
    folder = period_folder(drive, "2025-04")
    (drive.user_trash if removal == "trash" else drive.user_delete)(folder.id)
    assert "trashedTime" not in str(drive.files.get(folder.id, ""))     # My Drive: no trash date to read
    late = M.receipt(8, settled_at="2025-04-25T10:00:00Z", created_at=now())    # attached after the removal

    first = run_write(tmp_path, config, M.receipts_messages([(late, M.content_of(8))]) + index_messages(bank, APRIL + [MAY]))

    assert first.returncode == 0, first.stderr
    (copy,) = filed(drive, late)
    assert copy.parents == [period_folder(drive, "2025-04").id] and copy.parents != [folder.id]
    assert not any(filed(drive, meta) for meta in APRIL), "the receipts the user removed stay out"
    assert "skipped deleted folder 3" in first.logs and bank.downloads == 0

    # Nightly 2: the index again, nothing new: nothing written, the removal still respected.
    drive.reset_counters()
    second = run_write(tmp_path, config, index_messages(bank, APRIL + [MAY, late]))
    assert second.returncode == 0 and drive.counts["write"] == 0
    # Nightly 3: one more late receipt for the same month joins the recreated folder.
    later = M.receipt(9, settled_at="2025-04-26T10:00:00Z", created_at=now())
    third = run_write(tmp_path, config, M.receipts_messages([(later, M.content_of(9))])
                      + index_messages(bank, APRIL + [MAY, late, later]))
    assert third.returncode == 0, third.stderr
    assert filed(drive, later)[0].parents == copy.parents
    assert sorted(len(filed(drive, m)) for m in [late, later, MAY]) == [1, 1, 1]
    assert not any(filed(drive, meta) for meta in APRIL)
