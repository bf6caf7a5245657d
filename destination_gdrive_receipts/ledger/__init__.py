"""Ledgers: one table per period folder of every transaction, and the root list of missing receipts."""
