"""Every status arrives whether the bank honours several status[] values in one call or only the first,
and whether it accepts the undocumented value `reversed` or refuses it."""

from __future__ import annotations

import pytest

from integration_tests.emulators.bank import BankEmulator, MiB, make_sample_dataset

from .conftest import expected_receipt_ids, expected_transaction_ids, last_states, records_of, run_read


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
        assert listings and all(sorted(r.query["status[]"]) == ["completed", "declined", "pending", "reversed"] for r in listings)


@pytest.mark.parametrize("mode", ["multi", "single"])
@pytest.mark.parametrize("reversed_filter", ["listed", "rejected"])
def test_given_a_filed_pending_payment_reversed_when_synced_then_it_comes_again_reversed_where_the_bank_lists_it(mode, reversed_filter):
    dataset = make_sample_dataset(seed=3, accounts=1, closed_accounts=0, transactions=40, receipts=12, large_receipt_sizes=())
    with BankEmulator(dataset, status_filter=mode, reversed_filter=reversed_filter) as emu:
        account = next(iter(emu.dataset.accounts))
        pending = emu.add_transaction(account, status="pending", emitted_at="2025-06-01T10:00:00.000Z", settled_at=None,
                                      attachments=[{"file_name": "p.pdf", "content_type": "application/pdf", "size": 100}])
        config = emu.source_config()
        first = run_read(config, ["transactions", "receipt_index"])
        assert pending["id"] in {r["transaction_id"] for r in records_of(first, "receipt_index")}

        emu.reverse(pending["id"])
        second = run_read(config, ["transactions", "receipt_index"], state=last_states(first))

        came = {t["id"]: t for t in records_of(second, "transactions")}
        assert pending["id"] not in {r["transaction_id"] for r in records_of(second, "receipt_index")}  # nothing to file
        refused = [m.log.message for m in second.logs if "refuses status[]=reversed" in m.log.message]
        if reversed_filter == "listed":
            assert came[pending["id"]]["status"] == "reversed" and came[pending["id"]]["attachment_ids"]
            assert refused == []
        else:   # the sync still reads every documented status, and says what it cannot see
            assert pending["id"] not in came and len(refused) == 1
            assert {t["id"] for t in records_of(first, "transactions")} == expected_transaction_ids(emu)

