"""make_sample_dataset: a deterministic organization with the variety a receipts sync meets.

Promised variety (for any seed, given enough transactions and receipts):
- one main account, one account opened in the middle of the period, closed accounts (no activity
  after they close), account names with accents and '/';
- completed, pending (recent, settled_at null) and declined transactions, card/transfer/direct
  debit/fee/income, foreign-currency card payments;
- receipts with odd names: accents, '/', emoji, no extension, upper-case extension, the same
  name on several transactions, an empty file; PDF, JPEG and PNG; up to 3 per transaction;
  the requested large sizes; one receipt on a declined transaction.
Attachment bytes are never built here (see content.py).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from .clock import date_to_ms
from .dataset import Attachment, BankAccount, BankDataset, Organization, Transaction, stable_uuid

MiB = 1024 * 1024
DAY_MS = 86_400_000

_ACCOUNT_NAMES = ["Compte principal", "Frais généraux", "Marketing / Événements", "Voyages", "Épargne"]
_LABELS = ["Café de Flore", "SNCF", "Amazon EU", "Boulangerie Paul", "OVHcloud", "Leroy Merlin",
           "Uber", "Air France", "Notion Labs", "Société Générale", "Free Mobile", "La Poste",
           "Hôtel du Nord", "Total Énergies", "Apple", "Google Cloud", "URSSAF", "Client Dupont & Fils"]
_SPECIAL_FILES = [
    ("Reçu café crème.pdf", "application/pdf"),
    ("factures/2025/janvier.pdf", "application/pdf"),
    ("🍕 pizza équipe.jpg", "image/jpeg"),
    ("Foobar", "image/png"),
    ("receipt.pdf", "application/pdf"),
    ("scan.PNG", "image/png"),
    ("receipt.pdf", "application/pdf"),
    ("Facture n°42 — Société Générale.pdf", "application/pdf"),
    ("receipt.pdf", "application/pdf"),
    ("empty.pdf", "application/pdf"),          # a zero-byte file
]
_DEBIT_TYPES = [("card", 60), ("transfer", 20), ("direct_debit", 10), ("qonto_fee", 10)]
_CREDIT_TYPES = [("income", 80), ("transfer", 20)]
_CATEGORIES = {"card": "restaurant_and_bar", "transfer": "other_expense", "direct_debit": "utility",
               "qonto_fee": "fees", "income": "sales"}


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


def _accounts(ds: BankDataset, rng: random.Random, seed: int, count: int, closed: int,
              start: int, end: int) -> list[tuple[BankAccount, int, int]]:
    """Accounts with their activity window (opened, last activity)."""
    closed = max(0, min(closed, count - 1))
    active = count - closed
    span = end - start
    out = []
    for i in range(count):
        name = _ACCOUNT_NAMES[i % len(_ACCOUNT_NAMES)] + (f" {i // len(_ACCOUNT_NAMES) + 1}" if i >= len(_ACCOUNT_NAMES) else "")
        is_closed = i >= active
        opened = start + span // 2 if (active >= 2 and i == active - 1) else start
        last = start + span * 6 // 10 if is_closed else end
        account = BankAccount(
            id=stable_uuid("sample", seed, "account", i), name=name,
            iban=f"FR76169580000{seed % 100:02d}{i:03d}{rng.randrange(10**9):09d}",
            status="closed" if is_closed else "active", main=i == 0, number=i + 1,
            balance_cents=0 if is_closed else rng.randrange(100_000, 10_000_000),
            updated_ms=last if is_closed else end - rng.randrange(DAY_MS))
        ds.put_account(account)
        out.append((account, opened, last))
    return out


def _transaction(rng: random.Random, seed: int, i: int, account: BankAccount, opened: int,
                 last: int, end: int) -> Transaction:
    status = "pending" if i % 25 == 7 else "declined" if i % 25 == 13 else "completed"
    lo = max(opened, last - 10 * DAY_MS) if status == "pending" else opened
    emitted = rng.randrange(lo, max(lo + 1, last - DAY_MS))
    settled = min(emitted + rng.randrange(3 * DAY_MS), end) if status == "completed" else None
    side = "credit" if rng.random() < 0.2 else "debit"
    op = _weighted(rng, _CREDIT_TYPES if side == "credit" else _DEBIT_TYPES)
    foreign = op == "card" and rng.random() < 0.05
    cents = rng.randrange(150, 50_000) if side == "debit" else rng.randrange(10_000, 500_000)
    return Transaction(
        id=stable_uuid("sample", seed, "transaction", i), bank_account_id=account.id, seq=i + 1,
        amount_cents=cents, side=side, operation_type=op, label=rng.choice(_LABELS), status=status,
        emitted_ms=emitted, settled_ms=settled,
        updated_ms=min((settled or emitted) + rng.randrange(DAY_MS), end), created_ms=emitted,
        category=_CATEGORIES[op], vat_rate=rng.choice([None, 20.0, 10.0, 5.5, -1.0]) if side == "debit" else None,
        card_last_digits=f"{rng.randrange(10_000):04d}" if op == "card" else None,
        local_currency="USD" if foreign else "EUR",
        local_amount_cents=round(cents * 1.08) if foreign else None,
        reference=f"REF-{i:06d}" if op == "transfer" else None)


def _receipt_slots(rng: random.Random, txns: list[Transaction], receipts: int) -> list[Transaction]:
    """One entry per receipt, naming the transaction it goes on (up to 3 per transaction)."""
    usable = [t for t in txns if t.status != "declined"]
    rng.shuffle(usable)
    declined = next((t for t in txns if t.status == "declined"), None)
    if receipts > 3 * len(usable) + (1 if declined else 0):
        raise ValueError(f"{receipts} receipts do not fit on {len(usable)} transactions (max 3 each)")
    holders = usable[:min(len(usable), max(1, math.ceil(receipts * 0.8)))]
    slots = list(holders[:receipts])
    extra = receipts - len(slots) - (1 if declined and receipts >= 10 else 0)
    per_txn = {t.id: 1 for t in slots}
    if extra >= 2:                      # one transaction carries three receipts
        slots += [holders[0], holders[0]]
        per_txn[holders[0].id] = 3
        extra -= 2
    cursor = 0
    while extra > 0:
        txn = holders[cursor % len(holders)]
        cap = 3 if cursor >= 2 * len(holders) else 2
        if per_txn[txn.id] < cap:
            per_txn[txn.id] += 1
            slots.append(txn)
            extra -= 1
        cursor += 1
    if declined and receipts >= 10:
        slots.append(declined)
    return slots


def _file(rng: random.Random, n: int, large: tuple[int, ...]) -> tuple[str, str, int]:
    if n < len(large):
        return f"scan haute résolution {n + 1}.pdf", "application/pdf", large[n]
    k = n - len(large)
    if k < len(_SPECIAL_FILES):
        name, ctype = _SPECIAL_FILES[k]
        return name, ctype, 0 if name == "empty.pdf" else rng.randrange(15_000, 600_000)
    if k % 50 == 0:
        return "receipt.pdf", "application/pdf", rng.randrange(15_000, 600_000)
    kind = k % 3
    name, ctype = [(f"receipt-{k:05d}.pdf", "application/pdf"), (f"IMG_{k:04d}.jpg", "image/jpeg"),
                   (f"capture {k}.png", "image/png")][kind]
    return name, ctype, rng.randrange(15_000, 600_000)


def make_sample_dataset(seed: int = 1, accounts: int = 3, closed_accounts: int = 1,
                        transactions: int = 200, receipts: int = 80,
                        large_receipt_sizes: tuple[int, ...] = (3 * MiB, 9 * MiB),
                        start: str = "2025-01-01", end: str = "2025-12-31",
                        probative: tuple[tuple[str, int], ...] = ()) -> BankDataset:
    """A deterministic organization; ``accounts`` counts all accounts, ``closed_accounts`` of them closed.

    ``probative``: weights of the sealed copies' statuses, e.g. (("available", 8), ("pending", 1),
    ("unavailable", 1)); empty: every copy "unavailable" (the API's documented example)."""
    if accounts < 1:
        raise ValueError("accounts must be >= 1")
    rng = random.Random(seed)
    start_ms, end_ms = date_to_ms(start), date_to_ms(end, end_of_day=True)
    ds = BankDataset(Organization(id=stable_uuid("sample", seed, "organization")))
    windows = _accounts(ds, rng, seed, accounts, closed_accounts, start_ms, end_ms)
    weights = [4 if a.main else 2 if a.status == "active" else 1 for a, _, _ in windows]
    txns = []
    for i in range(transactions):
        account, opened, last = windows[i] if i < len(windows) else rng.choices(windows, weights)[0]
        txn = _transaction(rng, seed, i, account, opened, last, end_ms)
        ds.put_transaction(txn)
        txns.append(txn)
    for n, txn in enumerate(_receipt_slots(rng, txns, receipts) if receipts else []):
        name, ctype, size = _file(rng, n, tuple(large_receipt_sizes))
        created = min(txn.emitted_ms + rng.randrange(5 * DAY_MS), end_ms)
        status = _weighted(random.Random(f"{seed}:{n}"), list(probative)) if probative else "unavailable"
        ds.put_attachment(Attachment(id=stable_uuid("sample", seed, "attachment", n), transaction_id=txn.id,
                                     file_name=name, content_type=ctype, size=size, created_ms=created,
                                     probative_status=status),
                          bump=False)
        txn.updated_ms = max(txn.updated_ms, created)
    return ds


def recent_window(today: dt.date) -> dict[str, str]:
    """start/end of make_sample_dataset for the 12 months up to yesterday, so a setup's default
    start date (this year's first day) previews receipts; yesterday: no transaction in the future."""
    end = today - dt.timedelta(days=1)
    start = end - dt.timedelta(days=364)
    return {"start": start.isoformat(), "end": end.isoformat()}
