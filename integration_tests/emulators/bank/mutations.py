"""Test hooks that change the bank's data the way users and the bank do.

Every change that touches a transaction moves its updated_at to real UTC now (ms precision),
like the bank ("any state change will trigger a bump").
"""

from __future__ import annotations

import uuid
from typing import Any, Iterable

from . import render, sealing
from .clock import parse_iso_us, real_now_ms
from .dataset import Attachment, BankAccount, BankDataset, Transaction

_UNSET: Any = object()


def _ms(text: str | None) -> int | None:
    return None if text is None else parse_iso_us(text) // 1000


class Mutations:
    """Mixed into BankEmulator; needs ``self.dataset`` and ``self.download_url``."""

    dataset: BankDataset

    def add_bank_account(self, name: str = "Travel", iban: str = "FR7616958000010000000000001",
                         status: str = "active", currency: str = "EUR", *, bic: str = "QNTOFRP1XXX",
                         balance: float = 0.0, is_external_account: bool = False) -> dict:
        ds = self.dataset
        with ds.lock:
            account = BankAccount(
                id=str(uuid.uuid4()), name=name, iban=iban, bic=bic, currency=currency,
                status=status, main=not ds.accounts, is_external_account=is_external_account,
                number=len(ds.accounts) + 1, balance_cents=round(balance * 100),
                updated_ms=real_now_ms())
            ds.put_account(account)
            return render.bank_account(account, ds.organization)

    def add_transaction(self, bank_account_id: str, *, amount: float = 12.5, side: str = "debit",
                        label: str = "ACME", status: str = "completed", emitted_at: str | None = None,
                        settled_at: str | None = _UNSET, operation_type: str = "card",
                        attachments: Iterable[dict] = (), note: str | None = None,
                        reference: str | None = None, category: str = "other_expense") -> dict:
        """Add a transaction (settled_at defaults to emitted_at when completed, else null)."""
        now = real_now_ms()
        emitted = _ms(emitted_at) if emitted_at else now
        if settled_at is _UNSET:
            settled = emitted if status == "completed" else None
        else:
            settled = _ms(settled_at)
        ds = self.dataset
        with ds.lock:
            txn = Transaction(
                id=str(uuid.uuid4()), bank_account_id=bank_account_id, seq=len(ds.transactions) + 1,
                amount_cents=round(abs(amount) * 100), side=side, operation_type=operation_type,
                label=label, status=status, emitted_ms=emitted, settled_ms=settled, updated_ms=now,
                created_ms=now, category=category, note=note, reference=reference,
                card_last_digits="4242" if operation_type == "card" else None)
            ds.put_transaction(txn)
            for spec in attachments:
                ds.put_attachment(self._attachment(txn.id, **spec), bump=False)
            return render.transaction(txn, ds, {"attachments"}, self.links)

    attachment_bumps: bool = True

    def add_attachment(self, transaction_id: str, file_name: str = "receipt.pdf",
                       content_type: str = "application/pdf", size: int | None = None,
                       content: bytes | None = None, bump: bool | None = None,
                       probative: str = "unavailable", probative_fault: str | None = None) -> dict:
        """Attach a receipt to a transaction (adds it to attachment_ids; moves updated_at unless
        the emulator's ``attachment_bumps`` switch, or ``bump``, says otherwise)."""
        att = self.dataset.put_attachment(self._attachment(transaction_id, file_name, content_type,
                                                           size, content, probative, probative_fault),
                                          bump=self.attachment_bumps if bump is None else bump)
        return render.attachment(att, self.links)

    def touch_all(self, transaction_ids: Iterable[str]) -> str:
        """A bulk update: every transaction gets one and the same new updated_at (returned)."""
        ds = self.dataset
        with ds.lock:
            txns = [ds.transactions[i] for i in transaction_ids]
            instant = max([real_now_ms()] + [t.updated_ms + 1 for t in txns])
            for txn in txns:
                txn.updated_ms = instant
            ds.version += 1
        return render.transaction(txns[0], ds, set(), self.links)["updated_at"] if txns else ""

    def remove_attachment(self, transaction_id: str, attachment_id: str) -> None:
        self.dataset.remove_attachment(transaction_id, attachment_id)

    def settle(self, transaction_id: str, settled_at: str | None = None) -> dict:
        """pending -> completed, settled_at = given time or real now."""
        txn = self.dataset.settle(transaction_id, _ms(settled_at))
        return render.transaction(txn, self.dataset, {"attachments"}, self.links)

    def decline(self, transaction_id: str) -> dict:
        txn = self.dataset.decline(transaction_id)
        return render.transaction(txn, self.dataset, {"attachments"}, self.links)

    def reverse(self, transaction_id: str) -> dict:
        """pending -> reversed: the attachment ids stay listed, updated_at moves (like decline)."""
        txn = self.dataset.decline(transaction_id, "reversed")
        return render.transaction(txn, self.dataset, {"attachments"}, self.links)

    def set_probative(self, attachment_id: str, status: str, fault: str | None = None, bump: bool = False) -> dict:
        """The bank's sealing moves on (pending -> available, or corrupted / unavailable). Whether
        that moves the transaction's updated_at is undocumented: by default it does not (the harder
        case, probative.py); ``bump=True`` models a bank that does."""
        if fault is not None and fault not in sealing.FAULTS:
            raise ValueError(f"fault must be one of {sealing.FAULTS}")
        ds = self.dataset
        with ds.lock:
            att = ds.attachments[attachment_id]
            att.probative_status, att.probative_fault = status, fault
            ds.version += 1
            if bump:
                ds.bump(ds.transactions[att.transaction_id])
        return render.attachment(att, self.links)

    def download_url(self, attachment: Attachment) -> str:  # provided by BankEmulator
        raise NotImplementedError

    links: Any = None  # provided by BankEmulator: original URLs and probative descriptions

    @staticmethod
    def _attachment(transaction_id: str, file_name: str = "receipt.pdf",
                    content_type: str = "application/pdf", size: int | None = None,
                    content: bytes | None = None, probative: str = "unavailable",
                    probative_fault: str | None = None) -> Attachment:
        if (size is None) == (content is None):
            raise ValueError("give an attachment either size=... or content=b'...'")
        return Attachment(
            id=str(uuid.uuid4()), transaction_id=transaction_id, file_name=file_name,
            content_type=content_type, size=len(content) if content is not None else int(size),
            created_ms=real_now_ms(), content=content, probative_status=probative,
            probative_fault=probative_fault)
