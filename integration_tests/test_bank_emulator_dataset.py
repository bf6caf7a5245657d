"""make_sample_dataset: deterministic, varied, large without cost; downloads stream in pieces."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections import Counter

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator, BankDataset, MiB, make_sample_dataset
from integration_tests.emulators.bank.content import CHUNK_SIZE, header_for, iter_content
from integration_tests.emulators.bank.render import organization, transaction


def _snapshot(ds: BankDataset) -> tuple:
    org = organization(ds)
    txns = [transaction(t, ds, {"attachments"}, lambda a: a.id) for t in ds.transactions.values()]
    return org, txns


def test_given_same_seed_when_built_twice_then_identical_data_and_bytes():
    first, second = make_sample_dataset(seed=7), make_sample_dataset(seed=7)
    assert _snapshot(first) == _snapshot(second)
    att = next(iter(first.attachments.values()))
    assert b"".join(iter_content(att.id, att.size, att.content_type)) == \
        b"".join(iter_content(att.id, att.size, att.content_type))


def test_given_other_seed_when_built_then_different_ids():
    assert set(make_sample_dataset(seed=1).transactions) != set(make_sample_dataset(seed=2).transactions)


def test_given_default_sample_when_inspected_then_it_has_the_promised_variety():
    ds = make_sample_dataset(seed=1, accounts=3, closed_accounts=1, transactions=200, receipts=80,
                             large_receipt_sizes=(3 * MiB, 9 * MiB))
    accounts = list(ds.accounts.values())
    assert [a.status for a in accounts].count("closed") == 1 and sum(a.main for a in accounts) == 1
    first_emitted = {a.id: min(t.emitted_ms for t in ds.account_transactions(a.id)) for a in accounts}
    opened_late = [a for a in accounts if first_emitted[a.id] > first_emitted[accounts[0].id] + 150 * 86_400_000]
    assert len(opened_late) == 1
    assert {"completed", "pending", "declined"} <= {t.status for t in ds.transactions.values()}
    assert all(t.settled_ms is None for t in ds.transactions.values() if t.status != "completed")
    names = [a.file_name for a in ds.attachments.values()]
    assert len(ds.attachments) == 80
    assert any("/" in n for n in names) and any("é" in n for n in names)
    assert any(ord(c) > 0xFFFF for n in names for c in n)          # emoji
    assert any("." not in n for n in names)                          # no extension
    assert Counter(names).most_common(1)[0][1] >= 3                  # duplicates
    assert {a.content_type for a in ds.attachments.values()} == {"application/pdf", "image/jpeg", "image/png"}
    assert sorted(a.size for a in ds.attachments.values())[-2:] == [3 * MiB, 9 * MiB]
    assert any(a.size == 0 for a in ds.attachments.values())
    assert max(len(t.attachment_ids) for t in ds.transactions.values()) == 3
    assert any(t.attachment_ids for t in ds.transactions.values() if t.status == "declined")
    assert any(t.attachment_ids for t in ds.transactions.values() if t.status == "pending")


def test_given_attachment_when_content_produced_then_looks_like_its_type_and_has_exact_size():
    for ctype, size in [("application/pdf", 100_000), ("image/jpeg", 5), ("image/png", CHUNK_SIZE * 2 + 3)]:
        data = b"".join(iter_content("att-1", size, ctype))
        assert len(data) == size and data.startswith(header_for(ctype)[:size])
        if size > 1000:
            assert len(set(data[len(header_for(ctype)):])) > 200     # pseudo-random body, not padding


def test_given_too_many_receipts_for_transactions_when_building_then_value_error():
    with pytest.raises(ValueError):
        make_sample_dataset(transactions=3, receipts=50, large_receipt_sizes=())


@pytest.mark.slow
def test_given_50k_transactions_and_20k_receipts_when_built_then_all_present_and_listable():
    ds = make_sample_dataset(seed=5, accounts=4, closed_accounts=1, transactions=50_000, receipts=20_000)
    assert (len(ds.transactions), len(ds.attachments)) == (50_000, 20_000)
    with BankEmulator(ds) as emu:
        main = next(iter(ds.accounts))
        body = requests.get(emu.url + "/v2/transactions", headers=emu.auth_headers(), timeout=30,
                            params={"bank_account_id": main, "sort_by": "updated_at:asc", "page": 3,
                                    "includes[]": "attachments"}).json()
    assert body["meta"]["total_count"] > 10_000 and len(body["transactions"]) == 100


@pytest.mark.slow
def test_given_100mb_attachment_when_downloaded_then_streamed_without_holding_it_in_memory():
    size = 100 * MiB
    with BankEmulator() as emu:
        account = emu.add_bank_account()
        txn = emu.add_transaction(account["id"], attachments=[
            {"file_name": "huge.pdf", "content_type": "application/pdf", "size": size}])
        attachment = txn["attachments"][0]
        expected = hashlib.sha256()
        for piece in iter_content(attachment["id"], size, "application/pdf"):
            expected.update(piece)
        received, got = hashlib.sha256(), 0
        tracemalloc.start()
        try:
            with requests.get(attachment["url"], stream=True, timeout=60) as response:
                assert response.headers["Content-Length"] == str(size)
                for piece in response.iter_content(1024 * 1024):
                    received.update(piece)
                    got += len(piece)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert got == size and received.hexdigest() == expected.hexdigest()
    assert peak < 16 * MiB, f"server and client together peaked at {peak / MiB:.1f} MiB"
