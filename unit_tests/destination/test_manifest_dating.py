"""When a deleted period folder is dated (the cut-off), and what the manifest keeps about recent items."""

import pytest

from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.filing.manifest import Deletion, Manifest

LIVE_AT = "2025-05-01T08:00:00.000000Z"
TRASHED = "2025-05-05T09:00:00.000000Z"
NOW = "2025-05-10T21:30:00.000000Z"


def period(folder_id="f1", trashed=False, trashed_time=None):
    return Entry(id=folder_id, name="2025-04", kind="period", parent="acct-folder", trashed=trashed,
                 markers={"kind": "period", "acct": "acc-1", "period": "2025-04"}, trashed_time=trashed_time)


@pytest.mark.parametrize("live_at, seen, expected", [
    pytest.param(LIVE_AT, [period(trashed=True)], LIVE_AT, id="my-drive-trash-dated-by-last-filing"),
    pytest.param(LIVE_AT, [], LIVE_AT, id="deleted-for-ever-dated-by-last-filing"),
    pytest.param(LIVE_AT, [period(trashed=True, trashed_time=TRASHED)], LIVE_AT, id="shared-drive-earlier-of-both"),
    pytest.param("2025-05-06T00:00:00.000000Z", [period(trashed=True, trashed_time="2025-05-05T11:00:00+02:00")],
                 TRASHED, id="trash-date-earlier-than-a-filing-made-after-it"),
    pytest.param(None, [period(trashed=True, trashed_time=TRASHED)], TRASHED, id="old-manifest-shared-drive"),
    pytest.param(None, [period(trashed=True)], NOW, id="old-manifest-my-drive-noticed-now"),
    pytest.param(None, [period(trashed=True, trashed_time="2999-01-01T00:00:00Z")], NOW, id="clock-skew-capped"),
])
def test_given_a_removed_period_folder_when_observed_then_the_cut_off_leans_to_filing(live_at, seen, expected):
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")}, live_at={"f1": live_at} if live_at else {})
    assert manifest.observe(seen, NOW) is True
    assert manifest.deleted == [Deletion("acc-1", "2025-04", expected, "f1")]
    assert "f1" not in manifest.live_at


def test_given_my_drive_folder_trashed_after_last_filing_when_a_receipt_was_attached_in_between_then_it_is_filed():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")}, live_at={"f1": LIVE_AT})
    manifest.observe([period(trashed=True)], NOW)
    assert manifest.skips("acc-1", "2025-04", "2025-04-30T12:00:00Z")            # filed before: the user removed it
    assert not manifest.skips("acc-1", "2025-04", "2025-05-07T12:00:00+02:00")   # attached after the trash
    assert not manifest.skips("acc-1", "2025-04", "2025-05-03T12:00:00Z")        # never reached the folder


def test_given_filings_when_recorded_then_live_at_only_moves_forward_and_only_for_known_period_folders():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")}, live_at={"f1": LIVE_AT})
    assert manifest.filing_into("f1", "2025-05-02T00:00:00.000000Z") is True
    assert manifest.filing_into("f1", LIVE_AT) is False
    assert manifest.filing_into("account-folder", NOW) is False
    assert manifest.live_at == {"f1": "2025-05-02T00:00:00.000000Z"}


def test_given_an_older_manifest_when_a_live_folder_is_observed_then_it_is_dated_once():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")})
    assert manifest.observe([period()], NOW) is True and manifest.live_at == {"f1": NOW}
    assert manifest.observe([period()], "2025-06-01T00:00:00.000000Z") is False


def test_given_recent_items_when_settled_then_only_unlisted_existing_ones_stay_and_json_round_trips():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")}, live_at={"f1": LIVE_AT}, recent={"a", "b", "c"})
    manifest.settle_recent(listed={"a"}, found={"b"})
    assert manifest.recent == {"b"}
    again = Manifest.from_json(manifest.to_json())
    assert (again.known, again.live_at, again.recent) == (manifest.known, manifest.live_at, manifest.recent)
    assert Manifest.from_json(b'{"period_folders": [{"id": "f1", "account": "a", "period": "p"}]}').live_at == {}


@pytest.mark.parametrize("stored, expected", [
    ('"id1 id2 id3"', {"id1", "id2", "id3"}),     # 0.3.1 on: one string
    ('["id1", "id2"]', {"id1", "id2"}),           # before: a list
    ('""', set()), ("null", set()),
    ('["an id with spaces", "id2"]', {"an id with spaces", "id2"}),    # written as a list, never split
], ids=["string", "list-from-0.3.0", "empty", "null", "ids-with-spaces"])
def test_given_recent_items_in_either_stored_form_when_read_then_the_same_ids_come_back(stored, expected):
    assert Manifest.from_json(b'{"recent_items": ' + stored.encode() + b"}").recent == expected
    assert Manifest.from_json(Manifest(recent=expected).to_json()).recent == expected
