"""Pure rules of the bank emulator (query parsing, presigned URL checks, refresh-token rotation),
table-driven without HTTP; plus the command line entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset
from integration_tests.emulators.bank import listing, s3
from integration_tests.emulators.bank.clock import Clock, parse_iso_us, to_iso
from integration_tests.emulators.bank.dataset import Transaction
from integration_tests.emulators.bank.oauth import OAuthServer

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("query,mode,expected", [
    ({}, "both", 1),
    ({"page": ["3"]}, "both", 3),
    ({"current_page": ["4"]}, "both", 4),
    ({"page": ["2"], "current_page": ["5"]}, "both", 2),
    ({"current_page": ["5"]}, "page", 1),
    ({"page": ["5"]}, "current_page", 1),
    ({"page": ["0"]}, "page", 1),
])
def test_given_page_params_when_read_then_page_number(query, mode, expected):
    assert listing.page_number(query, mode) == expected


@pytest.mark.parametrize("count,page,size,meta", [
    (0, 1, 100, {"current_page": 1, "next_page": None, "prev_page": None, "total_pages": 0, "total_count": 0}),
    (210, 2, 20, {"current_page": 2, "next_page": 3, "prev_page": 1, "total_pages": 11, "total_count": 210}),
    (210, 11, 20, {"current_page": 11, "next_page": None, "prev_page": 10, "total_pages": 11, "total_count": 210}),
    (100, 1, 100, {"current_page": 1, "next_page": None, "prev_page": None, "total_pages": 1, "total_count": 100}),
])
def test_given_rows_when_paginated_then_meta_like_the_bank(count, page, size, meta):
    rows, got = listing.paginate(list(range(count)), page, size)
    assert {k: got[k] for k in meta} == meta and got["per_page"] == size
    assert rows == list(range(count))[(page - 1) * size: page * size]


@pytest.mark.parametrize("values,mode,expected", [
    ([], "multi", ("completed",)),
    (["pending", "completed"], "multi", ("pending", "completed")),
    (["declined", "pending"], "single", ("declined",)),
    (["pending", "pending"], "multi", ("pending",)),
])
def test_given_status_values_when_read_then_statuses_asked(values, mode, expected):
    assert listing.statuses({"status[]": values}, mode) == expected


@pytest.mark.parametrize("text,expected", [
    ("2025-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"),
    ("2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00.000Z"),
    ("2025-06-30T12:34:56.789123Z", "2025-06-30T12:34:56.789Z"),
    ("2025-06-30", "2025-06-30T00:00:00.000Z"),
])
def test_given_iso_text_when_parsed_then_same_instant_rendered_with_ms(text, expected):
    assert to_iso(parse_iso_us(text) // 1000) == expected


def _txn(id_: str, updated_ms: int, settled_ms: int | None, status: str = "completed") -> Transaction:
    return Transaction(id=id_, bank_account_id="a", seq=1, amount_cents=1, side="debit", operation_type="card",
                       label="x", status=status, emitted_ms=0, settled_ms=settled_ms, updated_ms=updated_ms,
                       created_ms=0)


def test_given_ties_and_nulls_when_sorted_then_ties_by_id_and_nulls_last_both_ways():
    rows = [_txn("c", 5, None, "pending"), _txn("b", 5, 7), _txn("a", 5, 7), _txn("d", 9, 1)]
    both = ["pending", "completed"]
    asc = listing.select(rows, listing.transaction_filter({"status[]": both, "sort_by": ["settled_at:asc"]}, "multi"))
    desc = listing.select(rows, listing.transaction_filter({"status[]": both}, "multi"))
    assert [t.id for t in asc] == ["d", "a", "b", "c"]
    assert [t.id for t in desc] == ["a", "b", "d", "c"]


def test_given_window_with_microseconds_when_filtering_then_bounds_compare_exact_instants():
    rows = [_txn("a", 1_735_689_600_123, 1)]          # 2025-01-01T00:00:00.123Z
    def ids(low: str) -> list[str]:
        flt = listing.transaction_filter({"updated_at_from": [low]}, "multi")
        return [t.id for t in listing.select(rows, flt)]
    assert ids("2025-01-01T00:00:00.123000Z") == ["a"]
    assert ids("2025-01-01T00:00:00.123001Z") == []


@pytest.mark.parametrize("advance,expected", [(0, True), (1800, True), (1801, False)])
def test_given_presigned_url_when_checked_after_delay_then_valid_until_ttl(advance, expected):
    url = s3.presign("http://h", "att", "a b.pdf", now_s=1_700_000_000, ttl_s=1800)
    query = {k: [v] for k, v in (p.split("=", 1) for p in url.split("?", 1)[1].split("&"))}
    assert s3.check("att", query, now_s=1_700_000_000 + advance).ok is expected
    assert not s3.check("other-attachment", query, now_s=1_700_000_000).ok


def test_given_rotation_when_refresh_used_then_grace_60s_and_new_token_independent():
    clock = Clock()
    server = OAuthServer(clock, "cid", "csecret")
    token = server.new_refresh_token()
    form = {"grant_type": "refresh_token", "client_id": "cid", "client_secret": "csecret"}
    status, first = server.token({**form, "refresh_token": token})
    clock.advance(59)
    assert server.token({**form, "refresh_token": token})[0] == 200
    clock.advance(2)
    assert server.token({**form, "refresh_token": token})[0] == 400
    assert status == 200 and server.token({**form, "refresh_token": first["refresh_token"]})[0] == 200
    assert server.token({**form, "grant_type": "password"})[1]["error"] == "unsupported_grant_type"


def test_given_200_401s_within_an_hour_when_calling_again_then_throttled_with_429():
    with BankEmulator(make_sample_dataset(seed=4, transactions=10, receipts=2, large_receipt_sizes=())) as emu:
        with requests.Session() as session:
            statuses = [session.get(emu.url + "/v2/organization", headers={"Authorization": "a:b"}).status_code
                        for _ in range(200)]
            throttled = session.get(emu.url + "/v2/organization", headers={"Authorization": "a:b"})
    assert set(statuses) == {401}
    assert throttled.status_code == 429


def test_given_cli_with_sample_when_started_then_prints_url_and_working_source_config():
    process = subprocess.Popen([sys.executable, "-m", "integration_tests.emulators.bank", "--port", "0", "--sample"],
                               cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().strip()
        config = json.loads(process.stdout.readline())
        creds = config["credentials"]
        response = requests.get(config["api_url"] + "/v2/organization", timeout=10,
                                headers={"Authorization": f"{creds['organization_slug']}:{creds['secret_key']}"})
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert url.startswith("http://127.0.0.1:") and config["api_url"] == url
    assert config["start_date"] == "2025-01-01" and creds["auth_type"] == "api_key"
    assert len(response.json()["organization"]["bank_accounts"]) == 3
