"""Contract-shaped Airbyte messages for the destination (docs/stream-contract.md)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Iterable

CHUNK_BYTES = 3_000_000
STREAMS = ("bank_accounts", "transactions", "receipts", "receipt_index")
PRIMARY_KEYS = {"bank_accounts": [["id"]], "transactions": [["id"]], "receipts": [["attachment_id"], ["variant"], ["chunk_index"]],
                "receipt_index": [["attachment_id"]]}

ACCOUNTS = {
    "acc-main": {"id": "acc-main", "name": "Main account", "iban": "FR7630001007941234567890185", "currency": "EUR",
                 "status": "active"},
    "acc-tax": {"id": "acc-tax", "name": "Taxes", "iban": "FR7630001007949876543210111", "currency": "EUR",
                "status": "active"},
}


def receipt(n: int, *, account: str = "acc-main", settled_at: str | None = "2025-04-03T10:00:00Z",
            emitted_at: str = "2025-04-03T09:00:00Z", created_at: str = "2025-04-03T12:00:00Z",
            label: str = "ACME", amount: float = 12.5, content_type: str = "application/pdf",
            status: str | None = None) -> dict:
    """Receipt metadata (no content) for attachment number n."""
    return {
        "attachment_id": f"att-{n:04d}-5f2b7c1e-1111-4222-8333-944455556666",
        "file_name": f"ticket {n}.pdf",
        "content_type": content_type,
        "attachment_created_at": created_at,
        "transaction_id": f"tx-{n:04d}",
        "label": label,
        "amount": amount,
        "currency": "EUR",
        "side": "debit",
        "settled_at": settled_at,
        "emitted_at": emitted_at,
        "status": status or ("completed" if settled_at else "pending"),
        "updated_at": settled_at or emitted_at,
        "bank_account_id": account,
        "bank_account_name": ACCOUNTS.get(account, {}).get("name"),
        "iban": ACCOUNTS.get(account, {}).get("iban"),
    }


def content_of(n: int, size: int = 2000, version: int = 1) -> bytes:
    seed = hashlib.sha256(f"{n}/{version}".encode()).digest()
    return (b"%PDF-1.4\n" + seed * (size // len(seed) + 1))[:size]


def chunks(meta: dict, content: bytes, chunk_bytes: int = CHUNK_BYTES) -> list[dict]:
    sha = hashlib.sha256(content).hexdigest()
    pieces = [content[i:i + chunk_bytes] for i in range(0, len(content), chunk_bytes)] or [b""]
    return [{**meta, "chunk_index": i, "chunk_count": len(pieces), "content_base64": base64.b64encode(p).decode(),
             "sha256": sha, "size": len(content)} for i, p in enumerate(pieces)]


def index_entry(meta: dict, url: str, *, size: int | None = None, expires_at: str = "2999-01-01T00:00:00Z") -> dict:
    return {**meta, "size": size, "download_url": url, "download_url_expires_at": expires_at}


def record(stream: str, data: dict) -> dict:
    return {"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1_745_000_000_000}}


def state(stream: str, value: dict) -> dict:
    return {"type": "STATE", "state": {"type": "STREAM", "stream": {
        "stream_descriptor": {"name": stream}, "stream_state": value}}}


def receipts_messages(items: Iterable[tuple[dict, bytes]], *, state_every: int = 0) -> list[dict]:
    """RECORD messages for each (meta, content), a receipts STATE every `state_every` receipts and at the end."""
    out: list[dict] = []
    items = list(items)
    for i, (meta, content) in enumerate(items, 1):
        out += [record("receipts", c) for c in chunks(meta, content)]
        if state_every and i % state_every == 0:
            out.append(state("receipts", {"cursor": meta["updated_at"], "n": i}))
    out.append(state("receipts", {"cursor": "end", "n": len(items)}))
    return out


def catalog(*, generation_id: int | None = None, receipts_mode: str = "append", minimum_generation_id: int = 0) -> dict:
    streams = []
    for name in STREAMS:
        incremental = name in ("transactions", "receipts")
        streams.append({
            "stream": {"name": name, "json_schema": {"type": "object"},
                       "supported_sync_modes": ["full_refresh", "incremental"] if incremental else ["full_refresh"],
                       "source_defined_primary_key": PRIMARY_KEYS[name]},
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": receipts_mode if name == "receipts" else ("append_dedup" if incremental else "overwrite"),
            "primary_key": PRIMARY_KEYS[name],
            **({"generation_id": generation_id,
                "minimum_generation_id": minimum_generation_id if name == "receipts" else 0, "sync_id": 1}
               if generation_id is not None else {}),
        })
    return {"streams": streams}


def write_jsonl(path: Path, messages: Iterable[dict]) -> Path:
    path.write_text("".join(json.dumps(m) + "\n" for m in messages))
    return path
