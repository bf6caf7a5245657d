"""Reassembly of chunked receipt files into local temporary files.

Each chunk is decoded straight into the attachment's spooled temporary file and hashed on the way,
in slices, so at most one slice is held decoded whatever the chunk's or the file's size. The file is
handed over only when its last chunk arrives and its size and SHA-256 match what the source announced.
The content may come as a str or, from `input_lines.parse_line`, as a view of the input line or a
temporary file (very long lines).
"""

from __future__ import annotations

import binascii
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from destination_gdrive_receipts.filing.input_lines import FileText
from destination_gdrive_receipts.filing.variants import file_key, variant_of

CONTENT_FIELDS = ("chunk_index", "chunk_count", "content_base64", "sha256", "size")
SPOOL_MAX_BYTES = 1024 * 1024
DECODE_SLICE = 1024 * 1024          # base64 characters decoded at a time (a multiple of 4)


class ChunkError(Exception):
    """A receipt's chunks cannot form the announced file (order, size or checksum)."""


@dataclass
class AssembledReceipt:
    metadata: dict
    file: BinaryIO
    size: int
    sha256: str
    md5: str

    def close(self) -> None:
        self.file.close()


@dataclass
class _Partial:
    metadata: dict
    chunk_count: int
    size: int
    sha256: str
    file: Any
    next_index: int = 0
    written: int = 0
    sha256_hash: Any = field(default_factory=hashlib.sha256)
    # MD5 only to compare with Drive's md5Checksum, not for security.
    md5_hash: Any = field(default_factory=lambda: hashlib.md5(usedforsecurity=False))


def _type_name(kind: type | tuple) -> str:
    return (kind[0] if isinstance(kind, tuple) else kind).__name__


def _field(record: Mapping, name: str, kind: type | tuple, attachment_id: object) -> Any:
    value = record.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ChunkError(f"receipt {attachment_id!r}: field {name!r} is missing or not a {_type_name(kind)} ({value!r})")
    return value


