"""Airbyte's standard connector tests for the source, run in-process against the bank emulator
(see integration_tests/standard_suite.py for how the suite is wired)."""

from __future__ import annotations

import atexit
import functools
import sys
from pathlib import Path

from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from airbyte_cdk.test.standard_tests.pytest_hooks import pytest_generate_tests  # noqa: F401 (parametrizes `scenario`)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset  # noqa: E402
from integration_tests.standard_suite import (  # noqa: E402,F401 (fixtures the suite asks for)
    EmulatedScenarios,
    connector_base_image_override,
    connector_image_override,
    read_from_streams,
    read_scenarios,
)
from source_bank_receipts import SourceBankReceipts  # noqa: E402


@functools.cache
def emulator() -> BankEmulator:
    dataset = make_sample_dataset(seed=4, accounts=2, closed_accounts=1, transactions=40, receipts=12,
                                  large_receipt_sizes=(3 * MiB + 7,))
    bank = BankEmulator(dataset).start()
    atexit.register(bank.stop)
    return bank


class TestSourceBankReceipts(EmulatedScenarios, SourceTestSuiteBase):
    connector = SourceBankReceipts

    @classmethod
    def emulator_settings(cls) -> dict:
        return {"credentials": emulator().api_key_credentials(), "api_url": emulator().url}
