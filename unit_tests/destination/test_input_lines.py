"""Input lines: read without a second copy, receipt content cut out of the JSON parse."""

import base64
import io
import json

import orjson
import pytest

from destination_gdrive_receipts.filing.assembly import ReceiptAssembler
from destination_gdrive_receipts.filing.input_lines import CUT_OUT_MIN_BYTES, parse_line, read_lines

CONTENT = bytes(range(256)) * 400          # 100 KiB: base64 longer than the cut-out threshold


def chunk_line(separators=(",", ":"), content_b64=None) -> bytes:
    data = {"attachment_id": "att-1", "chunk_index": 0, "chunk_count": 1, "size": len(CONTENT),
            "content_base64": content_b64 or base64.b64encode(CONTENT).decode(), "sha256": "x", "label": "a\"b"}
    message = {"type": "RECORD", "record": {"stream": "receipts", "data": data, "emitted_at": 1}}
    return (json.dumps(message, separators=separators) + "\n").encode()


@pytest.mark.parametrize("line", [
    chunk_line(), chunk_line((", ", ": ")), chunk_line(content_b64=base64.b64encode(CONTENT).decode().replace("/", "\\/")),
    b'{"type":"RECORD","record":{"stream":"x","data":{"note":"' + b"y" * CUT_OUT_MIN_BYTES + b'"}}}\n',
    b'{"type":"LOG","log":{"level":"INFO","message":"short"}}\n',
])
def test_given_a_line_when_parsed_then_same_message_as_orjson(line):
    parsed = parse_line(bytearray(line))
    data = parsed.get("record", {}).get("data", {})
    if isinstance(data.get("content_base64"), memoryview):
        data["content_base64"] = bytes(data["content_base64"]).decode()
    assert parsed == orjson.loads(line)


def test_given_a_long_chunk_line_when_parsed_then_content_is_a_view_that_the_assembler_decodes():
    line = bytearray(chunk_line())
    data = parse_line(line)["record"]["data"]
    assert isinstance(data["content_base64"], memoryview)
    import hashlib
    data["sha256"] = hashlib.sha256(CONTENT).hexdigest()
    with ReceiptAssembler() as assembler:
        receipt = assembler.add(data)
        assert receipt.file.read() == CONTENT
        receipt.close()


@pytest.mark.parametrize("text", [b"", b"a\n", b"a\nb", b"a\n\nb\n", b"x" * 3_000_000 + b"\ny\n"])
def test_given_a_byte_stream_when_read_then_lines_are_those_of_readlines(text):
    assert [bytes(line) for line in read_lines(io.BytesIO(text))] == io.BytesIO(text).readlines()


def test_given_a_text_stream_when_read_then_its_lines_come_as_text():
    assert list(read_lines(io.StringIO("a\nb\n"))) == ["a\n", "b\n"]


@pytest.mark.parametrize("escape_slashes", [False, True])
def test_given_a_line_longer_than_the_spill_size_when_read_in_small_blocks_then_content_comes_from_a_file(
        monkeypatch, escape_slashes):
    from destination_gdrive_receipts.filing import input_lines
    monkeypatch.setattr(input_lines, "SPILL_AT", 1000)
    monkeypatch.setattr(input_lines, "READ_BLOCK", 777)      # blocks end anywhere, also inside "\/"
    text = base64.b64encode(CONTENT).decode()
    line = chunk_line(content_b64=text)
    if escape_slashes:                                        # JSON's optional escape of "/"
        line = line.replace(b"/", b"\\/")
    stream = io.BytesIO(line + b'{"type":"LOG","log":{"level":"INFO","message":"next"}}\n')

    spilled, after = list(read_lines(stream))

    assert isinstance(spilled, input_lines.SpilledLine) and len(spilled.json) < 1000
    parsed = parse_line(spilled)
    content = parsed["record"]["data"]["content_base64"]
    assert bytes(content[0:len(content)]) == text.encode()
    expected = orjson.loads(line)
    expected["record"]["data"]["content_base64"] = parsed["record"]["data"]["content_base64"]
    assert parsed == expected and orjson.loads(after)["log"]["message"] == "next"
    import hashlib
    parsed["record"]["data"]["sha256"] = hashlib.sha256(CONTENT).hexdigest()
    with ReceiptAssembler() as assembler:
        receipt = assembler.add(parsed["record"]["data"])
        assert receipt.file.read() == CONTENT
        receipt.close()