class ReceiptAssembler:
    """Collects the chunks of interleaved attachments and returns each file once it is complete and verified."""

    def __init__(self, *, spool_max_bytes: int = SPOOL_MAX_BYTES, spool_dir: str | None = None) -> None:
        self._spool_max_bytes = spool_max_bytes
        self._spool_dir = spool_dir
        self._partials: dict[str, _Partial] = {}

    def add(self, record: Mapping) -> AssembledReceipt | None:
        """Take one `receipts` record; return the assembled receipt when this was its last chunk."""
        # One file per (attachment, variant): a sealed copy's chunks never mix with its original's.
        attachment_id = file_key(_field(record, "attachment_id", str, record.get("attachment_id")), variant_of(record))
        try:
            return self._add(attachment_id, record)
        except ChunkError:
            self._discard(attachment_id)  # a later re-send from chunk 0 starts clean
            raise

    def pending(self) -> list[str]:
        """Files (attachment id, "#probative" for a sealed copy) that still miss chunks."""
        return list(self._partials)

    def discard_all(self) -> None:
        for attachment_id in list(self._partials):
            self._discard(attachment_id)

    def __enter__(self) -> ReceiptAssembler:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.discard_all()

    def _add(self, attachment_id: str, record: Mapping) -> AssembledReceipt | None:
        index = _field(record, "chunk_index", int, attachment_id)
        count = _field(record, "chunk_count", int, attachment_id)
        size = _field(record, "size", int, attachment_id)
        sha256 = _field(record, "sha256", str, attachment_id).lower()
        content = _field(record, "content_base64", (str, bytes, memoryview, FileText), attachment_id)
        if count < 1 or not 0 <= index < count or size < 0:
            raise ChunkError(f"receipt {attachment_id!r}: chunk {index} of {count} for a {size}-byte file is impossible")
        if index == 0:
            # A repeated chunk 0 is the same receipt sent again: start over.
            self._discard(attachment_id)
            self._partials[attachment_id] = self._start(record, count, size, sha256)
        partial = self._expect(attachment_id, index, count, size, sha256)
        self._write(partial, attachment_id, index, content)
        if index < count - 1:
            return None
        del self._partials[attachment_id]
        return self._finish(partial, attachment_id)

    def _start(self, record: Mapping, count: int, size: int, sha256: str) -> _Partial:
        spool = tempfile.SpooledTemporaryFile(max_size=self._spool_max_bytes, dir=self._spool_dir)
        metadata = {key: value for key, value in record.items() if key not in CONTENT_FIELDS}
        return _Partial(metadata=metadata, chunk_count=count, size=size, sha256=sha256, file=spool)

    def _expect(self, attachment_id: str, index: int, count: int, size: int, sha256: str) -> _Partial:
        partial = self._partials.get(attachment_id)
        if partial is None:
            raise ChunkError(f"receipt {attachment_id!r}: chunk {index} of {count} arrived before chunk 0 (missing chunks)")
        if index < partial.next_index:
            raise ChunkError(f"receipt {attachment_id!r}: chunk {index} of {count} arrived twice")
        if index > partial.next_index:
            raise ChunkError(
                f"receipt {attachment_id!r}: chunk {index} of {count} arrived but chunk {partial.next_index} was "
                f"expected (missing chunks)"
            )
        if (count, size, sha256) != (partial.chunk_count, partial.size, partial.sha256):
            raise ChunkError(
                f"receipt {attachment_id!r}: chunk {index} announces {count} chunks, {size} bytes, sha256 {sha256} "
                f"but chunk 0 announced {partial.chunk_count} chunks, {partial.size} bytes, sha256 {partial.sha256}"
            )
        return partial

    def _write(self, partial: _Partial, attachment_id: str, index: int, content: str | bytes | memoryview) -> None:
        # Roll over before a large write, so the chunk is not first copied into the in-memory buffer.
        if partial.written + len(content) * 3 // 4 > self._spool_max_bytes:
            partial.file.rollover()
        if len(content) % 4:
            raise ChunkError(f"receipt {attachment_id!r}: chunk {index} is not valid base64")
        for start in range(0, len(content), DECODE_SLICE):
            self._write_slice(partial, attachment_id, index, content[start:start + DECODE_SLICE])
        partial.next_index += 1

    def _write_slice(self, partial: _Partial, attachment_id: str, index: int, text: Any) -> None:
        try:
            # A 4-aligned slice of valid base64 decodes on its own; padding may only end the last one.
            data = binascii.a2b_base64(text, strict_mode=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            raise ChunkError(f"receipt {attachment_id!r}: chunk {index} is not valid base64") from None
        if partial.written + len(data) > partial.size:
            raise ChunkError(
                f"receipt {attachment_id!r}: chunk {index} brings the file past its announced size of {partial.size} bytes"
            )
        partial.file.write(data)
        partial.sha256_hash.update(data)
        partial.md5_hash.update(data)
        partial.written += len(data)

    @staticmethod
    def _finish(partial: _Partial, attachment_id: str) -> AssembledReceipt:
        problem = None
        if partial.written != partial.size:
            problem = f"has {partial.written} bytes but {partial.size} were announced"
        elif partial.sha256_hash.hexdigest() != partial.sha256:
            problem = f"has sha256 {partial.sha256_hash.hexdigest()} but {partial.sha256} was announced (corrupted)"
        if problem:
            partial.file.close()
            raise ChunkError(f"receipt {attachment_id!r} ({partial.metadata.get('file_name')!r}) {problem}")
        partial.file.seek(0)
        return AssembledReceipt(
            metadata=partial.metadata,
            file=partial.file,
            size=partial.written,
            sha256=partial.sha256,
            md5=partial.md5_hash.hexdigest(),
        )

    def _discard(self, attachment_id: str) -> None:
        partial = self._partials.pop(attachment_id, None)
        if partial is not None:
            partial.file.close()
