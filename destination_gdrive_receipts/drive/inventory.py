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
from typing import Iterable, Mapping

FOLDER_MIME = "application/vnd.google-apps.folder"
ROOT, ACCOUNT, PERIOD, RECEIPT, MANIFEST = "root", "account", "period", "receipt", "manifest"
_MAX_PROPERTY_BYTES = 124   # Drive's limit for key + value, UTF-8
# Marker values that repeat across the tree (one root, a few accounts and periods): one shared str each.
_SHARED_MARKERS = frozenset({"kind", "root", "acct", "period", "var"})
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


def query_literal(value: str) -> str:
    """A string literal for files.list q: backslash and quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def has_marker(key: str, value: str) -> str:
    return f"appProperties has {{ key={query_literal(key)} and value={query_literal(value)} }}"


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
        parent = (item.get("parents") or [None])[0]
        return Entry(
            id=item["id"], name=item.get("name", ""), kind=markers.get("kind", ""),
            parent=sys.intern(parent) if isinstance(parent, str) else parent,
            trashed=bool(item.get("trashed")), explicitly_trashed=bool(item.get("explicitlyTrashed")),
            md5=item.get("md5Checksum"), size=int(item["size"]) if item.get("size") is not None else None,
            markers=markers, created=item.get("createdTime", ""), trashed_time=item.get("trashedTime"),
        )


class DriveTree:
    """Thread-safe index of the app's folders and receipts below one root folder.

    Lookups go through per-marker indexes: a backfill looks up every receipt, so a scan of the
    whole tree per lookup would make large syncs quadratic.
    """

    def __init__(self, root_id: str, entries: Iterable[Entry] = ()) -> None:
        self.root_id = root_id
        self._by_id: dict[str, Entry] = {}
        self._index: dict[tuple, set[str]] = {}
        self._lock = threading.RLock()
        for entry in entries:
            self.put(entry)

    @staticmethod
    def _keys(entry: Entry) -> list[tuple]:
        m = entry.markers
        if entry.kind == RECEIPT:
            return [(RECEIPT, m.get("att"), m.get("var") or ORIGINAL_VARIANT)]
        if entry.kind == ACCOUNT:
            return [(ACCOUNT, m.get("acct"))]
        if entry.kind == PERIOD:
            return [(PERIOD, m.get("acct"), m.get("period")), (PERIOD,)]
        return []

    def put(self, entry: Entry) -> Entry:
        with self._lock:
            old = self._by_id.get(entry.id)
            for key in self._keys(old) if old else []:
                self._index.get(key, set()).discard(entry.id)
            self._by_id[entry.id] = entry
            for key in self._keys(entry):
                self._index.setdefault(key, set()).add(entry.id)
        return entry

    def get(self, file_id: str) -> Entry | None:
        with self._lock:
            return self._by_id.get(file_id)

    def _select(self, *key: str | None) -> list[Entry]:
        with self._lock:
            found = [self._by_id[i] for i in self._index.get(key, ())]
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
        found = self._select(RECEIPT, marker_value("att", attachment_id), variant)
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
