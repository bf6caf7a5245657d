"""Receipt files become ordered base64 chunks of at most 3,000,000 raw bytes, sha256/size of the whole."""

import base64
import hashlib
import json

import pytest

from source_bank_receipts.chunking import CHUNK_BYTES, chunk_count, iter_chunks, spool
from source_bank_receipts.records import receipt_chunk_record


@pytest.mark.parametrize(
    "size, count",
    [(0, 1), (1, 1), (CHUNK_BYTES, 1), (CHUNK_BYTES + 1, 2), (3 * CHUNK_BYTES, 3), (100_000_000, 34)],
)
def test_given_size_when_counted_then_ceil_and_empty_file_is_one_chunk(size, count):
    assert chunk_count(size) == count


@pytest.mark.parametrize("size", [0, 5, 1000, 2500])
def test_given_pieces_when_spooled_and_chunked_then_reassembly_is_byte_identical(size):
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    pieces = [data[i : i + 333] for i in range(0, len(data), 333)]
    spooled = spool(pieces)
    chunks = list(iter_chunks(spooled, chunk_bytes=1000))
    spooled.close()
    assert spooled.size == size and spooled.sha256 == hashlib.sha256(data).hexdigest()
    assert [index for index, _, _ in chunks] == list(range(len(chunks)))
    assert all(count == len(chunks) for _, count, _ in chunks)
    assert b"".join(base64.b64decode(content) for _, _, content in chunks) == data


def test_given_largest_chunk_when_serialized_as_record_then_under_4_mib():
    metadata = {"attachment_id": "a" * 36, "file_name": "é" * 255, "label": "x" * 500}
    record = receipt_chunk_record(metadata, 0, 1, base64.b64encode(b"\xff" * CHUNK_BYTES).decode(), "0" * 64, CHUNK_BYTES)
    message = json.dumps({"type": "RECORD", "record": {"stream": "receipts", "data": record, "emitted_at": 1}})
    assert len(message.encode()) < 4 * 1024 * 1024
