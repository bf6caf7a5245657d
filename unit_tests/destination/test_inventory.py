import pytest

from destination_gdrive_receipts.drive.inventory import DriveTree, Entry, has_marker, marker_value, query_literal

ROOT = "root-id"


def item(id, kind, parent, trashed=False, explicitly=False, created="2025-01-01T00:00:00.000Z", **markers):
    return Entry.from_drive({"id": id, "name": id, "parents": [parent], "trashed": trashed,
                             "explicitlyTrashed": explicitly, "createdTime": created,
                             "appProperties": {"kind": kind, "root": ROOT, **markers}})


def tree(*entries):
    return DriveTree(ROOT, entries)


def test_given_live_account_and_period_when_looked_up_then_found_by_markers_not_names():
    t = tree(item("A", "account", ROOT, acct="acc-1"), item("P", "period", "A", acct="acc-1", period="2025-04"))
    assert t.live_account("acc-1").id == "A"
    assert t.live_period("acc-1", "2025-04").id == "P"
    assert t.live_period("acc-1", "2025-05") is None


def test_given_folders_the_user_moved_when_looked_up_then_found_wherever_they_are():
    # The account folder moved into a folder of the user's, a period folder into a sub-folder they made.
    t = tree(item("A", "account", "users-folder", acct="acc-1"),
             item("P", "period", "users-sub-folder", acct="acc-1", period="2025-04"))
    assert t.live_account("acc-1").id == "A"
    assert t.live_period("acc-1", "2025-04").id == "P"


def test_given_trashed_account_folder_when_looked_up_then_its_periods_are_not_live():
    t = tree(item("A", "account", ROOT, trashed=True, explicitly=True, acct="acc-1"),
             item("P", "period", "A", trashed=True, acct="acc-1", period="2025-04"))
    assert t.live_account("acc-1") is None and t.live_period("acc-1", "2025-04") is None


def test_given_duplicate_account_folders_when_looked_up_then_the_oldest_wins_every_time():
    t = tree(item("B", "account", ROOT, created="2025-02-01T00:00:00.000Z", acct="acc-1"),
             item("A", "account", ROOT, created="2025-01-01T00:00:00.000Z", acct="acc-1"))
    assert t.live_account("acc-1").id == "A"


def test_given_live_and_trashed_copies_when_receipt_looked_up_then_live_one_in_target_folder_wins():
    t = tree(item("old", "receipt", "P1", trashed=True, explicitly=True, att="att-1"),
             item("other", "receipt", "P2", att="att-1"), item("here", "receipt", "P1", att="att-1"))
    assert t.receipt("att-1", prefer_parent="P1").id == "here"
    assert t.receipt("att-1", prefer_parent="P9").id in ("here", "other")
    assert t.receipt("att-2") is None


@pytest.mark.parametrize("key, value, kept", [
    ("att", "5f2b7c1e-1111-4222-8333-944455556666", True),
    ("att", "x" * 121, True),
    ("att", "x" * 122, False),
    ("att", "é" * 61, False),
])
def test_given_marker_when_too_long_for_drive_then_stable_short_digest_is_used(key, value, kept):
    result = marker_value(key, value)
    assert (result == value) is kept
    assert len(key.encode()) + len(result.encode()) <= 124
    assert marker_value(key, value) == result


def test_given_quotes_and_backslashes_when_quoted_for_query_then_escaped_as_drive_requires():
    assert query_literal("O'Brien\\x") == "'O\\'Brien\\\\x'"
    assert has_marker("att", "a'b") == "appProperties has { key='att' and value='a\\'b' }"
