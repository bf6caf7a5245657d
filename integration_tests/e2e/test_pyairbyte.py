"""The one-machine path (`make sync`, `make demo`): PyAirbyte runs the pair and keeps the state."""

from __future__ import annotations

import pytest

from integration_tests.e2e.conftest import FAST_WRITES, START_DATE
from integration_tests.e2e.drive_view import check_exactly_once, exported_attachments
from tools.pyairbyte_sync import run_sync

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def restore_airbyte_logger():
    """PyAirbyte and the CDK share the logger name "airbyte"; PyAirbyte reconfigures it (no
    propagation, its own handlers). Put it back so later in-process connector tests see their logs."""
    import logging

    logger = logging.getLogger("airbyte")
    saved = (logger.level, logger.propagate, list(logger.handlers))
    yield
    logger.setLevel(saved[0])
    logger.propagate = saved[1]
    logger.handlers[:] = saved[2]


def test_given_pyairbyte_runner_when_backfill_then_no_op_then_state_is_kept_and_nothing_is_rewritten(world, tmp_path):
    source_config = {"_comment": "notes are dropped", **world.bank.source_config(start_date=START_DATE)}
    destination_config = world.drive.destination_config(**FAST_WRITES)
    progress: list[str] = []

    first = run_sync(source_config, destination_config, state_dir=tmp_path, on_progress=progress.append, progress_every=0)

    assert check_exactly_once(world.bank, world.drive) == []
    expected = len(exported_attachments(world.bank))
    assert first.tally.receipt_files == expected
    assert first.tally.records["bank_accounts"] == len(world.bank.dataset.accounts)
    assert first.tally.records["transactions"] > 0
    assert first.tally.outcomes.get("uploaded") == expected
    assert first.tally.states_confirmed > 0
    assert progress and progress[-1].startswith("read: ")
    # the source says how many receipts it will send before the destination has filed any
    first_total = next(line for line in progress if " | to send " in line)
    assert " | uploaded " not in first_total or " | uploaded 0, " in first_total, first_total
    assert first.tally.to_send is not None and first.tally.to_send.final
    assert first.tally.to_send.receipts == expected
    assert (tmp_path / "state.duckdb").exists()

    world.drive.reset_counters()
    world.bank.reset_counters()
    second = run_sync(source_config, destination_config, state_dir=tmp_path)

    assert world.drive.counts["write"] == world.drive.counts["sheets.write"] == 0
    assert world.bank.count(prefix="/_s3/") == 0
    assert second.tally.receipt_files == 0  # the saved state was used: no receipt read again
    # transactions too: PyAirbyte handed back the transactions state with its format marker
    assert second.tally.records.get("transactions", 0) == 0
    assert second.tally.outcomes.get("uploaded", 0) == 0
    assert check_exactly_once(world.bank, world.drive) == []


def test_given_configs_in_secrets_when_make_sync_runs_twice_then_it_reports_progress_and_resumes(world, tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    secrets, state = tmp_path / "secrets", tmp_path / "state"
    secrets.mkdir()
    (secrets / "source.json").write_text(json.dumps({"_comment": "from the template", **world.bank.source_config(start_date=START_DATE)}))
    (secrets / "destination.json").write_text(json.dumps(world.drive.destination_config(**FAST_WRITES)))
    command = [sys.executable, "-m", "tools.local_sync", "--secrets", str(secrets), "--state-dir", str(state)]
    root = Path(__file__).resolve().parents[2]

    first = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    world.drive.reset_counters()
    second = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)

    assert first.returncode == 0, first.stdout + first.stderr
    expected = len(exported_attachments(world.bank))
    assert f"receipts read:  {expected} (" in first.stdout, first.stdout
    assert f"in Drive:       uploaded {expected}," in first.stdout
    assert second.returncode == 0, second.stdout + second.stderr
    assert "receipts read:  0 (0 B)" in second.stdout and "uploaded 0," in second.stdout
    assert world.drive.counts["write"] == world.drive.counts["sheets.write"] == 0
    history = (state / "history.log").read_text().splitlines()
    assert len(history) == 2 and all(" ok " in line for line in history)
    secret = world.bank.source_config()["credentials"]["secret_key"]
    assert secret not in first.stdout + first.stderr + second.stdout + second.stderr
