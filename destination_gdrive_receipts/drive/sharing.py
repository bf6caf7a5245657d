"""Share the root folder with the configured people, after filing, without ever stopping a sync.

Grants are only ever added: a person who already has a direct grant on the root keeps it whatever its
role (the owner may have set it by hand, and Drive answers a create for the same person by changing
that grant), and a person who inherits an equal or higher role from a parent folder needs nothing.
Drive may refuse (BEHAVIOR.md): an address without a Google account can only be invited with a
notification e-mail, inherited grants cannot be reduced, a shared-drive folder may need the Manager
role. Each refusal is a warning; the receipts are already filed when sharing runs.
"""

from __future__ import annotations

import logging
from typing import Iterable

from googleapiclient.errors import HttpError

from destination_gdrive_receipts.config import Share
from destination_gdrive_receipts.drive.rate_limit import TRANSPORT_ERRORS, error_reason

logger = logging.getLogger("airbyte")

RANK = {"reader": 0, "commenter": 1, "writer": 2, "fileOrganizer": 3, "organizer": 4, "owner": 5}
HINTS = {
    "invalidSharingRequest": "Drive refused the invitation; check the address",
    "cannotModifyInheritedPermission": "they inherit access from a parent folder, which only that folder can change",
    "cannotModifyInheritedTeamDrivePermission": "they inherit access from a parent folder, which only that folder "
                                                "can change",
    "insufficientFilePermissions": "in a shared drive, sharing a folder needs the Manager role unless the drive "
                                   "lets Content managers share folders",
    "sharingRateLimitExceeded": "Drive limits how many invitations an account sends; the next sync tries again",
}


def plan_shares(wanted: Iterable[Share], existing: Iterable[dict]) -> tuple[list[Share], list[tuple[Share, str]]]:
    """(shares to create, [(share, role already granted directly)] left as they are) — pure.

    A permission without permissionDetails counts as direct: Drive documents the field, but a direct
    grant is the safe reading (it is never changed).
    """
    direct: dict[str, str] = {}
    inherited: dict[str, str] = {}
    for permission in existing:
        if permission.get("type", "user") not in ("user", "group"):
            continue
        email = str(permission.get("emailAddress", "")).lower()
        details = permission.get("permissionDetails") or [{"inherited": False, "role": permission.get("role")}]
        for detail in details:
            target = inherited if detail.get("inherited") else direct
            role = detail.get("role") or permission.get("role") or "reader"
            if RANK.get(role, 0) >= RANK.get(target.get(email, ""), -1):
                target[email] = role
    create, kept = [], []
    for share in wanted:
        email = share.email.lower()
        if email in direct:
            if direct[email] != share.role:
                kept.append((share, direct[email]))
        elif RANK.get(inherited.get(email, ""), -1) < RANK[share.role]:
            create.append(share)
    return create, kept


def apply_shares(gateway, folder_id: str, wanted: tuple[Share, ...]) -> int:
    """Grant what is missing; returns the number of permissions created. Never raises for Drive's answers."""
    if not wanted:
        return 0
    try:
        create, kept = plan_shares(wanted, gateway.list_permissions(folder_id))
    except (HttpError, *TRANSPORT_ERRORS) as error:
        logger.warning("The root folder's sharing could not be read (%s); it is checked again next sync.",
                       _describe(error))
        return 0
    for share, role in kept:
        logger.info("%s already has %s access to the root folder (set in Drive): left as it is, not changed to %s.",
                    share.email, role, share.role)
    return sum(_grant(gateway, folder_id, share) for share in create)


def _grant(gateway, folder_id: str, share: Share) -> int:
    try:
        gateway.create_permission(folder_id, share.email, share.role, notify=False)
    except HttpError as error:
        if not (error.resp.status == 400 and error_reason(error.content) == "invalidSharingRequest"):
            return _refused(share, error)
        # No Google account behind the address: Drive only shares with an invitation e-mail.
        try:
            gateway.create_permission(folder_id, share.email, share.role, notify=True)
        except HttpError as again:
            return _refused(share, again)
        logger.info("Shared the root folder with %s as %s; Drive sent them an invitation e-mail (the address has "
                    "no Google account yet).", share.email, share.role)
        return 1
    except TRANSPORT_ERRORS as error:
        return _refused(share, error)
    logger.info("Shared the root folder with %s as %s", share.email, share.role)
    return 1


def _refused(share: Share, error: Exception) -> int:
    reason = error_reason(error.content) if isinstance(error, HttpError) else None
    hint = HINTS.get(reason or "", "the next sync tries again")
    logger.warning("The root folder could not be shared with %s as %s (%s): %s. Receipts are filed as usual; "
                   "share the folder by hand in Google Drive if needed.", share.email, share.role, _describe(error),
                   hint)
    return 0


def _describe(error: Exception) -> str:
    if isinstance(error, HttpError):
        return f"{error.resp.status} {error_reason(error.content) or ''}".strip()
    return type(error).__name__
