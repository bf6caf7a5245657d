"""The small manifest in the root folder: which period folders the app made (and when a sync last
filed into each), which ones the user deleted (and from when), the ids of items made by recent syncs,
and the receipts generation of the last sync (a truncation needs a new one).

Drive forgets a permanently deleted folder entirely, so telling "the user deleted 2024-03" from
"2024-03 was never made" needs memory of the folders we made. The manifest is JSON, tagged with
appProperties, and written only when its content changes.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import orjson
import pendulum

from destination_gdrive_receipts.drive.gateway import Media
from destination_gdrive_receipts.drive.inventory import MANIFEST, Entry, query_literal

MANIFEST_NAME = ".receipts-manifest.json"
MANIFEST_MIME = "application/json"
VERSION = 1
# A manifest after a large backfill lists every item made (~0.7 MB for 20,000): uploaded resumably
# above this, a chunk at a time, instead of as a multipart request built whole in memory.
ONE_REQUEST_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Deletion:
    account_id: str
    period: str
    observed_at: str       # RFC 3339 UTC cut-off; receipts attached before it stay out (see _deleted_at)
    folder_id: str = ""


@dataclass
class Manifest:
    generation: int | None = None
    known: dict[str, tuple[str, str]] = field(default_factory=dict)   # period folder id -> (account id, period)
    deleted: list[Deletion] = field(default_factory=list)
    # Period folder id -> when a sync last saw it live and filed into it (RFC 3339 UTC): the deletion
    # cut-off in My Drive, where Drive gives no trash date.
    live_at: dict[str, str] = field(default_factory=dict)
    # Ids of items made by recent syncs: fetched by id when a (lagging) property search misses them.
    recent: set[str] = field(default_factory=set)

    # ---- pure rules --------------------------------------------------------------------------
    def observe(self, periods: Iterable[Entry], now: str) -> bool:
        """Record deletions of known period folders (trashed or gone), learn live ones, and forget the
        deletion of a folder that is live again."""
        by_id = {e.id: e for e in periods}
        changed = False
        for folder_id, (account_id, period) in list(self.known.items()):
            entry = by_id.get(folder_id)
            if entry is None or not entry.live:
                cutoff = _deleted_at(entry, self.live_at.pop(folder_id, None), now)
                self.deleted.append(Deletion(account_id, period, cutoff, folder_id))
                del self.known[folder_id]
                changed = True
            elif folder_id not in self.live_at:
                self.live_at[folder_id] = now     # a manifest from before live_at: seen live now
                changed = True
        for entry in by_id.values():
            if entry.live and entry.id not in self.known:
                changed |= self.remember(entry.id, entry.markers.get("acct", ""), entry.markers.get("period", ""))
                self.live_at.setdefault(entry.id, now)
        # A folder the user restored from the trash undoes its deletion.
        restored = [d for d in self.deleted if d.folder_id in self.known]
        if restored:
            self.deleted = [d for d in self.deleted if d not in restored]
            changed = True
        return changed

    def remember(self, folder_id: str, account_marker: str, period: str) -> bool:
        if self.known.get(folder_id) == (account_marker, period):
            return False
        self.known[folder_id] = (account_marker, period)
        return True

    def filing_into(self, folder_id: str, now: str) -> bool:
        """An item was filed into this live period folder at `now`: every receipt filed there so far was
        attached before it, so a later deletion of the folder is dated no earlier than this."""
        if folder_id not in self.known or self.live_at.get(folder_id, "") >= now:
            return False
        self.live_at[folder_id] = now
        return True

    def settle_recent(self, listed: Iterable[str], found: Iterable[str]) -> None:
        """Keep only recent ids a listing did not show yet but that still exist (`found` by id).
        Not a change worth a write by itself: the next write carries it."""
        self.recent = (self.recent - set(listed)) & set(found)

    def reset(self) -> bool:
        """A reset brings everything back: forget every deletion."""
        changed = bool(self.deleted)
        self.deleted = []
        return changed

    def set_generation(self, generation: int | None) -> bool:
        """Remember the receipts stream's generation; returns whether it changed.

        A new generation alone is *not* a reset (every refresh brings one); platform.JobMeaning.resets
        decides, from the catalog and the generation remembered here.
        """
        if generation is None or generation == self.generation:
            return False
        self.generation = generation
        return True

    def skips(self, account_marker: str, period: str, attachment_created_at: str | None) -> bool:
        """True when the user deleted this period folder after the receipt was attached."""
        for deletion in self.deleted:
            if deletion.account_id == account_marker and deletion.period == period:
                if not attachment_created_at or _utc(attachment_created_at) < deletion.observed_at:
                    return True
        return False

    # ---- serialisation -----------------------------------------------------------------------
    def to_json(self) -> bytes:
        body = {
            "version": VERSION,
            "generation": self.generation,
            "period_folders": [{"id": i, "account": a, "period": p, **_when(self.live_at.get(i))}
                               for i, (a, p) in sorted(self.known.items())],
            "deleted_periods": [vars(d) for d in self.deleted],
            "recent_items": _stored_ids(self.recent),
        }
        return orjson.dumps(body, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)   # bytes, no str copy

    @staticmethod
    def from_json(data: bytes) -> "Manifest":
        body: dict[str, Any] = json.loads(data or b"{}")
        return Manifest(
            generation=body.get("generation"),
            known={f["id"]: (f["account"], f["period"]) for f in body.get("period_folders", [])},
            deleted=[Deletion(**d) for d in body.get("deleted_periods", [])],
            live_at={f["id"]: f["live_at"] for f in body.get("period_folders", []) if f.get("live_at")},
            recent=_ids(body.get("recent_items")),
        )


def _stored_ids(ids: set[str]) -> str | list[str]:
    """One space-separated string, not a list: after a backfill it holds every item made (20,000 ids),
    and a list was ~40,000 small strings to encode at the end of the sync. Drive documents no
    character set for ids (those seen are letters, digits, - and _): were one ever to hold a space,
    the list form is written."""
    ordered = sorted(ids)
    joined = " ".join(ordered)
    return joined if len(joined.split()) == len(ordered) else ordered


def _ids(stored: Any) -> set[str]:
    """Ids as written: one space-separated string (0.3.1 on), or a list (before)."""
    if isinstance(stored, str):
        return set(stored.split())
    return set(stored or [])


def _when(live_at: str | None) -> dict:
    return {"live_at": live_at} if live_at else {}


def _deleted_at(entry: Entry | None, live_at: str | None, now: str) -> str:
    """The cut-off for a deleted period folder: receipts attached after it are filed again.

    An error must lean towards filing, never towards losing a receipt. Drive dates a trash only in
    shared drives (trashedTime, "only populated for items in shared drives"); in My Drive, and for a
    folder deleted for ever, the best lower bound is when a sync last saw the folder live and filed
    into it: every receipt filed there was attached before that, and one attached later never reached
    the folder. The earlier of the two known times wins; with neither (a manifest from an older
    version), the time the deletion is noticed. A time ahead of ours (clock skew) is capped at now.
    """
    known = [now]
    if live_at:
        known.append(live_at)
    try:
        if entry is not None and entry.trashed_time:
            known.append(_utc(entry.trashed_time))
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        pass
    return min(known)


def _utc(timestamp: str) -> str:
    """RFC 3339 → comparable UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ'."""
    return pendulum.parse(timestamp).in_timezone("UTC").format("YYYY-MM-DDTHH:mm:ss.SSSSSS") + "Z"


