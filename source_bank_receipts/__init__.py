"""Airbyte source for Qonto: bank accounts, transactions and receipt files."""

from .source import SourceBankReceipts

__all__ = ["SourceBankReceipts"]
