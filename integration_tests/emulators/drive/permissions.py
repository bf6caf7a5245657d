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
