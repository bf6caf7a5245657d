"""The spool keeps only hashes and positions in memory; lookups stay exact when hashes collide."""

import pytest

from destination_gdrive_receipts.spool import KeyedSpool


def colliding(_key: str) -> int:
    return 7      # every key shares one hash: the spool must read keys back to tell them apart


@pytest.mark.parametrize("hash_key", [hash, colliding], ids=["python-hash", "every-key-collides"])
def test_given_repeated_keys_when_spooled_then_the_last_record_of_each_key_wins_in_arrival_order(hash_key):
    spool = KeyedSpool(hash_key)
    for key, value in [("a", 1), ("b", 1), ("a", 2), ("c", 1), ("b", 2)]:
        spool.put(key, {"key": key, "v": value})
    assert [(r["key"], r["v"]) for r in spool] == [("a", 2), ("c", 1), ("b", 2)]
    assert len(spool) == 3


@pytest.mark.parametrize("hash_key", [hash, colliding], ids=["python-hash", "every-key-collides"])
def test_given_spooled_keys_when_looked_up_then_only_keys_put_are_found_with_their_latest_record(hash_key):
    spool = KeyedSpool(hash_key)
    spool.put("a", {"v": 1})
    spool.put("b", {"v": 1})
    spool.put("a", {"v": 2})
    assert spool.at(spool.offset_of("a")) == {"v": 2} == spool.get("a") and spool.get("z") is None
    assert "b" in spool and "z" not in spool and spool.offset_of("z") is None


def test_given_records_added_after_a_lookup_when_looked_up_again_then_they_are_found():
    spool = KeyedSpool()
    spool.put("a", {"v": 1})
    assert "b" not in spool
    spool.put("b", {"v": 1})
    assert "b" in spool and len(spool) == 2


def test_given_an_empty_spool_when_asked_then_it_is_false_and_holds_nothing():
    spool = KeyedSpool()
    assert not spool and len(spool) == 0 and list(spool) == []
