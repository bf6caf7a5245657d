import pytest

from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.filing.planner import CREATE, PATCH, SKIP, Plan, plan

TARGET = "folder-2024-04"


def receipt(parent=TARGET, md5="aaa", trashed=False, explicitly=False):
    return Entry(id="file-1", name="r.pdf", kind="receipt", parent=parent, trashed=trashed,
                 explicitly_trashed=explicitly, md5=md5)


@pytest.mark.parametrize("existing, md5, parent_live, expected", [
    pytest.param(None, "aaa", False, Plan(CREATE, upload=True), id="new-receipt-is-created"),
    pytest.param(receipt(), "aaa", True, Plan(SKIP, file_id="file-1"), id="same-content-same-folder-costs-nothing"),
    # These entries carry no filed digests (as files filed by 0.2.0): the version replaced is kept for good.
    pytest.param(receipt(), "bbb", True, Plan(PATCH, file_id="file-1", upload=True, keep_previous=True),
                 id="new-content-updates-in-place"),
    pytest.param(receipt(parent="folder-2024-03"), "aaa", True,
                 Plan(PATCH, file_id="file-1", move_from="folder-2024-03"), id="settled-next-month-moves"),
    pytest.param(receipt(parent="folder-2024-03"), "bbb", True,
                 Plan(PATCH, file_id="file-1", move_from="folder-2024-03", upload=True, keep_previous=True),
                 id="moves-and-updates-at-once"),
    pytest.param(receipt(trashed=True, explicitly=True), "aaa", True,
                 Plan(PATCH, file_id="file-1", untrash=True), id="user-trashed-file-is-untrashed"),
    pytest.param(receipt(trashed=True, explicitly=False), "aaa", False, Plan(CREATE, upload=True),
                 id="file-trashed-with-its-folder-is-made-anew"),
    pytest.param(receipt(trashed=True, explicitly=True), "aaa", False, Plan(CREATE, upload=True),
                 id="trashed-file-in-trashed-folder-is-made-anew"),
    pytest.param(receipt(), None, True, Plan(SKIP, file_id="file-1"), id="index-only-present-file-is-left-alone"),
    pytest.param(receipt(parent="folder-2024-03"), None, True,
                 Plan(PATCH, file_id="file-1", move_from="folder-2024-03"), id="index-only-move-keeps-content"),
])
def test_given_drive_state_when_planning_then_cheapest_correct_action(existing, md5, parent_live, expected):
    assert plan(existing, TARGET, md5=md5, parent_is_live=parent_live) == expected


@pytest.mark.parametrize("decision, label", [
    (Plan(SKIP), "skipped"), (Plan(CREATE, upload=True), "uploaded"), (Plan(PATCH, untrash=True), "restored"),
    (Plan(PATCH, upload=True), "updated"), (Plan(PATCH, move_from="x"), "moved"),
])
def test_given_plan_when_counted_then_progress_label_matches(decision, label):
    assert decision.label == label
