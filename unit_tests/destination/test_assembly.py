"""Reassembly of chunked receipts: order, integrity, interleaving, re-sends and flat memory."""

import base64
import hashlib
import os
import tracemalloc

import pytest

from destination_gdrive_receipts.filing.assembly import CONTENT_FIELDS, SPOOL_MAX_BYTES, ChunkError, ReceiptAssembler

MiB = 1024 * 1024


def chunks(attachment_id, data, chunk_size, **overrides):
    """The `receipts` records the source emits for one file (one empty chunk for an empty file)."""
    pieces = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] or [b""]
    return [
        {
            "attachment_id": attachment_id,
            "file_name": f"{attachment_id}.pdf",
            "content_type": "application/pdf",
            "transaction_id": "t-1",
            "chunk_index": index,
            "chunk_count": len(pieces),
            "content_base64": base64.b64encode(piece).decode("ascii"),
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            **overrides,
        }
        for index, piece in enumerate(pieces)
    ]


def feed(assembler, records):
    """Add records; return what came out (None for intermediate chunks)."""
    return [assembler.add(record) for record in records]


@pytest.mark.parametrize(
    "data, chunk_size",
    [(b"", 10), (b"x", 10), (b"0123456789", 10), (b"0123456789" * 3, 10), (bytes(range(256)) * 40, 1000)],
    ids=["empty-file", "one-byte", "exactly-one-chunk", "exact-multiple", "binary-with-short-last-chunk"],
)
def test_given_ordered_chunks_when_last_arrives_then_verified_file_is_returned(data, chunk_size):
    assembler = ReceiptAssembler()
    *intermediate, result = feed(assembler, chunks("a1", data, chunk_size))
    assert intermediate == [None] * len(intermediate)
    assert result.file.read() == data
    assert (result.size, result.sha256, result.md5) == (
        len(data), hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
    assert result.metadata == {"attachment_id": "a1", "file_name": "a1.pdf", "content_type": "application/pdf",
                               "transaction_id": "t-1"}
    assert not set(CONTENT_FIELDS) & set(result.metadata)
    assert assembler.pending() == []
    result.close()
    assert result.file.closed


def test_given_interleaved_attachments_when_fed_then_each_file_is_intact():
    a, b = os.urandom(25), os.urandom(17)
    ra, rb = chunks("a", a, 10), chunks("b", b, 5)
    order = [ra[0], rb[0], rb[1], ra[1], rb[2], ra[2], rb[3]]
    results = [r for r in feed(ReceiptAssembler(), order) if r]
    assert {r.metadata["attachment_id"]: r.file.read() for r in results} == {"a": a, "b": b}


def test_given_incomplete_attachments_then_pending_lists_them_until_complete_or_discarded():
    assembler = ReceiptAssembler()
    ra, rb = chunks("a", b"x" * 30, 10), chunks("b", b"y" * 30, 10)
    feed(assembler, [ra[0], rb[0], ra[1]])
    assert sorted(assembler.pending()) == ["a", "b"]
    assert assembler.add(ra[2]) is not None
    assert assembler.pending() == ["b"]
    assembler.discard_all()
    assert assembler.pending() == []


def test_given_a_receipt_sent_again_from_chunk_0_when_fed_then_it_restarts_and_completes():
    first, second = os.urandom(30), os.urandom(25)  # new content: the receipt was replaced at the bank
    assembler = ReceiptAssembler()
    feed(assembler, chunks("a", first, 10)[:2])
    *_, result = feed(assembler, chunks("a", second, 10))
    assert result.file.read() == second
    assert result.sha256 == hashlib.sha256(second).hexdigest()


def test_given_a_complete_receipt_sent_twice_then_it_is_returned_twice():
    assembler = ReceiptAssembler()
    records = chunks("a", b"same", 2)
    results = [r for r in feed(assembler, records + records) if r]
    assert [r.file.read() for r in results] == [b"same", b"same"]


def _corrupt_first_byte(records):
    raw = bytearray(base64.b64decode(records[0]["content_base64"]))
    raw[0] ^= 0xFF
    records[0]["content_base64"] = base64.b64encode(bytes(raw)).decode()
    return records


def _set(records, index, **fields):
    records[index].update(fields)
    return records


DATA = b"0123456789" * 3
CASES = {
    "gap": (lambda r: [r[0], r[2]], "chunk 2 of 3 arrived but chunk 1 was expected"),
    "duplicate-chunk": (lambda r: [r[0], r[1], r[1]], "chunk 1 of 3 arrived twice"),
    "first-chunk-missing": (lambda r: [r[1]], "chunk 1 of 3 arrived before chunk 0"),
    "corrupted-byte": (lambda r: _corrupt_first_byte(r), r"has sha256 [0-9a-f]{64} but [0-9a-f]{64} was announced"),
    "announced-size-too-big": (lambda r: [dict(x, size=31) for x in r], "has 30 bytes but 31 were announced"),
    "announced-size-too-small": (lambda r: [dict(x, size=25) for x in r], "past its announced size of 25 bytes"),
    "wrong-sha256": (lambda r: [dict(x, sha256="0" * 64) for x in r], "was announced"),
    "invalid-base64": (lambda r: _set(r, 1, content_base64="not base64!"), "chunk 1 is not valid base64"),
    "non-ascii-base64": (lambda r: _set(r, 1, content_base64="é"), "chunk 1 is not valid base64"),
    "chunk-count-changes": (lambda r: _set(r, 1, chunk_count=4), "announces 4 chunks.*chunk 0 announced 3 chunks"),
    "index-beyond-count": (lambda r: _set(r, 0, chunk_index=3), "chunk 3 of 3 .* is impossible"),
    "zero-chunk-count": (lambda r: _set(r, 0, chunk_count=0), "chunk 0 of 0 .* is impossible"),
    "negative-size": (lambda r: _set(r, 0, size=-1), "is impossible"),
    "missing-content": (lambda r: _set(r, 0, content_base64=None), "field 'content_base64' is missing"),
    "index-as-string": (lambda r: _set(r, 0, chunk_index="0"), "field 'chunk_index' is missing or not a int"),
    "index-as-bool": (lambda r: _set(r, 0, chunk_index=False), "field 'chunk_index'"),
}


@pytest.mark.parametrize("mutate, message", CASES.values(), ids=CASES.keys())
def test_given_bad_chunks_then_a_clear_error_names_the_attachment_and_nothing_is_returned(mutate, message):
    assembler = ReceiptAssembler()
    records = mutate(chunks("att-42", DATA, 10))
    returned = []
    with pytest.raises(ChunkError, match=message) as error:
        for record in records:
            returned.append(assembler.add(record))
    assert "'att-42'" in str(error.value)
    assert all(r is None for r in returned)
    assert assembler.pending() == []
    # The attachment can still arrive intact afterwards (e.g. re-sent at the next sync).
    *_, result = feed(assembler, chunks("att-42", DATA, 10))
    assert result.file.read() == DATA


def test_given_an_error_on_one_attachment_then_others_in_flight_are_kept():
    assembler = ReceiptAssembler()
    good, bad = chunks("good", DATA, 10), chunks("bad", DATA, 10)
    feed(assembler, [good[0], bad[0]])
    with pytest.raises(ChunkError, match="'bad'"):
        assembler.add(bad[2])
    assert assembler.pending() == ["good"]
    assert [r for r in feed(assembler, good[1:]) if r][0].file.read() == DATA


def test_given_a_record_without_attachment_id_then_the_error_says_so():
    with pytest.raises(ChunkError, match="field 'attachment_id' is missing"):
        ReceiptAssembler().add({"chunk_index": 0})


def test_given_uppercase_sha256_then_it_still_verifies():
    records = chunks("a", DATA, 10)
    records = [dict(r, sha256=r["sha256"].upper()) for r in records]
    assert feed(ReceiptAssembler(), records)[-1].file.read() == DATA


def test_given_a_9_mib_file_in_3_chunks_then_it_round_trips_byte_identical_from_disk(tmp_path):
    data = os.urandom(9 * MiB)
    assembler = ReceiptAssembler(spool_dir=str(tmp_path))
    *intermediate, result = feed(assembler, chunks("big", data, 3 * MiB))
    assert intermediate == [None, None]
    assert result.file._rolled  # spooled to a temporary file on disk, not kept in memory
    assert result.file.read() == data
    assert (result.size, result.md5) == (len(data), hashlib.md5(data).hexdigest())
    result.close()


def test_given_a_small_file_then_it_stays_in_memory():
    result = feed(ReceiptAssembler(), chunks("small", b"tiny", 10))[-1]
    assert not result.file._rolled


def test_given_many_chunks_then_memory_stays_flat():
    chunk_size, chunk_count = 512 * 1024, 16  # an 8 MiB file
    records = chunks("flat", os.urandom(chunk_size * chunk_count), chunk_size)
    assembler = ReceiptAssembler()
    tracemalloc.start()
    try:
        result = feed(assembler, records)[-1]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.size == chunk_size * chunk_count
    # At most the spool's in-memory start plus a chunk being decoded; joining chunks, or keeping
    # the file in memory, would need the whole 8 MiB.
    assert peak < SPOOL_MAX_BYTES + 2 * chunk_size, f"peak {peak} bytes while assembling an 8 MiB file"
    result.close()
