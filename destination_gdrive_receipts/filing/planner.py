"""What to do for one receipt, given what Drive already holds (pure; table-tested).

The cheapest correct answer wins: nothing when the file is there with the bank's content as filed,
a metadata patch to move or untrash, a content update in place only when the bank's file changed
since it was filed (identity.bank_changed: a version the user uploaded is not a reason), and a new
file (with a reserved id) only when there is nothing to reuse. A file the user filed elsewhere
stays there (`stays`).
"""

from __future__ import annotations

from dataclasses import dataclass

from destination_gdrive_receipts.drive.inventory import Entry
from destination_gdrive_receipts.filing.identity import bank_changed, may_hold_user_version, user_changed

SKIP, CREATE, PATCH = "skip", "create", "patch"


@dataclass(frozen=True)
class Plan:
    action: str                    # skip | create | patch
    file_id: str | None = None     # the file to patch
    move_from: str | None = None   # current parent when the file must move
    untrash: bool = False
    upload: bool = False           # send the content (create, or update in place)
    over_user_version: bool = False  # the update replaces a version the user uploaded (the sync says so)
    keep_previous: bool = False      # mark the current revision keepForever first (it is, or may be, the user's)

    @property
    def label(self) -> str:
        """Progress counter this plan feeds."""
        if self.action == SKIP:
            return "skipped"
        if self.action == CREATE:
            return "uploaded"
        if self.untrash:
            return "restored"
        if self.upload:
            return "updated"
        return "moved"


def plan(existing: Entry | None, target_folder: str, *, md5: str | None, parent_is_live: bool,
         sha256: str | None = None, stays: bool = False) -> Plan:
    """Decide for one receipt.

    existing: the receipt's file in Drive (live preferred), or None.
    md5, sha256: the bank's content digests when the content is at hand (content records), None from the index.
    parent_is_live: whether `existing`'s parent folder is live (an untrash only helps then).
    stays: the user filed the live file somewhere of their own: it is not moved.
    """
    if existing is None:
        return Plan(CREATE, upload=True)
    if not existing.live and not (existing.explicitly_trashed and parent_is_live):
        # Trashed with its folder (a deleted period folder) or unreachable: start a new file.
        return Plan(CREATE, upload=True)
    moves = existing.parent != target_folder and not (stays and existing.live)
    changed = md5 is not None and bank_changed(existing, sha256=sha256, md5=md5)
    untrash = not existing.live
    if not (moves or changed or untrash):
        return Plan(SKIP, file_id=existing.id)
    return Plan(PATCH, file_id=existing.id, move_from=existing.parent if moves else None,
                untrash=untrash, upload=changed, over_user_version=changed and user_changed(existing),
                keep_previous=changed and may_hold_user_version(existing))
