"""Input lines of the write command, read and parsed without copies of a receipt chunk's content.

Destination peak RSS, clean process start (BEHAVIOR.md 23): 19.6 MB records 178 → 131 MB, 98 MB
records 131 MB.
- `read_lines`: a BufferedReader's readline gathers a long line in pieces and joins them, so a
  line is briefly held twice; here each line grows in one bytearray (glibc grows large blocks in
  place with mremap) and is handed over as is.
- `parse_line`: orjson 3.x needs ~13× a string's size while parsing it (a 5.6 MB record line
  peaked at +73 MB), so the base64 content is cut out as a zero-copy view of the line and the
  rest, a few hundred bytes, is parsed as usual.
- Lines longer than SPILL_AT (records far above the usual 3-4 MB, up to the platform's 100 MB) do
  not stay in memory at all: once the content's opening quote is seen, the base64 text goes to a
  temporary file as it is read, and the assembler decodes it from there in slices.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO, Any, BinaryIO, Iterator

import orjson

READ_BLOCK = 1024 * 1024
CUT_OUT_MIN_BYTES = 64 * 1024       # smaller lines are parsed whole: nothing to save
SPILL_AT = 8 * 1024 * 1024          # a longer line's base64 content goes to a temporary file
# The key, optional blanks, the colon and the opening quote (json.dumps writes ": ", Jackson ":").
_CONTENT_START = re.compile(rb'"content_base64"\s*:\s*"')


class FileText:
    """Base64 text kept in a temporary file, sliced like bytes (all the assembler needs of it)."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self._file, self._size = file, size

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, key: slice) -> bytes:
        start, stop, _ = key.indices(self._size)
        self._file.seek(start)
        return self._file.read(max(0, stop - start))

    def close(self) -> None:
        self._file.close()


class SpilledLine:
    """A line whose `content_base64` text was moved to a file; `json` is the rest, with an empty string."""

    def __init__(self, json: bytearray, content: FileText) -> None:
        self.json, self.content = json, content

    def __len__(self) -> int:
        return len(self.json) + len(self.content)

    def __bytes__(self) -> bytes:
        return bytes(self.json)


def read_lines(stream: IO) -> Iterator[Any]:
    """The stream's lines (newline included): each a new bytearray, or a SpilledLine when very long;
    a text stream's lines as they are."""
    read = getattr(stream, "read1", None) or stream.read
    first = read(READ_BLOCK)
    if isinstance(first, str):
        yield from _text_lines(first, stream)
        return
    yield from _LineReader().lines(first, read)


class _LineReader:
    def __init__(self) -> None:
        self.pending = bytearray()
        self.spill: BinaryIO | None = None     # the current line's content file, while or after spilling
        self.in_content = False                # inside the spilled base64 string
        self.held = b""                        # a trailing backslash waiting for the next block

    def lines(self, block: bytes, read) -> Iterator[Any]:
        while block:
            pos = 0
            while pos < len(block):
                if self.in_content:
                    pos = self._spill_until_quote(block, pos)
                    continue
                newline = block.find(b"\n", pos)
                if newline < 0:
                    self.pending += block[pos:]
                    pos = len(block)
                    self._maybe_start_spill()
                    continue
                self.pending += block[pos:newline + 1]
                pos = newline + 1
                yield self._take()
            block = read(READ_BLOCK)
        if self.pending or self.spill is not None:
            yield self._take()

    def _take(self) -> Any:
        line, spill = self.pending, self.spill
        self.pending, self.spill, self.in_content, self.held = bytearray(), None, False, b""
        if spill is None:
            return line
        size = spill.tell()
        return SpilledLine(line, FileText(spill, size))

    def _maybe_start_spill(self) -> None:
        if self.spill is not None or len(self.pending) <= SPILL_AT:
            return
        match = _CONTENT_START.search(self.pending)
        if match is None or self.pending.find(b'"', match.end()) >= 0:
            return           # no content, or it already ended: the line stays in memory as usual
        self.spill = tempfile.TemporaryFile()
        self.in_content = True
        rest = bytes(self.pending[match.end():])
        del self.pending[match.end():]
        self._write_content(rest)

    def _spill_until_quote(self, block: bytes, pos: int) -> int:
        quote = block.find(b'"', pos)
        end = quote if quote >= 0 else len(block)
        self._write_content(block[pos:end])
        if quote >= 0:
            self.in_content = False
            if self.held:                      # a lone backslash before the quote: keep it verbatim
                self.spill.write(self.held)
                self.held = b""
        return end

    def _write_content(self, text: bytes) -> None:
        """Base64 needs no JSON escape, but a writer may escape "/" as "\\/": undo that on the way."""
        text = self.held + text
        self.held = b""
        if b"\\" in text:
            if text.endswith(b"\\") and not text.endswith(b"\\\\"):
                text, self.held = text[:-1], b"\\"
            text = text.replace(b"\\/", b"/")
        self.spill.write(text)


def _text_lines(first: str, stream: IO) -> Iterator[str]:
    rest = stream.read()
    yield from (first + rest).splitlines(keepends=True)


def parse_line(line: bytes) -> Any:
    """orjson.loads(line), with a long `content_base64` string handed over as a view of the line's bytes.

    Base64 never needs a JSON escape; a value with a backslash (an escaped "/") is parsed whole.
    The view is valid as long as `line` is, which the caller keeps until the record is filed.
    """
    if isinstance(line, SpilledLine):
        return _parse_spilled(line)
    if not isinstance(line, (bytes, bytearray)) or len(line) < CUT_OUT_MIN_BYTES:
        return orjson.loads(line)
    match = _CONTENT_START.search(line)
    end = line.find(b'"', match.end()) if match else -1
    if end < 0 or line.find(b"\\", match.end(), end) >= 0:
        return orjson.loads(line)
    message = orjson.loads(line[:match.end()] + line[end:])
    data = (message.get("record") or {}).get("data") if isinstance(message, dict) else None
    if not isinstance(data, dict) or data.get("content_base64") != "":
        return orjson.loads(line)   # the key was somewhere else: no shortcut
    data["content_base64"] = memoryview(line)[match.end():end]
    return message


def _parse_spilled(line: SpilledLine) -> Any:
    message = orjson.loads(line.json)
    data = (message.get("record") or {}).get("data") if isinstance(message, dict) else None
    if not isinstance(data, dict) or data.get("content_base64") != "":
        line.content.close()
        raise orjson.JSONDecodeError("a long content_base64 outside a record's data is not supported", "", 0)
    data["content_base64"] = line.content
    return message
