"""The root folder found wherever the user put it: moved, renamed, or doubled by an older version."""

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write
from integration_tests.destination.test_write_backfill import receipts_in
from integration_tests.emulators.drive.client import build_drive

ITEMS = [(M.receipt(n, settled_at=f"2025-0{1 + n % 2}-1{n}T10:00:00Z"), M.content_of(n)) for n in range(4)]


def roots(drive):
    return [f for f in drive.files.values() if f.app_properties.get("kind") == "root" and not f.trashed]


def sync(tmp_path, config, items=ITEMS):
    result = run_write(tmp_path, config, M.receipts_messages(items))
    assert result.returncode == 0, result.stderr
    return result


def test_given_root_moved_into_a_folder_of_the_user_when_synced_then_no_second_root_and_nothing_uploaded_twice(
        drive, config, tmp_path):
    sync(tmp_path, config)
    (root,) = roots(drive)
    accounting = drive.create_user_folder("Comptabilité")
    drive.user_move(root.id, accounting)
    drive.reset_counters()

    result = sync(tmp_path, config, ITEMS + [(M.receipt(9, settled_at="2025-02-19T10:00:00Z"), M.content_of(9))])

    assert [r.id for r in roots(drive)] == [root.id]
    # The new receipt and the manifest (which remembers it while Drive's search lags): nothing twice.
    assert drive.counts["write"] == 2 and "uploaded 1, updated 0" in result.logs
    assert all(p.startswith("Comptabilité/Qonto/") for p in drive.paths() if "ticket" in p or "ACME" in p)
    assert len(receipts_in(drive)) == len(ITEMS) + 1


def test_given_root_moved_and_renamed_while_search_lags_when_synced_then_the_old_root_is_found(
        drive, config, tmp_path):
    sync(tmp_path, config)
    (root,) = roots(drive)
    drive.user_move(root.id, drive.create_user_folder("Archives"))
    drive.user_rename(root.id, "Banque")
    drive.set_search_lag(True)      # items made from now are not searchable; the old root is indexed
    drive.reset_counters()

    sync(tmp_path, config)

    assert [r.id for r in roots(drive)] == [root.id] and drive.counts["write"] == 0


def test_given_two_live_roots_of_the_connection_when_synced_then_a_warning_names_both_and_no_third_is_made(
        drive, config, tmp_path):
    sync(tmp_path, config)
    (first,) = roots(drive)
    drive.user_move(first.id, drive.create_user_folder("Comptabilité"))
    # What 0.2.0 did next: it looked only at the top of My Drive and made a second root there.
    second = build_drive(drive).files().create(
        body={"name": "Qonto", "mimeType": "application/vnd.google-apps.folder",
              "appProperties": dict(first.app_properties)}, fields="id").execute()["id"]

    result = sync(tmp_path, config)

    assert sorted(r.id for r in roots(drive)) == sorted([first.id, second])
    assert first.id in result.logs and second in result.logs and "2 root folders of this connection" in result.logs
    assert all(f.parents[0] != second for f in drive.files.values())          # filed into the oldest root
    assert "uploaded 0" in result.logs
