"""File and folder names that are safe on every operating system (pure, no I/O).

Drive itself accepts any name, but the same files are synced to Windows, macOS and Linux desktops
(Drive for desktop) and downloaded as zip archives, so names are kept to what all of them accept:
no path separators or reserved punctuation, no control characters, no trailing dots or spaces, no
reserved Windows device names, and a bounded length in UTF-8 bytes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections.abc import Mapping

MAX_NAME_BYTES = 200
FALLBACK_STEM = "receipt"
ELLIPSIS = "…"

# Characters Windows (and for "/" every system) refuses in a file name.
_REPLACEMENTS = str.maketrans({"/": "-", "\\": "-", "|": "-", ":": "-", '"': "'", "*": "_", "?": "_", "<": "_", ">": "_"})
# Invisible direction overrides can disguise an extension ("…fdp.exe"); they are dropped.
_BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Joiners and variation selectors are meaningless at the end of a cut name.
_DANGLING = "\u200d\ufe0e\ufe0f"
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{device}{n}" for device in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")
}
_SAFE_EXTENSION = re.compile(r"[A-Za-z0-9]{1,8}")

CONTENT_TYPE_EXTENSIONS = {
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "image/heif": "heif",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/tiff": "tiff",
    "image/bmp": "bmp",
    "image/svg+xml": "svg",
    "text/plain": "txt",
    "text/csv": "csv",
    "text/html": "html",
    "text/xml": "xml",
    "application/xml": "xml",
    "application/json": "json",
    "application/zip": "zip",
    "message/rfc822": "eml",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def clean_text(value: object) -> str:
    """One line of text with every character any OS accepts in a name (may be empty)."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).translate(_REPLACEMENTS)
    kept = []
    for char in text:
        if char in _BIDI_CONTROLS:
            continue
        category = unicodedata.category(char)
        # Control characters, line/paragraph separators and odd spaces all become one plain space.
        kept.append(" " if category in ("Cc", "Zl", "Zp", "Zs") or char.isspace() else char)
    return " ".join("".join(kept).split())


def truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` that fits in `max_bytes` UTF-8 bytes, cut between characters."""
    encoded = text.encode("utf-8")
    if len(encoded) <= max_bytes:
        return text
    # errors="ignore" drops the partial character left at the cut.
    return encoded[: max(max_bytes, 0)].decode("utf-8", errors="ignore").rstrip(_DANGLING)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _tidy_stem(stem: str) -> str:
    # Trailing dots and spaces vanish on Windows; a leading dot hides the file on Unix.
    return stem.strip(" .").rstrip(_DANGLING)


def _is_windows_reserved(stem: str) -> bool:
    # Windows reserves the device name whatever the extension ("nul.tar.gz") and case.
    return stem.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_RESERVED


def safe_extension(extension: str | None) -> str:
    """Lower-case extension without its dot when it is 1–8 letters/digits (not only digits), else ""."""
    extension = (extension or "").strip().lstrip(".")
    if not _SAFE_EXTENSION.fullmatch(extension) or extension.isdigit():
        return ""
    return extension.lower()


def safe_file_name(stem: str, extension: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """`stem.extension` made safe on every OS and at most `max_bytes` UTF-8 bytes long."""
    extension = safe_extension(extension)
    suffix = f".{extension}" if extension else ""
    room = max_bytes - utf8_len(suffix)
    if room < 2:
        raise ValueError(f"max_bytes={max_bytes} leaves no room for a name besides the extension {suffix!r}")
    stem = _tidy_stem(truncate_utf8(_tidy_stem(clean_text(stem)), room)) or FALLBACK_STEM
    if _is_windows_reserved(stem):
        # Windows judges the part before the first dot, so the mark goes there.
        head, dot, rest = stem.partition(".")
        stem = _tidy_stem(truncate_utf8(f"{head.rstrip()}_{dot}{rest}", room))
    return stem + suffix


def split_extension(file_name: str | None) -> tuple[str, str]:
    """(stem, extension) of a user-supplied name; the extension is "" unless it is safe."""
    name = file_name or ""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip(" ."):
        return name, ""
    extension = safe_extension(extension)
    return (stem, extension) if extension else (name, "")


def extension_for(content_type: str | None, original_name: str | None) -> str:
    """Extension from the MIME type, else the original name's when safe, else ""."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    return CONTENT_TYPE_EXTENSIONS.get(mime) or split_extension(original_name)[1]


def short_id(attachment_id: str) -> str:
    """8 hex characters naming an attachment: a UUID's first group (as shown by the bank), else a hash."""
    try:
        return uuid.UUID(str(attachment_id)).hex[:8]
    except ValueError:
        return hashlib.sha256(str(attachment_id).encode("utf-8")).hexdigest()[:8]


def render_name(template: str, values: Mapping[str, str], shrinkable: tuple[str, ...], extension: str,
                max_bytes: int = MAX_NAME_BYTES) -> str:
    """Fill `template` and bound the result by shortening the free-text values, longest first.

    Shortening values rather than the end of the name keeps the date, amount and short id intact.
    """
    values = {key: clean_text(value) for key, value in values.items()}
    suffix_bytes = utf8_len(f".{extension}") if safe_extension(extension) else 0
    budget = max_bytes - suffix_bytes
    used = [key for key in shrinkable if "{" + key + "}" in template]
    while True:
        overflow = utf8_len(_tidy_stem(clean_text(template.format_map(values)))) - budget
        candidates = [key for key in used if values[key]]
        if overflow <= 0 or not candidates:
            break
        candidates.sort(key=lambda key: utf8_len(values[key]), reverse=True)
        longest, length = candidates[0], utf8_len(values[candidates[0]])
        target = length - overflow
        if len(candidates) > 1:
            # Not below the runner-up, so long values end up about equally shortened.
            target = max(target, min(utf8_len(values[candidates[1]]), length - 1))
        keep = target - utf8_len(ELLIPSIS)
        # Each step makes the value strictly shorter, so the loop ends.
        values[longest] = truncate_utf8(values[longest], keep).rstrip(" .") + ELLIPSIS if keep > 0 else ""
    return safe_file_name(template.format_map(values), extension, max_bytes)
