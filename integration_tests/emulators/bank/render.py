"""Records -> the JSON objects the bank returns (field names and types as in the bank's API)."""

from __future__ import annotations

from typing import Callable

from .clock import to_iso
from .dataset import Attachment, BankAccount, BankDataset, Organization, Transaction

UrlFor = Callable[[Attachment], str]

_SUBJECT_TYPES = {
    "card": "Card", "transfer": "Transfer", "income": "Income", "direct_debit": "DirectDebit",
    "qonto_fee": "BillingTransfer", "cheque": "Check", "swift_income": "SwiftIncome",
    "direct_debit_collection": "DirectDebitCollection", "other": "Other",
}
_COUNTERPARTY_KEYS = {"transfer": "transfer", "income": "income", "swift_income": "swift_income",
                      "direct_debit": "direct_debit"}


def _euros(cents: int | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


def _account_fields(account: BankAccount) -> dict:
    """Fields both account payloads carry (the two endpoints order and extend them differently)."""
    return {
        "iban": account.iban,
        "bic": account.bic,
        "currency": account.currency,
        "balance": _euros(account.balance_cents),
        "balance_cents": account.balance_cents,
        "authorized_balance": _euros(account.balance_cents),
        "authorized_balance_cents": account.balance_cents,
        "updated_at": to_iso(account.updated_ms),
        "status": account.status,
        "main": account.main,
        "is_external_account": account.is_external_account,
        "account_number": "",
    }


def organization_account(account: BankAccount, org: Organization) -> dict:
    """A bank account as embedded in /v2/organization."""
    return {"id": account.id, "slug": f"{org.slug}-bank-account-{account.number}", "name": account.name,
            **_account_fields(account)}


def bank_account(account: BankAccount, org: Organization) -> dict:
    """A bank account as returned by /v2/bank_accounts."""
    return {"id": account.id, "name": account.name, "organization_id": org.id, **_account_fields(account)}


def organization(ds: BankDataset, include_external: bool = False) -> dict:
    org = ds.organization
    accounts = [a for a in ds.accounts.values() if include_external or not a.is_external_account]
    return {
        "id": org.id,
        "name": org.name,
        "slug": org.slug,
        "legal_name": org.legal_name,
        "locale": "fr",
        "legal_share_capital": 1000,
        "legal_country": "FR",
        "legal_registration_date": "2022-11-27",
        "legal_form": "SAS",
        "legal_address": "18 Rue De Navarin 75009 Paris FRANCE",
        "legal_sector": "1071C",
        "contract_signed_at": to_iso(org.contract_signed_at_ms),
        "legal_number": "81948962600039",
        "bank_accounts": [organization_account(a, org) for a in accounts],
    }


def attachment(att: Attachment, url_for: UrlFor) -> dict:
    return {
        "id": att.id,
        "created_at": to_iso(att.created_ms),
        "file_name": att.file_name,
        "file_size": str(att.size),
        "file_content_type": att.content_type,
        "url": url_for(att),
        "probative_attachment": _probative(att, url_for),
    }


def _probative(att: Attachment, url_for: UrlFor) -> dict:
    # The emulator's link maker also describes sealed copies (probative.py); a bare URL maker
    # (unit tests of render) only knows the status.
    describe = getattr(url_for, "probative", None)
    return describe(att) if describe else {"status": att.probative_status}


def _updated_at(ms: int, micro: bool) -> str | None:
    if not micro:
        return to_iso(ms)
    from .listing import micro_part

    return (to_iso(ms) or "")[:-1] + f"{micro_part(ms):03d}Z"


def transaction(txn: Transaction, ds: BankDataset, includes: set[str], url_for: UrlFor, micro: bool = False) -> dict:
    org = ds.organization
    account = ds.accounts[txn.bank_account_id]
    local_cents = txn.local_amount_cents if txn.local_amount_cents is not None else txn.amount_cents
    completed = txn.status == "completed"
    # vat_rate -1 (several rates) carries no single VAT amount.
    vat_cents = (None if txn.vat_rate is None or txn.vat_rate < 0
                 else round(txn.amount_cents * txn.vat_rate / (100 + txn.vat_rate)))
    body = {
        "id": txn.id,
        "transaction_id": f"{org.slug}-{account.number}-transaction-{txn.id[:6]}-{txn.seq}",
        "amount": _euros(txn.amount_cents),
        "amount_cents": txn.amount_cents,
        "settled_balance": _euros(account.balance_cents) if completed else None,
        "settled_balance_cents": account.balance_cents if completed else None,
        "attachment_ids": list(txn.attachment_ids),
        "logo": {"small": "https://qonto.com/customized-qonto-brand-logos/small.png",
                 "medium": "https://qonto.com/customized-qonto-brand-logos/medium.png"},
        "local_amount": _euros(local_cents),
        "local_amount_cents": local_cents,
        "side": txn.side,
        "operation_type": txn.operation_type,
        "currency": account.currency,
        "local_currency": txn.local_currency,
        "label": txn.label,
        "clean_counterparty_name": txn.label,
        "settled_at": to_iso(txn.settled_ms),
        "emitted_at": to_iso(txn.emitted_ms),
        "updated_at": _updated_at(txn.updated_ms, micro),
        "created_at": to_iso(txn.created_ms),
        "status": txn.status,
        "note": txn.note,
        "reference": txn.reference,
        "vat_amount": _euros(vat_cents),
        "vat_amount_cents": vat_cents,
        "vat_rate": txn.vat_rate,
        "initiator_id": None,
        "label_ids": [],
        "attachment_lost": False,
        "attachment_required": txn.side == "debit",
        "card_last_digits": txn.card_last_digits,
        "category": txn.category,
        "subject_type": _SUBJECT_TYPES.get(txn.operation_type, "Other"),
        "bank_account_id": txn.bank_account_id,
        "is_external_transaction": account.is_external_account,
    }
    key = _COUNTERPARTY_KEYS.get(txn.operation_type)
    if key:
        body[key] = {"counterparty_account_number": "FR7630004000031234567890143",
                     "counterparty_account_number_format": "IBAN",
                     "counterparty_bank_identifier": "BNPAFRPPXXX",
                     "counterparty_bank_identifier_format": "SWIFT_BIC"}
    if "attachments" in includes:
        body["attachments"] = [attachment(a, url_for) for a in ds.attachments_of(txn)]
    if "labels" in includes:
        body["labels"] = []
    if "vat_details" in includes:
        body["vat_details"] = {"items": []}
    return body
