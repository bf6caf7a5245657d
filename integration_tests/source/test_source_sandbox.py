"""The source against the real Qonto sandbox, through the installed command as the platform runs it.

Runs only with secrets/sandbox_source.json (see secrets/README.md; CI writes it from repository
secrets). Failure messages carry ids, field paths and counts only: never a secret, a record's
values or a presigned download URL.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import pytest
from jsonschema import Draft7Validator

from source_bank_receipts.downloads import is_html_type, looks_like_html

from .conftest import ALL_STREAMS, ROOT, configured_catalog_json, matches_type, reassemble

SECRETS = ROOT / "secrets"
CONFIG = SECRETS / "sandbox_source.json"
SCHEMAS = ROOT / "source_bank_receipts" / "schemas"
COMMAND = ROOT / ".venv" / "bin" / "source-bank-receipts"
TIMEOUT_S = 600
_URL = re.compile(r"https?://\S+")

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(not CONFIG.exists(), reason="no secrets/sandbox_source.json (see secrets/README.md)"),
]


# ---- running the command ------------------------------------------------------------------------
class Run:
    def __init__(self, process: subprocess.CompletedProcess, config: dict) -> None:
        self.returncode = process.returncode
        self.messages = [json.loads(line) for line in process.stdout.splitlines() if line.startswith("{")]
        self._config = config

    def of_type(self, kind: str) -> List[dict]:
        return [m for m in self.messages if m["type"] == kind]

    def records(self, stream: str) -> List[dict]:
        return [m["record"]["data"] for m in self.of_type("RECORD") if m["record"]["stream"] == stream]

    def last_states(self) -> Dict[str, dict]:
        """stream name -> its final STATE message body, as the platform would store and send it back."""
        return {m["state"]["stream"]["stream_descriptor"]["name"]: m["state"] for m in self.of_type("STATE")}

    def explain(self) -> str:
        """Why the run failed, safe to show: error sentences with URLs and config secrets blanked out."""
        errors = [m["trace"]["error"].get("message", "") for m in self.of_type("TRACE") if m["trace"].get("error")]
        return redact(f"exit code {self.returncode}; errors: {errors}", self._config)


def redact(text: str, config: dict) -> str:
    text = _URL.sub("<url>", text)
    for secret in _secret_values(config):
        text = text.replace(secret, "<secret>")
    return text


def _secret_values(value) -> Iterable[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and len(item) >= 6 and key not in ("auth_type", "environment", "start_date"):
                yield item
            else:
                yield from _secret_values(item)


def run(command: str, config: dict, tmp: Path, *, streams: Iterable[str] = (), state: Optional[List[dict]] = None) -> Run:
    tmp.mkdir(parents=True, exist_ok=True)
    args = [str(COMMAND), command, "--config", str(_write(tmp / "config.json", config))]
    if streams:
        args += ["--catalog", str(_write(tmp / "catalog.json", configured_catalog_json(streams)))]
    if state is not None:
        args += ["--state", str(_write(tmp / "state.json", state))]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return Run(subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT_S, env=env, cwd=tmp), config)


def _write(path: Path, value) -> Path:
    path.write_text(json.dumps(value))
    return path


def load_config() -> dict:
    from tools.pyairbyte_sync import strip_notes

    return strip_notes(json.loads(CONFIG.read_text()))


# ---- pure checks --------------------------------------------------------------------------------
def schema_problems(stream: str, records: List[dict]) -> List[str]:
    """One line per schema violation: record number, field path and rule; never the value."""
    validator = Draft7Validator(json.loads((SCHEMAS / f"{stream}.json").read_text()),
                                format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{stream} record #{i}: {'/'.join(map(str, error.absolute_path)) or '(record)'} fails '{error.validator}'"
            for i, record in enumerate(records) for error in validator.iter_errors(record)]


def listing(problems: List[str], limit: int = 20) -> str:
    more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n".join(problems[:limit]) + more


def cursors(state: dict) -> Dict[str, dict]:
    """bank account id -> {"updated_at", "ids_at_cursor"} from an incremental stream's state."""
    return {entry["partition"]["bank_account_id"]: entry["cursor"]
            for entry in state["stream"]["stream_state"].get("states", [])}


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def older_than_cursor(records: List[dict], cursor_by_account: Dict[str, dict], key: str) -> List[str]:
    """Records a state should have kept out: before the account's cursor, or re-sent at exactly it."""
    problems = []
    for record in records:
        cursor = cursor_by_account.get(record["bank_account_id"])
        if cursor is None:
            continue
        at, seen = ts(cursor["updated_at"]), set(cursor.get("ids_at_cursor", []))
        if ts(record["updated_at"]) < at or (ts(record["updated_at"]) == at and record[key] in seen):
            problems.append(f"{record[key]} (account {record['bank_account_id']}) is not newer than the state")
    return problems


def filing_day(receipt: dict) -> date:
    return ts(receipt.get("settled_at") or receipt["emitted_at"]).date()


# ---- the sandbox runs, shared by the tests of this module ---------------------------------------
@pytest.fixture(scope="module")
def config() -> dict:
    return load_config()


@pytest.fixture(scope="module")
def first_read(config, tmp_path_factory) -> Run:
    """Accounts, transactions and the receipt index since the configured start_date (no file content)."""
    result = run("read", config, tmp_path_factory.mktemp("sandbox-read"),
                 streams=("bank_accounts", "transactions", "receipt_index"))
    assert result.returncode == 0 and _no_errors(result), result.explain()
    return result


