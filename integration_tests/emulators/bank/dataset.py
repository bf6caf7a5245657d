"""The emulated organization: bank accounts, transactions and attachments.

Records are small slotted objects (50,000 transactions stay cheap); the JSON the API returns is
rendered from them on demand (see render.py). Every change goes through BankDataset under its
lock and bumps ``version`` so cached listings are recomputed.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field

from .clock import real_now_ms


def stable_uuid(*parts: object) -> str:
    """A UUID-4-shaped id derived from its parts (deterministic datasets)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


@dataclass(slots=True)
class BankAccount:
    id: str
    name: str
    iban: str
    bic: str = "QNTOFRP1XXX"
    currency: str = "EUR"
    status: str = "active"
    main: bool = False
    is_external_account: bool = False
    number: int = 1
    balance_cents: int = 0
    updated_ms: int = 0


@dataclass(slots=True)
class Attachment:
    id: str
    transaction_id: str
    file_name: str
    content_type: str
    size: int
    created_ms: int
    content: bytes | None = None       # explicit bytes; None means derived from (id, size)
    probative_status: str = "unavailable"   # available | pending | unavailable | corrupted (probative.py)
    probative_fault: str | None = None       # what its probative URL serves instead: sealing.FAULTS


@dataclass(slots=True)
class Transaction:
    id: str
    bank_account_id: str
    seq: int
    amount_cents: int
    side: str
    operation_type: str
    label: str
    status: str
    emitted_ms: int
    settled_ms: int | None
    updated_ms: int
    created_ms: int
    attachment_ids: list[str] = field(default_factory=list)
    category: str = "other_expense"
    note: str | None = None
    reference: str | None = None
    vat_rate: float | None = None
    card_last_digits: str | None = None
    local_currency: str = "EUR"
    local_amount_cents: int | None = None


@dataclass
class Organization:
    id: str = "3e29cef2-4808-421e-8c99-e83306c5e0ec"
    name: str = "Boulangerie Émulée"
    slug: str = "boulangerie-emulee-2161"
    legal_name: str = "Boulangerie Émulée SAS"
    contract_signed_at_ms: int = 1_672_531_200_000  # 2023-01-01


class BankDataset:
    """An organization's accounts, transactions and attachments (thread-safe mutations)."""

    def __init__(self, organization: Organization | None = None) -> None:
        self.organization = organization or Organization()
        self.accounts: dict[str, BankAccount] = {}
        self.transactions: dict[str, Transaction] = {}
        self.attachments: dict[str, Attachment] = {}
        self.lock = threading.RLock()
        self.version = 0
        self._by_account: dict[str, list[Transaction]] = {}

    # -- reads -------------------------------------------------------------------------------
    def account_transactions(self, bank_account_id: str) -> list[Transaction]:
        return self._by_account.get(bank_account_id, [])

    def account_by_iban(self, iban: str) -> BankAccount | None:
        compact = iban.replace(" ", "").upper()
        return next((a for a in self.accounts.values() if a.iban.upper() == compact), None)

    def attachments_of(self, txn: Transaction) -> list[Attachment]:
        return [self.attachments[a] for a in txn.attachment_ids if a in self.attachments]

    # -- writes (callers hold no lock; each method takes it) ---------------------------------
    def put_account(self, account: BankAccount) -> BankAccount:
        with self.lock:
            self.accounts[account.id] = account
            self._by_account.setdefault(account.id, [])
            self.version += 1
            return account

    def put_transaction(self, txn: Transaction) -> Transaction:
        with self.lock:
            if txn.bank_account_id not in self.accounts:
                raise KeyError(f"unknown bank account {txn.bank_account_id}")
            if txn.id not in self.transactions:
                self._by_account[txn.bank_account_id].append(txn)
            self.transactions[txn.id] = txn
            self.version += 1
            return txn

    def put_attachment(self, attachment: Attachment, bump: bool = True) -> Attachment:
        with self.lock:
            txn = self.transactions[attachment.transaction_id]
            self.attachments[attachment.id] = attachment
            if attachment.id not in txn.attachment_ids:
                txn.attachment_ids.append(attachment.id)
            if bump:
                self.bump(txn)
            self.version += 1
            return attachment

    def remove_attachment(self, transaction_id: str, attachment_id: str) -> None:
        with self.lock:
            txn = self.transactions[transaction_id]
            if attachment_id not in txn.attachment_ids:
                raise KeyError(f"attachment {attachment_id} is not on transaction {transaction_id}")
            txn.attachment_ids.remove(attachment_id)
            self.attachments.pop(attachment_id, None)
            self.bump(txn)

    def settle(self, transaction_id: str, settled_ms: int | None = None) -> Transaction:
        with self.lock:
            txn = self.transactions[transaction_id]
            txn.status = "completed"
            txn.settled_ms = settled_ms if settled_ms is not None else real_now_ms()
            self.bump(txn)
            return txn

    def decline(self, transaction_id: str, status: str = "declined") -> Transaction:
        """A pending payment that does not go through: declined, or reversed (the authorisation
        cancelled); settled_at stays null for both (OpenAPI Transaction.settled_at)."""
        with self.lock:
            txn = self.transactions[transaction_id]
            txn.status = status
            txn.settled_ms = None
            self.bump(txn)
            return txn

    def bump(self, txn: Transaction) -> None:
        """A state change moves updated_at to real now (strictly later than before, ms precision)."""
        with self.lock:
            txn.updated_ms = max(real_now_ms(), txn.updated_ms + 1)
            self.version += 1
