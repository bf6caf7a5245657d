"""What the benchmark runs on: dataset shapes, emulator factories, and facts read back from them.

A dataset is a plain dict of make_sample_dataset arguments (deterministic per seed), so an
emulator process builds its own copy instead of receiving 50,000 transactions over a pipe.
The functions at the bottom run inside the emulator processes (see bench_emulators).
"""

from __future__ import annotations

import hashlib
from collections import Counter

MiB = 1024 * 1024
LARGE_FILE = 100 * MiB
MEDIUM_FILE = 20 * MiB

# Shapes. Receipt sizes follow the generator's own spread (small images to multi-MB PDFs);
# `large_receipt_sizes` adds the few big files on top.
QUICK = dict(seed=5, accounts=2, closed_accounts=1, transactions=300, receipts=60,
             large_receipt_sizes=(int(3.5 * MiB),), start="2025-01-01", end="2025-12-31")
BACKFILL = dict(seed=1, accounts=4, closed_accounts=1, transactions=20_000, receipts=3_000,
                large_receipt_sizes=(LARGE_FILE,), start="2025-01-01", end="2025-12-31")
# The archive's receipts are 20x smaller than the generator's spread (15-600 kB): its measured
# sync is the no-change one, which moves no file, and 20,000 full-size files would only make the
# unmeasured set-up sync (and the Drive emulator's memory) six times bigger.
ARCHIVE = dict(seed=3, accounts=4, closed_accounts=1, transactions=50_000, receipts=20_000,
               large_receipt_sizes=(), start="2021-01-01", end="2025-12-31", size_divisor=20)
MEMORY = dict(seed=2, accounts=2, closed_accounts=0, transactions=2_000, receipts=300,
              large_receipt_sizes=(), start="2025-01-01", end="2025-12-31")
PEER = dict(seed=4, accounts=1, closed_accounts=0, transactions=10_000, receipts=0,
            large_receipt_sizes=(), start="2025-01-01", end="2025-12-31")


def with_large_file(shape: dict, size: int = LARGE_FILE) -> dict:
    return {**shape, "large_receipt_sizes": (*shape["large_receipt_sizes"], size)}


def start_date(shape: dict) -> str:
    """The connectors' start date: the dataset's first day, so every receipt is in scope."""
    return shape["start"]


# -- factories (called in the emulator processes) -------------------------------------------

def build_bank(shape: dict, latency_ms: int = 0):
    from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
    shape = dict(shape)
    size_divisor = shape.pop("size_divisor", 1)
    shape.pop("probative_copies", None)   # a source setting, not the bank's
    dataset = make_sample_dataset(**shape)
    if size_divisor != 1:   # bytes are derived from (id, size): shrinking costs nothing
        for attachment in dataset.attachments.values():
            attachment.size //= size_divisor
    bank = BankEmulator(dataset, latency_ms=latency_ms)
    for attachment in dataset.attachments.values():   # sealed up front: not counted in a sync's time
        if attachment.probative_status == "available":
            bank.probative.sealed(attachment)
    return bank


def build_drive(write_rate_per_s: float | None = None, write_burst: int = 10, latency_ms: int = 0):
    from integration_tests.emulators.drive import DriveEmulator
    drive = DriveEmulator(write_rate_per_s=write_rate_per_s, write_burst=write_burst,
                          latency_ms=latency_ms)
    _count_refusals(drive)
    return drive


def _count_refusals(drive) -> None:
    """Count writes the token bucket refuses (403 userRateLimitExceeded) as counts["rate_limited"].

    The emulator counts every write attempt, refused or not; this adds how many were refused.
    It wraps the emulator's internal bucket, so it does nothing if that internal changes.
    """
    service = getattr(drive, "_service", None)
    bucket = getattr(service, "bucket", None)
    if bucket is None or not hasattr(bucket, "take"):
        return
    take = bucket.take

    def counted_take(*args, **kwargs):
        granted = take(*args, **kwargs)
        if not granted:
            service.count("rate_limited")
        return granted
    bucket.take = counted_take


# -- facts (called in the emulator processes) -----------------------------------------------

EXPORTED_STATUSES = ("completed", "pending")   # declined transactions are not exported


