"""The tree's compact forms answer exactly like the plain ones they replace (a dict of markers, a set of
ids per index key)."""

import pytest

from destination_gdrive_receipts.drive.inventory import Entry, Markers
from destination_gdrive_receipts.ledger.files import WatchedTree

PROPS = {"kind": "receipt", "root": "r", "att": "a1", "md5": "m", "fp": "2025-03"}


@pytest.mark.parametrize("key", ["kind", "att", "fp", "absent"])
def test_given_markers_when_read_then_they_answer_like_the_dict_they_came_from(key):
    markers = Markers(PROPS)
    assert markers.get(key) == PROPS.get(key) and (key in markers) == (key in PROPS)
    assert markers == PROPS and dict(markers) == PROPS and list(markers) == list(PROPS)
    if key not in PROPS:
        with pytest.raises(KeyError):
            markers[key]


def item(file_id, *, att="a1", created="2025-01-01T00:00:00Z", trashed=False, parent="p", var=None):
    props = {"kind": "receipt", "root": "r", "att": att, **({"var": var} if var else {})}
    return {"id": file_id, "name": f"{file_id}.pdf", "parents": [parent], "appProperties": props,
            "createdTime": created, "trashed": trashed, "md5Checksum": "m"}


def test_given_two_files_of_one_receipt_when_one_is_trashed_then_the_live_one_is_found_and_both_are_indexed():
    tree = WatchedTree("r", [Entry.from_drive(item("old", created="2025-01-01T00:00:00Z")),
                             Entry.from_drive(item("new", created="2025-02-01T00:00:00Z"))])
    assert tree.receipt("a1").id == "old"                  # two live: the oldest, every time
    tree.put(Entry.from_drive(item("old", trashed=True)))
    assert tree.receipt("a1").id == "new" and tree.live_receipt("a1").id == "new"
    tree.put(Entry.from_drive(item("new", att="a2")))      # its marker changed: it leaves a1's key
    assert tree.receipt("a1").id == "old" and tree.live_receipt("a1") is None
    assert tree.live_receipt("a2").id == "new"


def test_given_an_original_and_its_sealed_copy_when_looked_up_then_each_variant_finds_its_own_file():
    tree = WatchedTree("r", [Entry.from_drive(item("orig")), Entry.from_drive(item("seal", var="probative"))])
    assert tree.receipt("a1").id == "orig" and tree.receipt("a1", variant="probative").id == "seal"
