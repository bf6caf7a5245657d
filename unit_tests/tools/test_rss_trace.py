"""tools/rss_trace.py: the connector runs as usual, and its memory highs are logged with what it was doing."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_given_a_connector_run_under_the_trace_when_it_ends_then_its_output_is_unchanged_and_highs_are_logged(tmp_path):
    out = tmp_path / "rss-{pid}.txt"
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "rss_trace.py"), "destination", str(out), "spec"],
                         capture_output=True, text=True, timeout=120, check=True)
    spec = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    assert [m["type"] for m in spec] == ["SPEC"]
    logs = list(tmp_path.glob("rss-*.txt"))
    lines = logs[0].read_text().splitlines()
    assert len(logs) == 1 and "{pid}" not in logs[0].name and lines
    assert all("rss=" in line and "high=" in line for line in lines)