def dataset_facts(bank) -> dict:
    """Counts of the bank's data and the receipts the pair must export (id -> size)."""
    ds = bank.dataset
    with ds.lock:
        exported = {}
        for txn in ds.transactions.values():
            if txn.status in EXPORTED_STATUSES:
                for attachment in ds.attachments_of(txn):
                    exported[attachment.id] = attachment.size
        return {
            "accounts": len(ds.accounts),
            "transactions": len(ds.transactions),
            "transactions_by_status": dict(Counter(t.status for t in ds.transactions.values())),
            "attachments": len(ds.attachments),
            "receipts": exported,
            "receipt_bytes": sum(exported.values()),
            "largest_receipt": max(exported.values(), default=0),
        }


def receipt_hashes(bank, attachment_ids: list[str]) -> dict[str, str]:
    """SHA-256 of the bytes the bank serves for each attachment."""
    hashes = {}
    for attachment_id in attachment_ids:
        digest = hashlib.sha256()
        digest.update(bank.attachment_bytes(attachment_id))
        hashes[attachment_id] = digest.hexdigest()
    return hashes


def first_account(bank) -> dict:
    ds = bank.dataset
    account = next(iter(ds.accounts.values()))
    return {"id": account.id, "iban": account.iban, "name": account.name}


def bank_calls(bank) -> dict[str, int]:
    """Requests by kind: API calls per endpoint, downloads, token calls, and answers by status."""
    kinds: Counter = Counter()
    for request in bank.requests:
        kind = _bank_kind(request.path)
        if kind == "/v2/transactions":   # which listings: the receipt streams ask for attachments
            embeds = "with_attachments" in request.query or "includes[]" in request.query
            kinds["listings " + ("with attachments" if embeds else "without attachments")] += 1
        kinds[kind] += 1
        kinds[f"status {request.status}"] += 1
    api = sum(n for kind, n in kinds.items() if kind.startswith("/v2/"))
    return {"api": api, **kinds, **overlap_cost(bank.requests)}


def overlap_cost(requests) -> dict[str, int]:
    """What the listing's look-back costs: rows a listing served again (each page restarts one
    millisecond below the last instant read) and calls reading a tie block whole (source paging.py)."""
    from source_bank_receipts.dates import parse_ts

    served: dict[tuple, list[str]] = {}
    tie_calls = 0
    for request in requests:
        if _bank_kind(request.path) != "/v2/transactions" or "updated_at_from" not in request.query:
            continue
        low, high = (parse_ts(request.query[name][0]) for name in ("updated_at_from", "updated_at_to"))
        tie = (high - low).total_seconds() <= 0.003
        tie_calls += tie
        key = (request.query.get("bank_account_id", [""])[0], tuple(request.query.get("status[]", [])),
               "includes[]" in request.query, "tie" if tie else request.query["updated_at_to"][0])
        served.setdefault(key, []).extend(request.row_ids)
    again = sum(len(ids) - (0 if key[3] == "tie" else len(set(ids))) for key, ids in served.items())
    return {"look-back rows read again": again, "look-back tie-block calls": tie_calls}


def _bank_kind(path: str) -> str:
    if path.startswith("/_s3/"):
        return "download"
    if "oauth2" in path:
        return "token"
    parts = path.rstrip("/").split("/")
    if len(parts) > 3:   # /v2/transactions/{id}[/attachments] -> one kind per route
        parts[3] = "{id}"
    return "/".join(parts)


def reset_bank(bank) -> None:
    bank.reset_counters()


def drive_counts(drive) -> dict[str, int]:
    return dict(drive.counts)


def reset_drive(drive) -> None:
    drive.reset_counters()


def landed_receipts(drive) -> dict[str, list[dict]]:
    """Every live non-folder file: its appProperties values (the receipt's identity), sha256, path parts."""
    landed: dict[str, list[dict]] = {}
    for record in drive.files.values():
        if record.content is None or record.trashed:
            continue
        for value in (record.app_properties or {}).values():
            landed.setdefault(value, []).append(
                {"sha256": record.sha256, "size": record.size, "name": record.name})
    return landed


def landed_files_by_variant(drive) -> dict[str, int]:
    """Live receipt files in Drive by variant ("original", "probative")."""
    counts: dict[str, int] = {}
    for record in drive.files.values():
        props = record.app_properties or {}
        if props.get("kind") == "receipt" and not record.trashed:
            variant = props.get("var", "original")
            counts[variant] = counts.get(variant, 0) + 1
    return counts


def set_latency(emulator, latency_ms: int) -> None:
    """Change the per-answer delay of a running emulator (bank: public attribute; Drive: its server's)."""
    http = getattr(emulator, "_http", None)
    if hasattr(http, "latency_s"):
        http.latency_s = latency_ms / 1000
    else:
        emulator.latency_ms = latency_ms
