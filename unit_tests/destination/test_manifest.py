import pytest

from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.filing.manifest import Deletion, Manifest

NOW = "2025-05-10T21:30:00.000000Z"


def period(folder_id, account="acc-1", key="2025-04", trashed=False, trashed_time=None):
    return Entry(id=folder_id, name=key, kind="period", parent="acct-folder", trashed=trashed,
                 markers={"kind": "period", "acct": account, "period": key}, trashed_time=trashed_time)


def test_given_new_live_period_folder_when_observed_then_it_is_remembered_and_manifest_changes():
    manifest = Manifest()
    assert manifest.observe([period("f1")], NOW) is True
    assert manifest.known == {"f1": ("acc-1", "2025-04")}
    assert manifest.observe([period("f1")], NOW) is False   # nothing new → nothing to write


def test_given_known_folder_trashed_when_observed_then_deletion_is_recorded_once():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")})
    assert manifest.observe([period("f1", trashed=True)], NOW) is True
    assert manifest.deleted == [Deletion("acc-1", "2025-04", NOW, "f1")]
    assert manifest.observe([period("f1", trashed=True)], "2025-05-11T00:00:00.000000Z") is False
    assert len(manifest.deleted) == 1


def test_given_known_folder_permanently_deleted_when_observed_then_deletion_is_recorded():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")})
    assert manifest.observe([], NOW) is True
    assert manifest.skips("acc-1", "2025-04", "2025-04-03T10:00:00+02:00")


def test_given_deleted_period_when_asking_then_only_receipts_attached_before_the_deletion_stay_out():
    manifest = Manifest(deleted=[Deletion("acc-1", "2025-04", NOW)])
    assert manifest.skips("acc-1", "2025-04", "2025-05-10T23:29:59+02:00")        # 21:29:59Z, before
    assert not manifest.skips("acc-1", "2025-04", "2025-05-10T23:30:01+02:00")    # after: recreates the folder
    assert not manifest.skips("acc-2", "2025-04", "2025-04-01T00:00:00Z")          # other account
    assert not manifest.skips("acc-1", "2025-03", "2025-04-01T00:00:00Z")          # other period


def test_given_higher_generation_when_set_then_it_is_remembered_but_deletions_stay():
    manifest = Manifest(generation=1, deleted=[Deletion("acc-1", "2025-04", NOW)])
    assert manifest.set_generation(2) is True
    assert manifest.set_generation(2) is False
    assert len(manifest.deleted) == 1           # a generation is no reset: platform.meaning() decides


def test_given_deletions_when_reset_then_every_deletion_is_forgotten():
    manifest = Manifest(deleted=[Deletion("acc-1", "2025-04", NOW)])
    assert manifest.reset() is True and manifest.deleted == []
    assert manifest.reset() is False


def test_given_no_generation_when_set_then_nothing_changes():
    assert Manifest().set_generation(5) is True
    assert Manifest(generation=5).set_generation(None) is False


def test_given_manifest_when_serialised_then_it_round_trips_and_is_stable():
    manifest = Manifest(generation=3, known={"f2": ("a", "2025-Q2"), "f1": ("a", "2025-Q1")},
                        deleted=[Deletion("a", "2024-Q4", NOW, "f0")])
    data = manifest.to_json()
    assert Manifest.from_json(data) == manifest
    assert Manifest.from_json(data).to_json() == data


@pytest.mark.parametrize("trashed_time, cutoff", [
    pytest.param("2025-05-02T08:00:00.250+02:00", "2025-05-02T06:00:00.250000Z", id="drive-tells-when-it-was-trashed"),
    pytest.param(None, NOW, id="unknown-trash-time-is-when-noticed"),
    pytest.param("2031-01-01T00:00:00Z", NOW, id="trash-time-ahead-of-our-clock-is-capped-at-now"),
    pytest.param("not a date", NOW, id="unreadable-trash-time-is-when-noticed"),
])
def test_given_known_folder_trashed_when_observed_then_deletion_dates_from_the_trash_when_drive_knows_it(
        trashed_time, cutoff):
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")})
    manifest.observe([period("f1", trashed=True, trashed_time=trashed_time)], NOW)
    assert manifest.deleted == [Deletion("acc-1", "2025-04", cutoff, "f1")]


def test_given_folder_trashed_before_a_receipt_was_attached_when_asking_then_that_receipt_recreates_it():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")})
    manifest.observe([period("f1", trashed=True, trashed_time="2025-05-02T06:00:00Z")], NOW)
    assert manifest.skips("acc-1", "2025-04", "2025-05-02T05:59:59Z")         # existed before the deletion
    assert not manifest.skips("acc-1", "2025-04", "2025-05-03T10:00:00Z")     # attached after it, before the sync


def test_given_deleted_folder_restored_from_the_trash_when_observed_then_the_deletion_is_forgotten():
    manifest = Manifest(known={"f1": ("acc-1", "2025-04")})
    manifest.observe([period("f1", trashed=True)], NOW)
    assert manifest.observe([period("f1")], "2025-05-11T00:00:00.000000Z") is True
    assert manifest.deleted == [] and manifest.known == {"f1": ("acc-1", "2025-04")}
    assert not manifest.skips("acc-1", "2025-04", "2025-04-03T10:00:00Z")
