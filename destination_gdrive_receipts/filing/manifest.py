"""The small manifest in the root folder: which period folders the app made, which ones the user
deleted (and when that was first seen), and the receipts generation of the last sync (a truncation needs a new one).

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

import pendulum

from destination_gdrive_receipts.drive.gateway import Media
from destination_gdrive_receipts.drive.inventory import MANIFEST, Entry, has_marker

MANIFEST_NAME = ".receipts-manifest.json"
VERSION = 1


@dataclass(frozen=True)
class Deletion:
    account_id: str
    period: str
    observed_at: str       # RFC 3339 UTC; receipts attached before it stay out
    folder_id: str = ""


@dataclass
class Manifest:
    generation: int | None = None
    known: dict[str, tuple[str, str]] = field(default_factory=dict)   # period folder id -> (account id, period)
    deleted: list[Deletion] = field(default_factory=list)

    # ---- pure rules --------------------------------------------------------------------------
    def observe(self, periods: Iterable[Entry], now: str) -> bool:
        """Record deletions of known period folders (trashed or gone), learn live ones, and forget the
        deletion of a folder that is live again."""
        by_id = {e.id: e for e in periods}
        changed = False
        for folder_id, (account_id, period) in list(self.known.items()):
            entry = by_id.get(folder_id)
            if entry is None or not entry.live:
                self.deleted.append(Deletion(account_id, period, _deleted_at(entry, now), folder_id))
                del self.known[folder_id]
                changed = True
        for entry in by_id.values():
            if entry.live and entry.id not in self.known:
                changed |= self.remember(entry.id, entry.markers.get("acct", ""), entry.markers.get("period", ""))
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
            "period_folders": [{"id": i, "account": a, "period": p} for i, (a, p) in sorted(self.known.items())],
            "deleted_periods": [vars(d) for d in self.deleted],
        }
        return json.dumps(body, indent=1, sort_keys=True).encode()

    @staticmethod
    def from_json(data: bytes) -> "Manifest":
        body: dict[str, Any] = json.loads(data or b"{}")
        return Manifest(
            generation=body.get("generation"),
            known={f["id"]: (f["account"], f["period"]) for f in body.get("period_folders", [])},
            deleted=[Deletion(**d) for d in body.get("deleted_periods", [])],
        )


def _deleted_at(entry: Entry | None, now: str) -> str:
    """When the folder was deleted: its trash time when Drive gives one, else now (when it was noticed).

    Receipts attached between the deletion and this sync are newer than the deletion, so the earlier
    cutoff lets them recreate the folder. A time ahead of ours (clock skew) is capped at now.
    """
    try:
        return min(_utc(entry.trashed_time), now) if entry is not None and entry.trashed_time else now
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        return now


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
        self._saved: bytes | None = None

    def load(self) -> Manifest:
        q = f"{has_marker('kind', MANIFEST)} and {has_marker('root', self._root_id)} and trashed = false"
        files = sorted(self._gateway.list(q, "nextPageToken,files(id,createdTime)"), key=lambda f: f.get("createdTime", ""))
        if not files:
            return Manifest()
        self._file_id = files[0]["id"]
        try:
            self._saved = self._gateway.download(self._file_id)
            return Manifest.from_json(self._saved)
        except (ValueError, KeyError, TypeError):
            return Manifest()      # unreadable: start afresh rather than block every sync

    def save(self, manifest: Manifest) -> bool:
        """Write the manifest if its content changed; returns whether a write happened."""
        data = manifest.to_json()
        if data == self._saved:
            return False
        md5 = hashlib.md5(data).hexdigest()
        media = Media(io.BytesIO(data), len(data), md5, "application/json")
        if self._file_id:
            self._gateway.update(self._file_id, {}, media=media)
        else:
            body = {"name": MANIFEST_NAME, "parents": [self._root_id], "mimeType": "application/json",
                    "appProperties": {"kind": MANIFEST, "root": self._root_id},
                    "description": "Remembers the period folders this connector made and those you deleted."}
            self._file_id = self._gateway.create_file(body, media)["id"]
        self._saved = data
        return True
