"""An emulated Airbyte platform driving the pair: jobs, attempts, generations, refreshes, clear data, prefixes.

What it reproduces, and where the platform does it (airbytehq/airbyte-platform):
- Generations per stream, bumped on the first attempt of every job for every full-refresh stream, and
  for the streams a refresh or a clear names; state of those streams deleted
  (airbyte-commons-server/.../handlers/AttemptHandler.kt updateGenerationAndStateForFirstAttempt;
  airbyte-config/config-persistence/.../helper/GenerationBumper.kt: a stream without a generation
  starts at 0 and is bumped to 1). Later attempts of the same job bump the non-resumable
  full-refresh streams again (updateGenerationAndStateForSubsequentAttempts; with refresh support
  resumable ones are kept; without it every full-refresh stream is bumped).
- The configured catalog carries generation_id, minimum_generation_id (= generation_id when the stream
  is truncated: TRUNCATE refresh, clear, or full refresh | overwrite; else 0) and sync_id = job id
  (.../helper/CatalogGenerationSetter.kt) — only when the destination supports refreshes
  (airbyte-commons-worker/.../ReplicationInputHydrator.kt reads the connection without job
  generations otherwise). Overwrite is then sent as append (airbyte-commons-protocol/.../
  DefaultProtocolSerializer.kt).
- Clear data: only the cleared streams, as full refresh | overwrite (airbyte-config/config-models/.../
  helpers/CatalogTransforms.kt updateCatalogForReset); no source runs: per stream a STARTED status, a
  STATE with a null stream state, a COMPLETE status (airbyte-container-orchestrator/.../worker/io/
  EmptyAirbyteSource.kt emitPerStreamState).
- Stream prefix: renamed in the destination's catalog and in every RECORD, STREAM state and stream
  status forwarded; the destination's echoed states are renamed back before they are stored
  (airbyte-commons-worker/.../internal/Mapper.kt NamespacingMapper mapCatalog/mapMessage/revertMap).
- State: per stream, the last one the destination echoed (integration_tests/e2e/harness.py).
"""

from __future__ import annotations

import copy
import json
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from integration_tests.e2e.harness import (
    DESTINATION, SOURCE, TIMEOUT_S, RunResult, SourceOutput, _note, _read, _start_killer, latest_states,
)


@dataclass
class Job:
    kind: str                      # "sync", "refresh" or "clear"
    streams: frozenset = frozenset()   # refreshed or cleared streams (source names)
    truncate: bool = False         # refresh: remove records (True) or retain them (False)
    id: int = 0
    attempts: int = 0


