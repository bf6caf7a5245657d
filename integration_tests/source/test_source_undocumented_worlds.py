"""Where the bank's documentation is silent, the source must be right in every plausible world.

Each emulator switch is one world (listing.py, emulator.py): inclusive or exclusive
`updated_at_from/_to`, millisecond or microsecond `updated_at`, rows sharing one `updated_at` in a
stable or a new order per request, `status[]` honoured with several values or only the first,
an attachment that appears without moving its transaction's `updated_at`. Under each, a backfill
and three incremental syncs (state carried) must export every receipt exactly once, byte-identical,
tie blocks larger than a page included.
"""

from __future__ import annotations

from collections import Counter

import pytest

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset

from .conftest import expected_receipt_ids, last_states, reassemble, records_of, run_read

pytestmark = pytest.mark.slow

WORLDS = [
    pytest.param({}, id="documented-defaults"),
    pytest.param({"bounds": "exclusive"}, id="exclusive-bounds"),
    pytest.param({"precision": "us"}, id="microseconds"),
    pytest.param({"tie_order": "shuffled"}, id="ties-in-new-order-per-request"),
    pytest.param({"status_filter": "single"}, id="status-first-value-only"),
    pytest.param({"bounds": "exclusive", "precision": "us", "tie_order": "shuffled", "status_filter": "single"}, id="all-adverse"),
]


def tie_block(emu, account_id, count, status="completed"):
    """`count` new transactions with one receipt each, then one bulk update: one shared updated_at."""
    ids = []
    for index in range(count):
        txn = emu.add_transaction(account_id, status=status if index % 5 else "pending", label=f"Bulk {index}",
                                  emitted_at="2025-11-02T09:00:00.000Z",
                                  attachments=[{"file_name": f"bulk-{index}.pdf", "content_type": "application/pdf", "size": 300 + index}])
        ids.append(txn["id"])
    emu.touch_all(ids)
    return ids


def fresh_without_receipt(emu):
    return min((t for t in emu.dataset.transactions.values() if t.status == "completed" and not t.attachment_ids and t.emitted_ms >= 1735689600000),
               key=lambda t: t.emitted_ms)


@pytest.mark.parametrize("world", WORLDS)
def test_given_bank_world_when_backfill_and_three_incremental_syncs_then_every_receipt_exported_once_byte_identical(world):
    dataset = make_sample_dataset(seed=31, accounts=2, closed_accounts=0, transactions=60, receipts=20, large_receipt_sizes=())
    with BankEmulator(dataset, **world) as emu:
        config, state, exported = emu.source_config(), None, Counter()
        files = {}
        main, other = list(emu.dataset.accounts)
        changes = [
            lambda: tie_block(emu, main, 250),                       # a bulk update larger than two pages
            lambda: (tie_block(emu, other, 120),                     # another one, and a late receipt
                     emu.add_attachment(fresh_without_receipt(emu).id, file_name="late.pdf", size=777)),
            lambda: None,                                            # nothing changed
        ]
        for step in range(4):
            output = run_read(config, ["transactions", "receipts"], state=state)
            assert not output.errors, [e.trace.error.message for e in output.errors]
            run_files = reassemble(records_of(output, "receipts"))
            exported.update(run_files.keys())
            files.update(run_files)
            state = last_states(output)
            if step < 3:
                changes[step]()

        expected = expected_receipt_ids(emu)
        assert set(exported) == expected, f"missing {len(expected - set(exported))}, unexpected {len(set(exported) - expected)}"
        assert [a for a, times in exported.items() if times != 1] == [], "a receipt exported twice"
        assert all(files[a] == emu.attachment_bytes(a) for a in files)


@pytest.mark.parametrize("world", [pytest.param({}, id="ms"), pytest.param({"precision": "us", "tie_order": "shuffled"}, id="us-shuffled")])
def test_given_attachment_appearing_without_updated_at_bump_when_next_sync_then_receipt_index_lists_it(world):
    dataset = make_sample_dataset(seed=32, accounts=1, closed_accounts=0, transactions=40, receipts=10, large_receipt_sizes=())
    with BankEmulator(dataset, attachment_bumps=False, **world) as emu:
        config = emu.source_config()
        first = run_read(config, ["transactions", "receipts", "receipt_index"])
        old = fresh_without_receipt(emu)
        late = emu.add_attachment(old.id, file_name="processed-later.pdf", size=1234)

        second = run_read(config, ["transactions", "receipts", "receipt_index"], state=last_states(first))

        # The receipts cursor has passed the transaction: that stream cannot see the attachment...
        assert late["id"] not in {r["attachment_id"] for r in records_of(second, "receipts")}
        # ...but receipt_index lists the whole range at every sync, so the destination files it.
        listed = {r["attachment_id"]: r for r in records_of(second, "receipt_index")}
        assert late["id"] in listed and listed[late["id"]]["transaction_id"] == old.id
        assert set(listed) == expected_receipt_ids(emu)
        import requests

        body = requests.get(listed[late["id"]]["download_url"], timeout=10).content
        assert body == emu.attachment_bytes(late["id"])
