"""What the app already has in Drive, learned with one paged listing of the whole tree.

Identity is the app-private appProperties marker, never the name: Drive allows duplicate names and
users rename things. Every item below the root carries `root=<root folder id>`, so one query
(`appProperties has {key='root' and value=…}`, 1000 items per page) returns every folder and
receipt the app made there, trashed ones included.
"""

from __future__ import annotations

import base64
import hashlib
import sys
import threading
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Iterator, Mapping

FOLDER_MIME = "application/vnd.google-apps.folder"
ROOT, ACCOUNT, PERIOD, RECEIPT, MANIFEST = "root", "account", "period", "receipt", "manifest"
_MAX_PROPERTY_BYTES = 124   # Drive's limit for key + value, UTF-8
# Marker values that repeat across the tree (one root, a few accounts and periods): one shared str each.
# `fp` is the period a receipt was filed for: a few dozen values over thousands of receipts.
_SHARED_MARKERS = frozenset({"kind", "root", "acct", "period", "var", "fp"})
# A receipt file's `var` marker: absent on originals, "probative" on the bank's sealed copy.
ORIGINAL_VARIANT = "original"


def marker_value(key: str, value: str) -> str:
    """The value as-is when key+value fits Drive's 124-byte limit, else a short stable digest."""
    if len(key.encode()) + len(value.encode()) <= _MAX_PROPERTY_BYTES:
        return value
    digest = base64.urlsafe_b64encode(hashlib.sha256(value.encode()).digest()).decode().rstrip("=")
    return "h:" + digest


def root_key(root_folder_name: str) -> str:
    return hashlib.sha256(root_folder_name.encode()).hexdigest()[:16]


def root_markers(root_folder_name: str) -> dict[str, str]:
    return {"kind": ROOT, "rootkey": root_key(root_folder_name)}


def account_markers(root_id: str, account_id: str) -> dict[str, str]:
    return {"kind": ACCOUNT, "root": root_id, "acct": marker_value("acct", account_id)}


def period_markers(root_id: str, account_id: str, period: str) -> dict[str, str]:
    return {**account_markers(root_id, account_id), "kind": PERIOD, "period": period}


def _receipt_key(att: str | None, variant: str) -> Hashable:
    """A receipt's index key: its `att` marker itself for an original (no tuple per receipt), else a tuple
    (which never equals a str)."""
    return att if variant == ORIGINAL_VARIANT else (RECEIPT, att, variant)


