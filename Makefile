# One entry point for people and CI. Every target creates the virtual environment itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TAG    ?= dev
# Test processes: most tests wait on connector processes and emulator latency, not on the CPU.
TEST_WORKERS ?= 3

.PHONY: demo test test-e2e test-large test-sandbox bench bench-quick sync setup status unschedule images clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## demo sync on the built-in emulators, no credentials needed
	$(BIN)/python -m tools.demo

test: $(STAMP)  ## all tests (real sandbox / Drive tests skip without secrets/), in TEST_WORKERS processes
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: $(STAMP)  ## benchmark against the emulators; prints figures
	$(BIN)/python -m tools.bench

bench-quick: $(STAMP)
	$(BIN)/python -m tools.bench --quick

sync: $(STAMP)  ## real incremental sync with the configs in secrets/ (make setup schedules it nightly)
	$(BIN)/python -m tools.local_sync

setup: $(STAMP)  ## guided setup of your own bank and Drive: check, preview, nightly schedule (ARGS="--help")
	$(BIN)/python -m tools.setup $(ARGS)

status: $(STAMP)  ## last syncs, next run, archive; exits 1 when the last sync failed
	@$(BIN)/python -m tools.status

unschedule: $(STAMP)  ## remove the nightly schedule make setup installed
	$(BIN)/python -m tools.setup.scheduler remove

images:  ## Docker images of both connectors, tagged $(TAG) (needs a running Docker; see tools/build_images.sh)
	bash tools/build_images.sh $(TAG)

test-e2e: $(STAMP)  ## only the end-to-end scenarios (connectors as processes against the emulators)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) integration_tests/e2e integration_tests/platform

test-large: $(STAMP)  ## the production-scale scenarios the default run skips (a 40,000-row ledger)
	RUN_LARGE_TESTS=1 $(BIN)/python -m pytest -m large -p no:xdist integration_tests

test-sandbox: $(STAMP)  ## the real Qonto sandbox / Google Drive suite (needs secrets/sandbox_*.json)
	$(BIN)/python -m pytest -m sandbox -rs integration_tests

clean:
	rm -rf $(VENV) .pytest_cache .demo .bench