@dataclass
class PlatformConnection:
    """One connection: its configured catalog (source stream names), the generation table, the state."""

    workdir: Path
    catalog: dict
    supports_refreshes: bool = True
    prefix: str = ""
    generations: dict[str, int] = field(default_factory=dict)
    state: list[dict] = field(default_factory=list)
    jobs: int = 0
    catalogs_sent: list[dict] = field(default_factory=list)   # what each attempt's destination received
    last_job: Job | None = None

    # ---- jobs ---------------------------------------------------------------------------------
    def run(self, source_config: dict, destination_config: dict, *,
            kill_destination_when: Callable[[], bool] | None = None) -> RunResult:
        """One sync job of a single attempt: the e2e harness's Pipeline.run, on the platform's terms."""
        self.jobs += 1
        return self._attempt(Job("sync", id=self.jobs), source_config, destination_config, kill_destination_when)

    @property
    def runs(self) -> int:
        return self.jobs

    def sync(self, source_config: dict, destination_config: dict, **kwargs) -> RunResult:
        return self.run_job(Job("sync"), source_config, destination_config, **kwargs)

    def refresh(self, streams: Iterable[str], source_config: dict, destination_config: dict, *,
                remove_records: bool) -> RunResult:
        if not self.supports_refreshes:
            raise AssertionError("the platform offers refreshes only to destinations that support them")
        return self.run_job(Job("refresh", frozenset(streams), remove_records), source_config, destination_config)

    def clear(self, streams: Iterable[str], destination_config: dict) -> RunResult:
        return self.run_job(Job("clear", frozenset(streams)), None, destination_config)

    def run_job(self, job: Job, source_config: dict | None, destination_config: dict, *,
                kill_first_attempt_when: Callable[[], bool] | None = None) -> RunResult:
        """A job; when the first attempt is killed, a second attempt follows, as the platform retries."""
        self.jobs += 1
        job.id = self.jobs
        self.last_job = job
        result = self._attempt(job, source_config, destination_config, kill_first_attempt_when)
        if result.killed:
            result = self._attempt(job, source_config, destination_config, None)
        return result

    # ---- one attempt ----------------------------------------------------------------------------
    def _attempt(self, job: Job, source_config, destination_config, kill_when) -> RunResult:
        self._bump_generations(job)
        job.attempts += 1
        destination_catalog = self._destination_catalog(job)
        self.catalogs_sent.append(destination_catalog)
        run_dir = self.workdir / f"job-{job.id}-attempt-{job.attempts}"
        run_dir.mkdir(parents=True, exist_ok=True)
        result = self._run(run_dir, job, source_config, destination_config, destination_catalog, kill_when)
        echoed = [self._revert(s) for s in result.states]
        self.state = latest_states(self.state, echoed)
        return result

    def _full_refresh_streams(self) -> set[str]:
        return {s["stream"]["name"] for s in self.catalog["streams"] if s["sync_mode"] == "full_refresh"}

    def _bump_generations(self, job: Job) -> None:
        if job.attempts == 0:
            bumped = self._full_refresh_streams() if job.kind != "clear" else set()
            bumped |= set(job.streams)
        else:
            # Non-resumable full-refresh streams: ours keep no state, so all full-refresh streams.
            bumped = self._full_refresh_streams()
        for name in bumped:
            self.generations[name] = self.generations.get(name, 0) + 1
        self.state = [s for s in self.state if _state_stream(s) not in bumped]

    def _destination_catalog(self, job: Job) -> dict:
        streams = []
        for configured in copy.deepcopy(self.catalog["streams"]):
            name = configured["stream"]["name"]
            if job.kind == "clear":
                if name not in job.streams:
                    continue
                configured["sync_mode"], configured["destination_sync_mode"] = "full_refresh", "overwrite"
            truncate = (job.kind == "clear" and name in job.streams) or \
                       (job.kind == "refresh" and job.truncate and name in job.streams) or \
                       (job.kind != "clear" and configured["sync_mode"] == "full_refresh"
                        and configured["destination_sync_mode"] in ("overwrite", "overwrite_dedup"))
            if self.supports_refreshes:
                generation = self.generations.get(name, 0)
                configured.update(generation_id=generation, minimum_generation_id=generation if truncate else 0,
                                  sync_id=job.id)
                configured["destination_sync_mode"] = {"overwrite": "append", "overwrite_dedup": "append_dedup"}.get(
                    configured["destination_sync_mode"], configured["destination_sync_mode"])
            else:
                for key in ("generation_id", "minimum_generation_id", "sync_id"):
                    configured.pop(key, None)
                if configured["destination_sync_mode"] == "overwrite_dedup":
                    configured["destination_sync_mode"] = "overwrite"
            configured["stream"]["name"] = self.prefix + name
            streams.append(configured)
        return {"streams": streams}

    # ---- processes ----------------------------------------------------------------------------
    def _run(self, run_dir: Path, job: Job, source_config, destination_config, catalog, kill_when) -> RunResult:
        paths = {name: run_dir / f"{name}.json" for name in ("source", "destination", "catalog", "dcatalog", "state")}
        paths["destination"].write_text(json.dumps(destination_config))
        paths["dcatalog"].write_text(json.dumps(catalog))
        write = [str(DESTINATION), "write", "--config", str(paths["destination"]), "--catalog", str(paths["dcatalog"])]
        destination_err = open(run_dir / "destination.stderr", "w+")
        destination = subprocess.Popen(write, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=destination_err)
        sent = SourceOutput()
        source, source_err = None, None
        if job.kind == "clear":
            feeder = threading.Thread(target=self._feed, args=(_empty_source(job.streams), destination.stdin, sent))
        else:
            paths["source"].write_text(json.dumps(source_config))
            paths["catalog"].write_text(json.dumps(self._source_catalog()))
            paths["state"].write_text(json.dumps(self.state))
            read = [str(SOURCE), "read", "--config", str(paths["source"]), "--catalog", str(paths["catalog"])]
            read += ["--state", str(paths["state"])] if self.state else []
            source_err = open(run_dir / "source.stderr", "w+")
            source = subprocess.Popen(read, stdout=subprocess.PIPE, stderr=source_err)
            feeder = threading.Thread(target=self._feed, args=(source.stdout, destination.stdin, sent))
        feeder.daemon = True
        feeder.start()
        killed = threading.Event()
        watcher = _start_killer(destination, kill_when, killed) if kill_when else None
        timer = threading.Timer(TIMEOUT_S, lambda: [p.kill() for p in (destination, source) if p])
        timer.start()
        try:
            messages = [json.loads(line) for line in destination.stdout if line.startswith(b"{")]
            destination.wait()
            if source is not None:
                if killed.is_set():
                    source.kill()
                source.wait()
            feeder.join()
        finally:
            timer.cancel()
            if watcher:
                watcher.join()
        return RunResult(source.returncode if source else 0, destination.returncode, messages,
                         _read(source_err) if source_err else "", _read(destination_err), sent, killed.is_set())

    def _source_catalog(self) -> dict:
        """The source gets source names, no generations (they are the destination's business)."""
        streams = copy.deepcopy(self.catalog["streams"])
        for s in streams:
            for key in ("generation_id", "minimum_generation_id", "sync_id"):
                s.pop(key, None)
        return {"streams": streams}

    def _feed(self, lines, destination_stdin, seen: SourceOutput) -> None:
        open_ = True
        for line in lines:
            _note(line, seen)
            if open_:
                try:
                    destination_stdin.write(self._map_line(line))
                except (BrokenPipeError, ValueError):
                    open_ = False
        try:
            destination_stdin.close()
        except (BrokenPipeError, ValueError):
            pass

    def _map_line(self, line: bytes) -> bytes:
        if not self.prefix:
            return line
        try:
            message = json.loads(line)
        except ValueError:
            return line
        kind = message.get("type")
        if kind == "RECORD":
            message["record"]["stream"] = self.prefix + message["record"]["stream"]
        elif kind == "STATE" and message["state"].get("type") == "STREAM":
            descriptor = message["state"]["stream"]["stream_descriptor"]
            descriptor["name"] = self.prefix + descriptor["name"]
        elif kind == "TRACE" and message["trace"].get("type") == "STREAM_STATUS":
            descriptor = message["trace"]["stream_status"]["stream_descriptor"]
            descriptor["name"] = self.prefix + descriptor["name"]
        else:
            return line
        return json.dumps(message).encode() + b"\n"

    def _revert(self, state: dict) -> dict:
        if self.prefix and state.get("type") == "STREAM":
            descriptor = state["stream"]["stream_descriptor"]
            if descriptor["name"].startswith(self.prefix):
                state = copy.deepcopy(state)
                state["stream"]["stream_descriptor"]["name"] = descriptor["name"][len(self.prefix):]
        return state


def _state_stream(state: dict) -> str | None:
    return state["stream"]["stream_descriptor"]["name"] if state.get("type") == "STREAM" else None


def _empty_source(streams: Iterable[str]) -> list[bytes]:
    out = []
    for name in sorted(streams):
        descriptor = {"name": name}
        status = lambda s: {"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": 0, "stream_status": {
            "stream_descriptor": descriptor, "status": s}}}
        out += [status("STARTED"),
                {"type": "STATE", "state": {"type": "STREAM", "stream": {"stream_descriptor": descriptor,
                                                                         "stream_state": None}}},
                status("COMPLETE")]
    return [json.dumps(m).encode() + b"\n" for m in out]