def utc_now() -> str:
    return _utc(pendulum.now("UTC").to_iso8601_string())


class ManifestStore:
    """Loads and saves the manifest file in the root folder."""

    def __init__(self, gateway, root_id: str) -> None:
        self._gateway, self._root_id = gateway, root_id
        self._file_id: str | None = None
        self._saved_md5: str | None = None     # of the content in Drive (not the bytes: ~0.7 MB after a backfill)

    def load(self) -> Manifest:
        # Found through its parent, not its markers: a `parents` search is read-after-write consistent
        # (kopia/kopia#90), so a manifest written by the sync just before is never missed and doubled.
        q = (f"{query_literal(self._root_id)} in parents and mimeType = {query_literal(MANIFEST_MIME)} "
             "and trashed = false")
        listed = self._gateway.list(q, "nextPageToken,files(id,createdTime,appProperties)")
        files = sorted((f for f in listed if (f.get("appProperties") or {}).get("kind") == MANIFEST),
                       key=lambda f: f.get("createdTime", ""))
        if not files:
            return Manifest()
        self._file_id = files[0]["id"]
        try:
            saved = self._gateway.download(self._file_id)
            self._saved_md5 = hashlib.md5(saved).hexdigest()
            return Manifest.from_json(saved)
        except (ValueError, KeyError, TypeError):
            return Manifest()      # unreadable: start afresh rather than block every sync

    def save(self, manifest: Manifest) -> bool:
        """Write the manifest if its content changed; returns whether a write happened."""
        data = manifest.to_json()
        md5 = hashlib.md5(data).hexdigest()
        if md5 == self._saved_md5:
            return False
        media = Media(io.BytesIO(data), len(data), md5, "application/json", one_request_max=ONE_REQUEST_MAX_BYTES)
        if self._file_id:
            self._gateway.update(self._file_id, {}, media=media)
        else:
            body = {"name": MANIFEST_NAME, "parents": [self._root_id], "mimeType": MANIFEST_MIME,
                    "appProperties": {"kind": MANIFEST, "root": self._root_id},
                    "description": "Remembers the period folders this connector made and those you deleted."}
            self._file_id = self._gateway.create_file(body, media)["id"]
        self._saved_md5 = md5
        return True
