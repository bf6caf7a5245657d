"""Backfill and the nightly no-op, through the real `write` command against the Drive emulator."""

from collections import Counter

from integration_tests.destination import messages as M
from integration_tests.destination.harness import run_write


def receipts_in(drive, include_trashed=False):
    return [f for f in drive.files.values() if f.app_properties.get("kind") == "receipt"
            and (include_trashed or not f.trashed)]


def backfill_items():
    items = [(M.receipt(n, account="acc-main", settled_at=f"2025-0{1 + n % 3}-1{n % 10}T10:00:00Z"), M.content_of(n))
             for n in range(9)]
    items.append((M.receipt(20, account="acc-tax", settled_at="2025-03-31T22:30:00Z", label="DGFiP"), M.content_of(20)))
    return items


def test_given_two_accounts_and_three_months_when_backfilled_then_each_receipt_is_filed_once_in_its_folder(
        drive, config, tmp_path):
    items = backfill_items()
    messages = ([M.record("bank_accounts", a) for a in M.ACCOUNTS.values()]
                + [M.record("transactions", {"id": "tx-0001", "amount": 1})]
                + M.receipts_messages(items, state_every=3))
    result = run_write(tmp_path, config, messages)

    assert result.returncode == 0, result.stderr
    assert result.states == [m["state"] for m in messages if m["type"] == "STATE"]
    paths = drive.paths()
    assert "Qonto/Main account · FR76…0185/2025-01/2025-01-13 ACME 12.50 EUR" in " ".join(paths)
    # 2025-03-31T22:30Z is April in Paris.
    assert any(p.startswith("Qonto/Taxes · FR76…0111/2025-04/2025-04-01 DGFiP") for p in paths)
    files = receipts_in(drive)
    assert sorted(f.app_properties["att"] for f in files) == sorted(meta["attachment_id"] for meta, _ in items)
    by_att = {f.app_properties["att"]: f for f in files}
    assert all(drive.content(by_att[meta["attachment_id"]].id) == content for meta, content in items)
    assert "Summary: uploaded 10" in result.logs


def test_given_same_input_twice_when_synced_then_second_sync_makes_no_drive_write(drive, config, tmp_path):
    items = backfill_items()
    messages = M.receipts_messages(items, state_every=4)
    assert run_write(tmp_path, config, messages).returncode == 0
    first = Counter(drive.counts)
    drive.reset_counters()

    again = run_write(tmp_path, config, messages)

    assert again.returncode == 0, again.stderr
    assert again.states == [m["state"] for m in messages if m["type"] == "STATE"]
    assert drive.counts["write"] == 0
    # Reads do not grow with the number of receipts: root, one tree listing, the manifest.
    assert drive.counts["read"] <= 5
    # One write per receipt, plus root, 2 account folders, 4 period folders and the manifest.
    assert first["write"] == len(items) + 8
    assert len(receipts_in(drive)) == len(items)


def test_given_only_accounts_and_transactions_when_synced_then_drive_is_not_touched(drive, config, tmp_path):
    messages = [M.record("bank_accounts", M.ACCOUNTS["acc-main"]), M.state("bank_accounts", {"done": True})]
    result = run_write(tmp_path, config, messages)
    assert result.returncode == 0
    assert result.states == [messages[1]["state"]]
    assert sum(drive.counts.values()) == 0


def test_given_receipt_larger_than_one_chunk_when_backfilled_then_resumable_upload_stores_exact_bytes(
        drive, config, tmp_path):
    big = M.content_of(7, size=9_500_000)
    meta = M.receipt(7)
    result = run_write(tmp_path, config, M.receipts_messages([(meta, big)]))
    assert result.returncode == 0, result.stderr
    (stored,) = receipts_in(drive)
    assert drive.content(stored.id) == big
    assert drive.counts["upload.resumable"] == 1 and drive.counts["upload.chunk"] >= 2


def test_given_receipt_without_account_name_when_filed_then_name_comes_from_bank_accounts_stream(
        drive, config, tmp_path):
    meta = {**M.receipt(3), "bank_account_name": None, "iban": None}
    messages = [M.record("bank_accounts", M.ACCOUNTS["acc-main"])] + M.receipts_messages([(meta, M.content_of(3))])
    assert run_write(tmp_path, config, messages).returncode == 0
    assert drive.paths()[-1].startswith("Qonto/Main account · FR76…0185/2025-04/")


def test_given_new_content_for_same_attachment_when_synced_then_file_is_updated_in_place(drive, config, tmp_path):
    meta = M.receipt(5)
    assert run_write(tmp_path, config, M.receipts_messages([(meta, M.content_of(5, version=1))])).returncode == 0
    (before,) = receipts_in(drive)
    result = run_write(tmp_path, config, M.receipts_messages([(meta, M.content_of(5, version=2))]))
    assert result.returncode == 0, result.stderr
    (after,) = receipts_in(drive, include_trashed=True)
    assert after.id == before.id
    assert drive.content(after.id) == M.content_of(5, version=2)


def test_given_receipts_and_their_index_in_one_backfill_when_synced_then_summary_counts_each_receipt_once(
        drive, config, tmp_path):
    items = backfill_items()
    index = [M.record("receipt_index", M.index_entry(meta, "https://bank.invalid/never-downloaded")) for meta, _ in items]
    result = run_write(tmp_path, config, index + M.receipts_messages(items))

    assert result.returncode == 0, result.stderr
    assert "Summary: uploaded 10, updated 0, restored 0, moved 0, skipped 0," in result.logs
