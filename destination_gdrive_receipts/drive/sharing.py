"""Share the root folder with the configured people, idempotently (no duplicate permissions)."""

from __future__ import annotations

import logging
from typing import Iterable

from destination_gdrive_receipts.config import Share

logger = logging.getLogger("airbyte")


def missing_shares(wanted: Iterable[Share], existing: Iterable[dict]) -> list[tuple[Share, str | None]]:
    """(share, permission id to update or None to create) for every share not yet in place (pure)."""
    by_email = {str(p.get("emailAddress", "")).lower(): p for p in existing if p.get("type", "user") == "user"}
    todo = []
    for share in wanted:
        current = by_email.get(share.email.lower())
        if current is None:
            todo.append((share, None))
        elif current.get("role") != share.role and current.get("role") != "owner":
            todo.append((share, current.get("id")))
    return todo


def apply_shares(gateway, folder_id: str, wanted: tuple[Share, ...]) -> int:
    """Grant what is missing; returns the number of permissions created or changed."""
    if not wanted:
        return 0
    todo = missing_shares(wanted, gateway.list_permissions(folder_id))
    for share, permission_id in todo:
        if permission_id:
            gateway.update_permission(folder_id, permission_id, share.role)
        else:
            gateway.create_permission(folder_id, share.email, share.role)
        logger.info("Shared the root folder with %s as %s", share.email, share.role)
    return len(todo)
