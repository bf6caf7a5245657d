"""The benchmark's quick mode: the real connector processes against both emulators, correctness only.

Asserts what the benchmark's figures rest on (every receipt filed once with the bank's bytes,
counters read back, a no-change sync writing nothing), never how fast anything was.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory) -> dict:
    results = tmp_path_factory.mktemp("bench") / "results.json"
    done = subprocess.run([sys.executable, "-m", "tools.bench", "--quick", "--json", str(results)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"quick benchmark failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(results.read_text())


def _figure(results: dict, label: str) -> dict:
    return next(f for f in results["figures"] if f["label"] == label)


@pytest.mark.slow
def test_given_quick_dataset_when_benchmark_runs_then_every_receipt_lands_once_with_its_bytes(quick_results):
    correctness = quick_results["measured"]["quick"]["correctness"]
    assert correctness["expected"] > 0
    assert (correctness["missing"], correctness["corrupt"], correctness["duplicated"]) == (0, 0, 0), correctness
    assert correctness["failed_processes"] == 0


@pytest.mark.slow
def test_given_quick_backfill_when_figures_are_computed_then_drive_and_bank_ratios_are_reported(quick_results):
    for label in ("Drive writes per new receipt", "Drive reads per receipt", "bank API calls per 100 transactions"):
        figure = _figure(quick_results, label)
        assert figure["value"] is not None and figure["value"] > 0, figure
    # every new receipt costs at least one Drive write: a smaller figure means the counters are wrong
    assert _figure(quick_results, "Drive writes per new receipt")["value"] >= 1


@pytest.mark.slow
def test_given_everything_filed_when_the_next_sync_finds_no_change_then_it_writes_and_downloads_nothing(quick_results):
    assert _figure(quick_results, "no-change sync: Drive writes")["value"] == 0
    assert _figure(quick_results, "no-change sync: downloads")["value"] == 0
