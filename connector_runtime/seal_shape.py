"""Does a downloaded file carry a PDF signature? A structural check, without cryptography (pure).

The bank's probative copy is "another version of attachment, compliant with the PAdES standard"
(Qonto API reference, Attachments). A PAdES file is a PDF with a signature dictionary whose
`/ByteRange [a b c d]` names the signed bytes and whose `/Contents <hex>` holds the CMS signature
in the one gap the byte range leaves (ISO 32000-1 §12.8.1). Anything else served as the sealed
copy (a web page, a body cut short, a PDF without signature) is never handed on as probative.
This check does not verify the signature: the seal check (pyHanko) does that on filed copies.
"""

from __future__ import annotations

import re
from typing import BinaryIO, Iterator, List, Optional, Tuple

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_CONTENTS_KEY = re.compile(rb"/Contents\s*$")
_HEX_GAP = re.compile(rb"<[0-9A-Fa-f\s]*>")  # the /Contents value the byte range leaves out
WINDOW = 1 << 20
OVERLAP = 64 * 1024  # a signature dictionary split across two windows is still seen whole


def _windows(file: BinaryIO) -> Iterator[Tuple[int, bytes]]:
    file.seek(0)
    offset, tail = 0, b""
    while True:
        block = file.read(WINDOW)
        if not block:
            return
        yield offset - len(tail), tail + block
        offset += len(block)
        tail = (tail + block)[-OVERLAP:]


def byte_ranges(file: BinaryIO) -> List[Tuple[int, int, int, int]]:
    found = []
    for _, window in _windows(file):
        for match in _BYTE_RANGE.finditer(window):
            found.append(tuple(int(group) for group in match.groups()))
    return sorted(set(found))  # type: ignore[arg-type]


def _ends_with_eof(file: BinaryIO, size: int) -> bool:
    file.seek(max(0, size - 1024))
    return file.read().rstrip().endswith(b"%%EOF")


def _is_signature_gap(file: BinaryIO, first_length: int, second_start: int) -> bool:
    """The bytes the range leaves out are the hex value of a /Contents key."""
    before = max(0, first_length - 32)
    file.seek(before)
    key = file.read(first_length - before)
    gap = file.read(second_start - first_length)
    return bool(_CONTENTS_KEY.search(key) and _HEX_GAP.fullmatch(gap))


def seal_problem(file: BinaryIO, size: int) -> Optional[str]:
    """Why a file is not a signed PDF (None: it is a whole PDF with a signature dictionary whose
    byte range starts at 0, leaves exactly the hex signature out and stays inside the file).

    The last signature need not reach the end of the file: PAdES B-LT appends validation data
    after it. A body cut short is caught by the missing `%%EOF` and by the announced size."""
    file.seek(0)
    if not file.read(1024).lstrip().startswith(b"%PDF-"):
        return "not a PDF"
    if not _ends_with_eof(file, size):
        return "a PDF cut short (no %%EOF at its end)"
    ranges = byte_ranges(file)
    if not ranges:
        return "a PDF without signature (no /ByteRange)"
    for start, first_length, second_start, second_length in ranges:
        if start == 0 and first_length < second_start and second_start + second_length <= size:
            if _is_signature_gap(file, first_length, second_start):
                return None
    return "a PDF whose /ByteRange does not frame its signature (altered or cut short)"
