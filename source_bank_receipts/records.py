"""Record shapes of the four streams (pure). Field meanings: docs/stream-contract.md."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Mapping, Optional

from .dates import format_ts

ORIGINAL, PROBATIVE = "original", "probative"  # the `variant` of a receipts record
# probative_attachment.status values seen at the bank (OpenAPI file: free string; qonto.md)
PROBATIVE_STATUSES = ("available", "pending", "unavailable", "corrupted")
EXPORTED_STATUSES = ("completed", "pending")  # declined transactions have no receipt to file
ALL_STATUSES = ("completed", "pending", "declined")  # the documented status[] values (OpenAPI enum)
# A pending payment whose authorisation is cancelled becomes `reversed` (OpenAPI: settled_at's
# description); not a documented filter value, so asked only once the bank accepts it (status_support.py).
REVERSED = "reversed"


def to_number(value: Any) -> Optional[float]:
    """Amounts are numbers in practice, but one documented example shows "10,00"."""
    if value is None or isinstance(value, (int, float)):
        return value
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def to_int(value: Any) -> Optional[int]:
    """file_size is a string ("27965") on attachments and sometimes a number."""
    try:
        return int(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


def account_record(account: Mapping[str, Any]) -> Dict[str, Any]:
    return dict(account)


def transaction_record(transaction: Mapping[str, Any], bank_account_id: str) -> Dict[str, Any]:
    record = {key: value for key, value in transaction.items() if key != "attachments"}
    record.setdefault("bank_account_id", bank_account_id)
    record["bank_account_id"] = record["bank_account_id"] or bank_account_id
    return record


def receipt_metadata(transaction: Mapping[str, Any], attachment: Mapping[str, Any], account: Mapping[str, Any]) -> Dict[str, Any]:
    return {
        "attachment_id": attachment["id"],
        "file_name": attachment.get("file_name") or attachment["id"],
        "content_type": attachment.get("file_content_type") or "application/octet-stream",
        "attachment_created_at": attachment.get("created_at"),
        "transaction_id": transaction["id"],
        "label": transaction.get("clean_counterparty_name") or transaction.get("label"),
        "amount": to_number(transaction.get("amount")),
        "currency": transaction.get("currency"),
        "side": transaction.get("side"),
        "settled_at": transaction.get("settled_at"),
        "emitted_at": transaction.get("emitted_at"),
        "status": transaction.get("status"),
        "updated_at": transaction.get("updated_at"),
        "bank_account_id": account["id"],
        "bank_account_name": account.get("name"),
        "iban": account.get("iban") or None,
    }


def probative_of(attachment: Mapping[str, Any]) -> Dict[str, Any]:
    """The attachment's `probative_attachment` object ({} when the bank sent none)."""
    value = attachment.get("probative_attachment")
    return dict(value) if isinstance(value, Mapping) else {}


def probative_status(attachment: Mapping[str, Any]) -> Optional[str]:
    status = probative_of(attachment).get("status")
    return status if isinstance(status, str) and status else None


def probative_download(attachment: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The sealed copy as a downloadable attachment (same id, its own name, type, size and URL),
    or None when the bank has not made it available."""
    probative = probative_of(attachment)
    if probative.get("status") != "available":
        return None
    return {
        "id": attachment["id"],
        "file_name": probative.get("file_name") or f"{attachment.get('file_name') or attachment['id']}.pdf",
        "file_content_type": probative.get("file_content_type") or "application/pdf",
        "file_size": probative.get("file_size"),
        "url": probative.get("url"),
    }


def variant_size(attachment: Mapping[str, Any], variant: str) -> Optional[int]:
    """The size the bank gives for one variant's file (None when it gives none)."""
    download = attachment if variant == ORIGINAL else probative_download(attachment) or {}
    return to_int(download.get("file_size"))


def variant_metadata(metadata: Mapping[str, Any], download: Mapping[str, Any], variant: str) -> Dict[str, Any]:
    """Receipt metadata for one variant: the sealed copy has its own file name and type."""
    if variant == ORIGINAL:
        return {**metadata, "variant": ORIGINAL}
    return {**metadata, "file_name": download["file_name"], "content_type": download["file_content_type"], "variant": variant}


def receipt_chunk_record(metadata: Mapping[str, Any], index: int, count: int, content_base64: str, sha256: str, size: int) -> Dict[str, Any]:
    return {**metadata, "chunk_index": index, "chunk_count": count, "content_base64": content_base64, "sha256": sha256, "size": size}


def _expiry(url_expires_at: float) -> str:
    return format_ts(datetime.fromtimestamp(url_expires_at, tz=timezone.utc))


def probative_index_entry(attachment: Mapping[str, Any], url_expires_at: Optional[float]) -> Dict[str, Any]:
    """What receipt_index says of the sealed copy: its status, and when available how to fetch it."""
    download = probative_download(attachment)
    entry: Dict[str, Any] = {"status": probative_status(attachment)}
    if download is not None:
        entry.update(
            file_name=download["file_name"],
            content_type=download["file_content_type"],
            size=to_int(download.get("file_size")),
            download_url=download.get("url"),
            download_url_expires_at=_expiry(url_expires_at) if url_expires_at is not None and download.get("url") else None,
        )
    return entry


def receipt_index_record(
    metadata: Mapping[str, Any], attachment: Mapping[str, Any], url_expires_at: float, probative: Optional[Mapping[str, Any]] = None
) -> Dict[str, Any]:
    """`probative` is None when the source does not export sealed copies (the field is then null)."""
    return {
        **metadata,
        "size": to_int(attachment.get("file_size")),
        "download_url": attachment.get("url"),
        "download_url_expires_at": _expiry(url_expires_at),
        "probative": dict(probative) if probative is not None else None,
    }
