# One entry point for people and CI. Every target creates the virtual environment itself.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TAG    ?= dev
# Test processes: most tests wait on connector processes and emulator latency, not on the CPU.
TEST_WORKERS ?= 3

.PHONY: demo try test test-e2e test-large test-long test-sandbox soak bench bench-quick sync setup schedule status unschedule images clean verify

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)  ## demo sync on the built-in emulators, no credentials needed
	$(BIN)/python -m tools.demo

try: $(STAMP)  ## the real `make setup`, a sync and `make status` against emulators, in .try/ (ARGS="--sign-in paste")
	$(BIN)/python -m tools.try_setup $(ARGS)

test: $(STAMP)  ## all tests (real sandbox / Drive tests skip without secrets/), in TEST_WORKERS processes
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

bench: $(STAMP)  ## benchmark against the emulators; prints figures
	$(BIN)/python -m tools.bench

bench-quick: $(STAMP)
	$(BIN)/python -m tools.bench --quick

sync: $(STAMP)  ## real incremental sync with the configs in secrets/ (make setup schedules it nightly; ARGS="--secrets DIR --state-dir DIR")
	$(BIN)/python -m tools.local_sync $(ARGS)

setup: $(STAMP)  ## guided setup of your own bank and Drive: check, preview, nightly schedule (ARGS="--help")
	$(BIN)/python -m tools.setup $(ARGS)

verify: $(STAMP)  ## check the bank's seal on every probative copy filed in Drive (pyHanko, offline); exits 1 if one is not intact
	$(BIN)/python -m tools.verify_seals $(ARGS)

status: $(STAMP)  ## last syncs, next run, archive; exits non-zero when the last sync failed (ARGS="--state-dir DIR")
	@$(BIN)/python -m tools.status $(ARGS)

schedule: $(STAMP)  ## install the nightly sync for the configs make setup saved (ARGS="--schedule cron --secrets DIR --state-dir DIR")
	$(BIN)/python -m tools.setup.schedule_step $(ARGS)

unschedule: $(STAMP)  ## remove the nightly schedule make setup installed
	$(BIN)/python -m tools.setup.schedule_step --remove $(ARGS)

images:  ## Docker images of both connectors, tagged $(TAG) (needs a running Docker; see tools/build_images.sh)
	bash tools/build_images.sh $(TAG)

test-e2e: $(STAMP)  ## only the end-to-end scenarios (connectors as processes against the emulators)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) integration_tests/e2e integration_tests/platform

soak: $(STAMP)  ## the 429-storm scenario 20 times, compressed in-process and at full scale through both connectors, 3 at once (~30 min)
	$(BIN)/python -m pytest -m soak -n 3 integration_tests/source/test_source_stall_and_failure.py integration_tests/e2e/test_storm_soak.py

test-large: $(STAMP)  ## the production-scale scenarios the default run skips (a 40,000-row ledger)
	RUN_LARGE_TESTS=1 $(BIN)/python -m pytest -m large -p no:xdist integration_tests

test-long: $(STAMP)  ## scenarios that wait out a connector's own retries, e.g. make sync with Drive unreachable (~1 min each)
	$(BIN)/python -m pytest -m long_wait integration_tests

test-sandbox: $(STAMP)  ## the real Qonto sandbox / Google Drive suite (needs secrets/sandbox_*.json)
	$(BIN)/python -m pytest -m sandbox -rs integration_tests

clean:
	rm -rf $(VENV) .pytest_cache .demo .try .bench