def query_literal(value: str) -> str:
    """A string literal for files.list q: backslash and quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def has_marker(key: str, value: str) -> str:
    return f"appProperties has {{ key={query_literal(key)} and value={query_literal(value)} }}"


class Markers(Mapping[str, str]):
    """A file's appProperties, read-only: the values in a tuple, the keys in one tuple shared by every
    file with the same keys. A dict each was ~270 of the ~1,200 bytes each of an archive's 20,000
    receipts cost the tree; this is ~140."""

    __slots__ = ("_keys", "_values")
    _layouts: dict[tuple, tuple] = {}      # keys → the one tuple of them (a few layouts in a tree)

    def __init__(self, items: Mapping[str, str]) -> None:
        keys = tuple(items)
        self._keys = Markers._layouts.setdefault(keys, keys)
        self._values = tuple(items.values())

    def __getitem__(self, key: str) -> str:
        try:
            return self._values[self._keys.index(key)]
        except ValueError:
            raise KeyError(key) from None

    def get(self, key: str, default=None):
        return self._values[self._keys.index(key)] if key in self._keys else default

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


# slots: the tree holds one Entry per receipt for the whole sync (20,000 in a large archive).
@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    name: str
    kind: str
    parent: str | None
    trashed: bool = False
    explicitly_trashed: bool = False
    md5: str | None = None
    size: int | None = None
    markers: Mapping[str, str] = field(default_factory=dict)
    created: str = ""
    trashed_time: str | None = None   # Drive reports it for items trashed in shared drives

    @property
    def live(self) -> bool:
        return not self.trashed

    @staticmethod
    def from_drive(item: Mapping) -> "Entry":
        markers = {sys.intern(k): sys.intern(v) if k in _SHARED_MARKERS and isinstance(v, str) else v
                   for k, v in (item.get("appProperties") or {}).items()}
        md5 = item.get("md5Checksum")
        if md5 is not None and markers.get("md5") == md5:
            markers["md5"] = md5      # the filed digest is usually Drive's own: one str for both
        parent = (item.get("parents") or [None])[0]
        return Entry(
            id=item["id"], name=item.get("name", ""), kind=markers.get("kind", ""),
            parent=sys.intern(parent) if isinstance(parent, str) else parent,
            trashed=bool(item.get("trashed")), explicitly_trashed=bool(item.get("explicitlyTrashed")),
            md5=md5, size=int(item["size"]) if item.get("size") is not None else None,
            markers=Markers(markers), created=item.get("createdTime", ""), trashed_time=item.get("trashedTime"),
        )


class DriveTree:
    """Thread-safe index of the app's folders and receipts below one root folder.

    Lookups go through per-marker indexes: a backfill looks up every receipt, so a scan of the
    whole tree per lookup would make large syncs quadratic. An index value is the one id under its
    key, or a tuple of ids when there are several: a set per receipt was ~280 bytes of the ~1.4 KB
    each of an archive's 20,000 receipts cost.
    """

    def __init__(self, root_id: str, entries: Iterable[Entry] = ()) -> None:
        self.root_id = root_id
        self._by_id: dict[str, Entry] = {}
        self._index: dict[Hashable, str | tuple[str, ...]] = {}
        self._lock = threading.RLock()
        for entry in entries:
            self.put(entry)

    @staticmethod
    def _keys(entry: Entry) -> list[Hashable]:
        m = entry.markers
        if entry.kind == RECEIPT:
            return [_receipt_key(m.get("att"), m.get("var") or ORIGINAL_VARIANT)]
        if entry.kind == ACCOUNT:
            return [(ACCOUNT, m.get("acct"))]
        if entry.kind == PERIOD:
            return [(PERIOD, m.get("acct"), m.get("period")), (PERIOD,)]
        return []

    def put(self, entry: Entry) -> Entry:
        with self._lock:
            old = self._by_id.get(entry.id)
            for key in self._keys(old) if old else []:
                self._unindex(key, entry.id)
            self._by_id[entry.id] = entry
            for key in self._keys(entry):
                self._reindex(key, entry.id)
        return entry

    def _reindex(self, key: Hashable, file_id: str) -> None:
        held = self._index.get(key)
        if held is None:
            self._index[key] = file_id
        elif isinstance(held, str):
            if held != file_id:
                self._index[key] = (held, file_id)
        elif file_id not in held:
            self._index[key] = held + (file_id,)

    def _unindex(self, key: Hashable, file_id: str) -> None:
        held = self._index.get(key)
        if held == file_id:
            del self._index[key]
        elif isinstance(held, tuple) and file_id in held:
            rest = tuple(i for i in held if i != file_id)
            self._index[key] = rest[0] if len(rest) == 1 else rest

    def _ids(self, key: Hashable) -> tuple[str, ...]:
        held = self._index.get(key, ())
        return (held,) if isinstance(held, str) else held

    def get(self, file_id: str) -> Entry | None:
        with self._lock:
            return self._by_id.get(file_id)

    def _select(self, *key: str | None) -> list[Entry]:
        return self._select_key(key)

    def _select_key(self, key: Hashable) -> list[Entry]:
        with self._lock:
            found = [self._by_id[i] for i in self._ids(key)]
        # Oldest first, so duplicates (if any were ever made) resolve the same way every time.
        return sorted(found, key=lambda e: (e.created, e.id))

    # Folders are found by identity wherever the user put them (renamed, moved into a folder of theirs,
    # even out of the root): the oldest live one. Trash reaches them through Drive's `trashed`, which is
    # true for everything below a trashed folder too.
    def live_account(self, account_id: str) -> Entry | None:
        return next((e for e in self._select(ACCOUNT, marker_value("acct", account_id)) if e.live), None)

    def live_period(self, account_id: str, period: str) -> Entry | None:
        return next((e for e in self._select(PERIOD, marker_value("acct", account_id), period) if e.live), None)

    def receipt(self, attachment_id: str, prefer_parent: str | None = None, variant: str = ORIGINAL_VARIANT) -> Entry | None:
        """The receipt's file: a live one (in `prefer_parent` first), else the most restorable trashed one."""
        found = self._select_key(_receipt_key(marker_value("att", attachment_id), variant))
        ranked = sorted(found, key=lambda e: (not e.live, e.parent != prefer_parent, not e.explicitly_trashed))
        return ranked[0] if ranked else None

    def receipts(self) -> list[Entry]:
        with self._lock:
            return [e for e in self._by_id.values() if e.kind == RECEIPT]

    def live_receipt(self, attachment_id: str, variant: str = ORIGINAL_VARIANT) -> Entry | None:
        """The receipt's live file wherever it is — in its period folder, a sub-folder the user made, or a
        folder outside the root — for links. A file trashed (alone or with its folder) is not live: Drive
        marks the children of a trashed folder trashed too."""
        found = self.receipt(attachment_id, variant=variant)
        return found if found is not None and found.live else None

    def periods(self) -> list[Entry]:
        return self._select(PERIOD)

    def is_live_folder(self, folder_id: str | None) -> bool:
        entry = self.get(folder_id) if folder_id else None
        return entry is not None and entry.live