@pytest.fixture(scope="module")
def receipts_read(config, first_read, tmp_path_factory):
    """The receipts (content) of the most recent filing day only, so the download stays small."""
    index = first_read.records("receipt_index")
    if not index:
        pytest.skip("the sandbox organization has no receipt since start_date: attach one in the sandbox")
    day = max(filing_day(r) for r in index)
    limited = {**config, "start_date": day.isoformat()}
    result = run("read", limited, tmp_path_factory.mktemp("sandbox-receipts"), streams=("receipts",))
    assert result.returncode == 0 and _no_errors(result), result.explain()
    return limited, day, result


def _no_errors(result: Run) -> bool:
    return not any(m["trace"].get("error") for m in result.of_type("TRACE"))


# ---- tests --------------------------------------------------------------------------------------
def test_given_sandbox_credentials_when_checked_then_connection_succeeds(config, tmp_path):
    result = run("check", config, tmp_path)
    statuses = [m["connectionStatus"] for m in result.of_type("CONNECTION_STATUS")]
    assert [s["status"] for s in statuses] == ["SUCCEEDED"], redact(str(statuses), config)


def test_given_sandbox_credentials_when_discovered_then_the_four_contract_streams_are_listed(config, tmp_path):
    result = run("discover", config, tmp_path)
    (catalog,) = [m["catalog"] for m in result.of_type("CATALOG")] or [None]
    assert catalog is not None, result.explain()
    assert sorted(s["name"] for s in catalog["streams"]) == sorted(ALL_STREAMS)


def test_given_sandbox_when_read_then_accounts_transactions_and_index_match_the_contract_schemas(first_read):
    assert _no_errors(first_read), first_read.explain()
    accounts = first_read.records("bank_accounts")
    assert accounts, "the sandbox organization returned no bank account"
    problems = [p for stream in ("bank_accounts", "transactions", "receipt_index")
                for p in schema_problems(stream, first_read.records(stream))]
    assert not problems, listing(problems)
    account_ids = {a["id"] for a in accounts}
    assert {t["bank_account_id"] for t in first_read.records("transactions")} <= account_ids
    assert {r["bank_account_id"] for r in first_read.records("receipt_index")} <= account_ids
    assert all(r["download_url"].startswith("https://") for r in first_read.records("receipt_index")), \
        "a receipt download URL is not https"


def test_given_sandbox_when_read_then_transactions_state_holds_one_cursor_per_account_at_its_newest_update(
        first_read):
    transactions = first_read.records("transactions")
    assert transactions, "no transaction since start_date in the sandbox: add one there or move start_date back"
    state = cursors(first_read.last_states()["transactions"])
    newest: Dict[str, datetime] = {}
    for t in transactions:
        newest[t["bank_account_id"]] = max(newest.get(t["bank_account_id"], ts(t["updated_at"])), ts(t["updated_at"]))
    assert sorted(state) == sorted(newest), "accounts with transactions and accounts in the state differ"
    assert {a: ts(c["updated_at"]) for a, c in state.items()} == newest


def test_given_transactions_state_when_read_again_then_nothing_older_comes_back(config, first_read, tmp_path):
    state = first_read.last_states()["transactions"]

    second = run("read", config, tmp_path, streams=("transactions",), state=[state])

    assert second.returncode == 0 and _no_errors(second), second.explain()
    problems = older_than_cursor(second.records("transactions"), cursors(state), "id")
    assert not problems, listing(problems)
    assert set(cursors(second.last_states()["transactions"])) >= set(cursors(state)), "an account lost its cursor"


def test_given_recent_receipts_when_read_then_chunks_are_schema_valid_and_reassemble_to_the_indexed_files(
        first_read, receipts_read):
    _, day, result = receipts_read
    chunks = result.records("receipts")
    problems = schema_problems("receipts", chunks)
    assert not problems, listing(problems)
    files = reassemble(chunks)      # checks chunk order, size and sha256 of every file
    expected = {r["attachment_id"]: r for r in first_read.records("receipt_index") if filing_day(r) >= day}
    assert set(expected) <= set(files), f"{len(set(expected) - set(files))} receipt(s) of {day} missing"
    wrong_size = [a for a, r in expected.items() if r.get("size") is not None and r["size"] != len(files[a])]
    assert not wrong_size, f"size differs from the bank's file_size for {wrong_size}"
    # The sandbox's login gate answers file URLs too: its page must never pass for a receipt.
    announced = {c["attachment_id"]: c["content_type"] for c in chunks}
    pages = [a for a, data in files.items() if looks_like_html(data[:512]) and not is_html_type(announced[a])]
    assert not pages, f"a web page was exported instead of the receipt for {pages}"
    wrong_type = [a for a, data in files.items() if not matches_type(data, announced[a])]
    assert not wrong_type, f"bytes do not match the announced content type for {wrong_type}"
    assert sorted(cursors(result.last_states()["receipts"])) == sorted({c["bank_account_id"] for c in chunks})


def test_given_receipts_state_when_read_again_then_no_older_receipt_comes_back(receipts_read, tmp_path):
    limited, _, result = receipts_read
    state = result.last_states()["receipts"]

    second = run("read", limited, tmp_path, streams=("receipts",), state=[state])

    assert second.returncode == 0 and _no_errors(second), second.explain()
    chunks = second.records("receipts")
    problems = older_than_cursor(chunks, cursors(state), "transaction_id")
    assert not problems, listing(problems)
