"""What the Airbyte platform, its CLI and PyAirbyte need from our packaging.

- each connector directory holds one single-document metadata.yaml, valid against Airbyte's own
  model, with a fixed definition id and a Docker repository named after its console script;
- each Dockerfile follows the python-connector template, builds from files that exist and starts
  the right console script on the base image the metadata declares;
- the top-level metadata.yaml (the card's layout) is the source's, by a relative symlink;
- `pyab validate` accepts both connectors offline (spec, then check against the emulators);
- the secrets/ templates are what `make sync` and the connectors accept.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CONNECTORS = ["source-bank-receipts", "destination-gdrive-receipts"]
# Airbyte identifies a connector definition by this id: changing it orphans every connection
# users made with the previous one. Pinned on purpose.
DEFINITION_IDS = {
    "source-bank-receipts": "6c1f0b7e-2d4a-4e93-b8a5-7f3e9c2d1a64",
    "destination-gdrive-receipts": "3a9dea58-dc19-4f43-8011-d812bd6980b9",
}
BASE_IMAGE = re.compile(r"^docker\.io/airbyte/python-connector-base:4\.0\.\d+@sha256:[0-9a-f]{64}$")


def console_scripts() -> dict[str, str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def metadata_text(connector: str) -> str:
    path = ROOT / "connectors" / connector / "metadata.yaml"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text()


def metadata(connector: str) -> dict:
    return yaml.safe_load(metadata_text(connector))["data"]


def dockerfile(connector: str) -> str:
    return (ROOT / "connectors" / connector / "Dockerfile").read_text()


# --- metadata.yaml ---------------------------------------------------------------------------


@pytest.mark.parametrize("connector", CONNECTORS)
def test_given_connector_metadata_when_validated_with_airbyte_model_then_it_is_one_valid_document(connector):
    from airbyte_connector_models.metadata.v0.connector_metadata_definition_v0 import (
        ConnectorMetadataDefinitionV0,
    )

    documents = list(yaml.safe_load_all(metadata_text(connector)))
    # The CDK reads metadata.yaml with yaml.safe_load: a second document breaks its tooling.
    assert len(documents) == 1
    model = ConnectorMetadataDefinitionV0.model_validate(documents[0])
    assert model.data.connector_type.value == connector.split("-")[0]


@pytest.mark.parametrize("connector", CONNECTORS)
def test_given_connector_metadata_when_read_then_docker_repository_names_its_console_script(connector):
    data = metadata(connector)
    # The image entrypoint and `airbyte-cdk` derive the command from these names: all must agree.
    assert data["dockerRepository"].rsplit("/", 1)[-1] == connector
    assert connector in console_scripts()
    assert data["githubIssueLabel"] == connector


def test_given_both_metadata_files_when_read_then_definition_ids_are_distinct_fixed_uuids():
    ids = {connector: metadata(connector)["definitionId"] for connector in CONNECTORS}
    assert len(set(ids.values())) == len(CONNECTORS)
    for connector, value in ids.items():
        assert str(uuid.UUID(value)) == value
        assert value == DEFINITION_IDS[connector], f"{connector}: definitionId changed; users' connections would break"


def test_given_the_card_layout_when_reading_top_level_metadata_then_it_is_the_sources_by_relative_symlink():
    top = ROOT / "metadata.yaml"
    assert top.is_symlink()
    target = os.readlink(top)
    assert not os.path.isabs(target), "an absolute link breaks in every other checkout"
    assert top.resolve() == (ROOT / "connectors" / "source-bank-receipts" / "metadata.yaml").resolve()
    assert top.read_text() == metadata_text("source-bank-receipts")


# --- Dockerfiles -----------------------------------------------------------------------------


@pytest.mark.parametrize("connector", CONNECTORS)
def test_given_dockerfile_when_read_then_base_image_is_the_metadata_base_image_pinned_by_digest(connector):
    base = re.search(r"^ARG BASE_IMAGE=(\S+)$", dockerfile(connector), re.M).group(1)
    assert BASE_IMAGE.match(base), base
    assert base == metadata(connector)["connectorBuildOptions"]["baseImage"]


@pytest.mark.parametrize("connector", CONNECTORS)
def test_given_dockerfile_when_read_then_entrypoint_runs_this_connectors_console_script(connector):
    text = dockerfile(connector)
    commands = re.findall(r"^exec (\S+) \"\\\$@\"$", text, re.M)
    assert commands == [connector]
    module, function = console_scripts()[connector].split(":")
    assert callable(getattr(importlib.import_module(module), function))


@pytest.mark.parametrize("connector", CONNECTORS)
def test_given_dockerfile_when_read_then_it_follows_airbytes_image_rules(connector):
    text = dockerfile(connector)
    entrypoint = re.search(r'^ENTRYPOINT \["([^"]+)"\]$', text, re.M).group(1)
    assert re.search(rf'^ENV AIRBYTE_ENTRYPOINT="{re.escape(entrypoint)}"$', text, re.M)
    assert entrypoint.startswith("/")
    assert re.search(r"^USER airbyte$", text, re.M)
    assert re.search(r"pip install .*\.$", text, re.M), "the builder stage installs the project"


@pytest.mark.parametrize("connector", CONNECTORS)
def test_given_dockerfile_when_built_from_repository_root_then_every_copied_path_exists(connector):
    sources = []
    for line in re.findall(r"^COPY (?!--)(.+)$", dockerfile(connector), re.M):
        sources += line.split()[:-1]
    assert sources, "the builder copies the project"
    missing = [path for path in sources if not (ROOT / path).exists()]
    assert not missing
    copied = {path.split("/")[0] for path in sources}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {pattern.rstrip("*") for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages | {"pyproject.toml"} <= copied, "every package of the distribution is copied into the image"


def test_given_no_docker_daemon_when_make_images_then_it_says_why_and_fails():
    # Whether or not a docker command is installed, no daemon answers on this socket.
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/docker.sock"}
    result = subprocess.run(["tools/build_images.sh"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "make images:" in result.stderr and "Docker" in result.stderr


# --- PyAirbyte's CLI and the secrets/ templates ---------------------------------------------

OFFLINE = {"AIRBYTE_OFFLINE_MODE": "true", "DO_NOT_TRACK": "1", "NO_LIVE_PROGRESS": "1"}


def pyab_validate(connector: str, config: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    config_file = tmp_path / f"{connector}.json"
    config_file.write_text(json.dumps(config))
    return subprocess.run(
        [str(BIN / "pyab"), "validate", "--connector", str(BIN / connector), "--config", str(config_file)],
        cwd=tmp_path,  # PyAirbyte writes its logs and caches under the working directory
        env={**os.environ, **OFFLINE},
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def bank():
    from integration_tests.emulators.bank import BankDataset, BankEmulator

    with BankEmulator(BankDataset()) as emulator:
        emulator.add_bank_account(name="Main", iban="FR7616958000014425136458291")
        yield emulator


@pytest.fixture(scope="module")
def drive():
    from integration_tests.emulators.drive import DriveEmulator

    with DriveEmulator() as emulator:
        yield emulator


@pytest.mark.slow
def test_given_bank_emulator_config_when_pyab_validate_source_offline_then_spec_and_check_pass(bank, tmp_path):
    result = pyab_validate("source-bank-receipts", bank.source_config(start_date="2025-01-01"), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\ncredentials:" in result.stderr or "\n  credentials:" in result.stderr  # the spec pyab printed
    assert "Connection check succeeded for `source-bank-receipts`" in result.stderr
    assert bank.count(prefix="/v2/") > 0  # the check reached the bank


@pytest.mark.slow
def test_given_drive_emulator_config_when_pyab_validate_destination_offline_then_spec_and_check_pass(drive, tmp_path):
    result = pyab_validate("destination-gdrive-receipts", drive.destination_config(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\n  credentials:" in result.stderr
    assert "Connection check succeeded for `destination-gdrive-receipts`" in result.stderr
    assert drive.counts["token"] + drive.counts["read"] > 0  # the check reached Drive


def strip_notes(config):
    from tools.pyairbyte_sync import strip_notes as strip

    return strip(config)


@pytest.mark.parametrize("connector, template", [(c, f"{c.split('-')[0]}.template.json") for c in CONNECTORS])
def test_given_secrets_template_when_notes_are_dropped_then_the_connector_spec_accepts_it(connector, template):
    import jsonschema

    config = strip_notes(json.loads((ROOT / "secrets" / template).read_text()))
    spec_output = subprocess.run([str(BIN / connector), "spec"], capture_output=True, text=True, timeout=60).stdout
    messages = [json.loads(line) for line in spec_output.splitlines() if line.startswith("{")]
    spec = next(message["spec"] for message in messages if message.get("type") == "SPEC")
    jsonschema.validate(config, spec["connectionSpecification"])


@pytest.mark.parametrize(
    "path, ignored",
    [
        ("secrets/README.md", False),
        ("secrets/source.template.json", False),
        ("secrets/destination.template.json", False),
        ("secrets/source.json", True),
        ("secrets/sandbox_destination.json", True),
        (".local-sync/state.duckdb", True),
    ],
)
def test_given_gitignore_when_checking_secrets_paths_then_only_templates_and_readme_are_tracked(path, ignored):
    result = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT)
    if result.returncode == 128:
        pytest.skip("not a git checkout")
    assert (result.returncode == 0) is ignored
