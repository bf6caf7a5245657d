"""Emulated Qonto Business API v2 (bank accounts, transactions, attachments) on loopback HTTP.

    from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
    with BankEmulator(make_sample_dataset(seed=1)) as emu:
        requests.get(emu.url + "/v2/organization", headers={"Authorization": ...})

See docs of BankEmulator, make_sample_dataset and listing.py for behaviour choices.
"""

from .dataset import Attachment, BankAccount, BankDataset, Organization, Transaction
from .emulator import BankEmulator, RequestLog
from .faults import Fault, FaultSet
from .sample import MiB, make_sample_dataset

__all__ = ["Attachment", "BankAccount", "BankDataset", "BankEmulator", "Fault", "FaultSet", "MiB",
           "Organization", "RequestLog", "Transaction", "make_sample_dataset"]
