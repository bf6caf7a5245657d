"""HashedIds: a set of ids at 8 bytes each, answering membership like a set."""

import random

from destination_gdrive_receipts import hashed_ids
from destination_gdrive_receipts.hashed_ids import HashedIds


def test_given_more_ids_than_the_tail_holds_when_asked_then_it_answers_like_a_set(monkeypatch):
    monkeypatch.setattr(hashed_ids, "_TAIL_MAX", 8)      # several merges into the sorted array
    rng = random.Random(3)
    added = {f"att-{rng.randrange(10**9)}" for _ in range(200)}
    ids = HashedIds()
    for item in added:
        ids.add(item)
        ids.add(item)        # twice: still one member
    others = {f"other-{n}" for n in range(200)}
    assert all(item in ids for item in added) and not any(item in ids for item in others)
    assert len(ids) == len(added)


def test_given_an_id_discarded_when_asked_then_it_is_no_member_and_others_stay(monkeypatch):
    monkeypatch.setattr(hashed_ids, "_TAIL_MAX", 4)
    ids = HashedIds(f"id{n}" for n in range(10))       # some merged, some in the tail
    for gone in ("id0", "id9", "absent"):
        ids.discard(gone)
    assert "id0" not in ids and "id9" not in ids and all(f"id{n}" in ids for n in range(1, 9))
    assert len(ids) == 8
