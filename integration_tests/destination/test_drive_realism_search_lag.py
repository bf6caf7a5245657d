"""Drive's search may lag its writes on name and property terms (kopia/kopia#90): `check`, an immediate
sync and a rerun must still leave one root folder and every receipt once."""

from collections import Counter

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_check, run_write
from integration_tests.destination.test_write_backfill import receipts_in

ITEMS = [(M.receipt(n, account=("acc-main", "acc-tax")[n % 2], settled_at=f"2025-0{1 + n % 6}-1{n % 10}T10:00:00Z"),
          M.content_of(n)) for n in range(24)]


def roots(drive):
    return [f for f in drive.files.values() if f.app_properties.get("kind") == "root"]


def no_duplicates(drive) -> bool:
    kinds = Counter((f.app_properties.get("kind"), f.app_properties.get("att") or f.app_properties.get("period")
                     or f.app_properties.get("acct")) for f in drive.files.values() if not f.trashed)
    return all(n == 1 for n in kinds.values())


def test_given_search_lag_when_check_then_sync_then_rerun_and_nightlies_then_one_root_and_no_duplicates(drive, config, tmp_path):
    drive.set_search_lag(True)       # nothing made from now on shows in name/property searches

    check = run_check(tmp_path, config)
    first = run_write(tmp_path, config, M.receipts_messages(ITEMS))
    drive.reset_counters()
    rerun = run_write(tmp_path, config, M.receipts_messages(ITEMS))
    nightlies = [run_write(tmp_path, config, M.receipts_messages(
        [(M.receipt(100 + n, settled_at="2025-07-01T10:00:00Z"), M.content_of(100 + n))])) for n in range(3)]

    assert check.connection_status["status"] == "SUCCEEDED"
    assert [r.returncode for r in (first, rerun, *nightlies)] == [0] * 5, first.stderr
    assert len(roots(drive)) == 1
    assert len(receipts_in(drive)) == len(ITEMS) + 3 and no_duplicates(drive)
    assert "not in Drive's search results yet" in rerun.logs


def test_given_search_lag_when_rerun_then_nothing_uploaded_again_and_index_caught_up_costs_no_extra_read(
        drive, config, tmp_path):
    drive.set_search_lag(True)
    assert run_write(tmp_path, config, M.receipts_messages(ITEMS)).returncode == 0
    drive.reset_counters()
    rerun = run_write(tmp_path, config, M.receipts_messages(ITEMS))
    assert rerun.returncode == 0 and not any(k.startswith("upload.") for k in drive.counts)
    assert drive.counts["write"] <= 1            # at most the manifest's dates

    drive.catch_up_search()
    drive.reset_counters()
    assert run_write(tmp_path, config, M.receipts_messages(ITEMS[:1])).returncode == 0
    assert drive.counts["files.get"] == 1, "once the search caught up, only the manifest's content is read"
