"""Every status arrives whether the bank honours several status[] values in one call or only the first."""

from __future__ import annotations

import pytest

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset

from .conftest import expected_receipt_ids, expected_transaction_ids, records_of, run_read


def _dataset():
    return make_sample_dataset(seed=7, accounts=3, closed_accounts=1, transactions=600, receipts=150, large_receipt_sizes=(3 * MiB,))


@pytest.mark.parametrize("mode", ["multi", "single"])
def test_given_status_filter_mode_when_backfill_then_every_pending_declined_and_completed_row_exported(mode):
    with BankEmulator(_dataset(), status_filter=mode) as emu:
        output = run_read(emu.source_config(), ["transactions", "receipts", "receipt_index"])

        transactions = records_of(output, "transactions")
        assert {t["id"] for t in transactions} == expected_transaction_ids(emu)
        assert {"completed", "pending", "declined"} <= {t["status"] for t in transactions}
        assert {r["attachment_id"] for r in records_of(output, "receipts")} == expected_receipt_ids(emu)
        assert {r["attachment_id"] for r in records_of(output, "receipt_index")} == expected_receipt_ids(emu)
        decisions = [m.log.message for m in output.logs if "status[] values" in m.log.message]
        assert len(decisions) == 1 and ("Not proven" in decisions[0]) is (mode == "single")


def test_given_bank_honouring_several_statuses_when_backfill_then_one_listing_serves_all_statuses():
    with BankEmulator(_dataset(), status_filter="multi") as emu:
        run_read(emu.source_config(), ["transactions"])

        listings = [r for r in emu.requests if r.path == "/v2/transactions" and r.query.get("updated_at_from")]
        assert listings and all(sorted(r.query["status[]"]) == ["completed", "declined", "pending"] for r in listings)

