"""Airbyte's CDK command line on each connector directory (what a contributor to Airbyte would run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).parent / "airbyte-cdk"


@pytest.mark.slow
@pytest.mark.parametrize("connector", ["source-bank-receipts", "destination-gdrive-receipts"])
def test_given_connector_directory_when_airbyte_cdk_connector_test_then_the_standard_suite_passes(connector):
    directory = ROOT / "connectors" / connector
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    try:
        done = subprocess.run([str(CLI), "connector", "test", str(directory)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        shutil.rmtree(directory / ".tmp", ignore_errors=True)   # the CLI writes its generated module there
        shutil.rmtree(directory / "build", ignore_errors=True)
    tail = done.stdout[-3000:] + done.stderr[-2000:]
    assert done.returncode == 0, tail
    assert " passed" in done.stdout and " failed" not in done.stdout and "error" not in done.stdout.splitlines()[-1]
