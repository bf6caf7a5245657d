"""Permissions: validation, stable ids, upsert (concurrent changes: last one wins)."""
from __future__ import annotations

import hashlib

from .errors import ApiError

ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")
TYPES = ("user", "group", "domain", "anyone")


def permission_id(who: str) -> str:
    """Drive's permission ids are numeric and stable per grantee."""
    return str(int(hashlib.sha256(who.lower().encode()).hexdigest()[:16], 16))


def make_permission(body: dict) -> dict:
    kind, role = body.get("type"), body.get("role")
    if kind not in TYPES:
        raise ApiError(400, "invalid", "Invalid value for type", location="permission.type")
    if role not in ROLES:
        raise ApiError(400, "invalid", "Invalid value for role", location="permission.role")
    if kind in ("user", "group"):
        who, location = body.get("emailAddress"), "permission.emailAddress"
    else:
        who, location = (body.get("domain"), "permission.domain") if kind == "domain" else ("anyone", "")
    if not who:
        raise ApiError(400, "required", "The permission must have an email address or domain.", location=location)
    perm = {"kind": "drive#permission", "id": "anyoneWithLink" if kind == "anyone" else permission_id(who),
            "type": kind, "role": role}
    if kind in ("user", "group"):
        perm["emailAddress"] = who
    if kind == "domain":
        perm["domain"] = who
    return perm


def upsert(existing: list[dict], perm: dict) -> None:
    existing[:] = [p for p in existing if p["id"] != perm["id"]] + [perm]


ROLE_RANK = {"reader": 0, "commenter": 1, "writer": 2, "fileOrganizer": 3, "organizer": 4, "owner": 5}
NO_ACCOUNT_MESSAGE = ("Bad Request. User message: \"You are trying to invite {email}. Since there is no Google "
                      "account associated with this email address, you must check the 'Notify people' box to "
                      "invite this recipient.\"")


def ancestors(store, record) -> list:
    out, current = [], record
    while current.parents:
        parent = store.lookup(current.parents[0])
        if parent is None or parent.id in store.roots and parent.id == store.root_id:
            break
        out.append(parent)
        current = parent
    return out


def effective_permissions(store, record) -> list[dict]:
    """The item's own permissions, then those it inherits from its folders (nearest first).

    permissionDetails says which is which ("Details of whether the permissions on this item are
    inherited or are directly on this item", Permission resource); inheritedFrom "is only populated
    for items in shared drives".
    """
    out = []
    for source in [record] + ancestors(store, record):
        for perm in store.permissions.get(source.id, []):
            inherited = source.id != record.id
            detail = {"permissionType": "file", "role": perm["role"], "inherited": inherited}
            if inherited and record.drive_id:
                detail["inheritedFrom"] = source.id
            out.append({**perm, "permissionDetails": [detail]})
    return out


def sharing_refusal(store, record, perm: dict, *, notify: bool) -> None:
    """Drive's documented refusals of permissions.create; raises ApiError.

    - An address without a Google account can only be invited with a notification e-mail (GAM wiki
      Users-Drive-Permissions: "Since there is no Google account associated with this email address,
      you must check the 'Notify people' box"; Drive "Resolve errors": invalidSharingRequest).
    - Inherited permissions "cannot be removed or reduced on any item" (Drive guide "Share files,
      folders, and drives"); GAM 7.10.05: cannotModifyInheritedTeamDrivePermission was renamed
      cannotModifyInheritedPermission.
    - In a shared drive, sharing a folder needs the organizer role unless the drive's
      sharingFoldersRequiresOrganizerPermission restriction is off (same guide, drive restrictions).
    """
    email = str(perm.get("emailAddress", "")).lower()
    if perm["type"] == "user" and not notify and email in store.addresses_without_account:
        raise ApiError(400, "invalidSharingRequest", NO_ACCOUNT_MESSAGE.format(email=perm["emailAddress"]))
    for inherited in effective_permissions(store, record):
        detail = inherited["permissionDetails"][0]
        if detail["inherited"] and inherited["id"] == perm["id"] and ROLE_RANK[perm["role"]] < ROLE_RANK[inherited["role"]]:
            raise ApiError(403, "cannotModifyInheritedPermission",
                           "The permission cannot be reduced below the one inherited from a parent folder.")
    if (record.drive_id and record.is_folder and store.member_role != "organizer"
            and store.sharing_folders_requires_organizer):
        raise ApiError(403, "insufficientFilePermissions",
                       "The user does not have sufficient permissions for this file.")
