"""Airbyte protocol pieces the benchmark needs: configured catalogs and the state to pass on.

Pure functions over plain dicts (the JSON the connectors print and read), so the benchmark
drives the connectors exactly as the platform does: `read --config --catalog [--state]` piped
into `write --config --catalog`, the destination's echoed STATE becoming the next run's input.
"""

from __future__ import annotations

import json
from typing import Iterable


def parse_messages(lines: Iterable[bytes | str]) -> list[dict]:
    """Airbyte messages from connector output; non-JSON lines are skipped like the platform does."""
    messages = []
    for line in lines:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and "type" in message:
            messages.append(message)
    return messages


def discovered_streams(messages: Iterable[dict]) -> list[dict]:
    """The streams of the CATALOG message printed by `discover`."""
    for message in messages:
        if message.get("type") == "CATALOG":
            return message["catalog"]["streams"]
    raise ValueError("discover printed no CATALOG message")


def configure_stream(stream: dict, full_refresh: bool = False) -> dict:
    """One configured stream: incremental where offered (what a scheduled sync uses), else full refresh."""
    incremental = "incremental" in stream.get("supported_sync_modes", []) and not full_refresh
    primary_key = stream.get("source_defined_primary_key") or []
    configured = {
        "stream": stream,
        "sync_mode": "incremental" if incremental else "full_refresh",
        "destination_sync_mode": "append_dedup" if primary_key else "append",
        "primary_key": primary_key,
    }
    if incremental:
        configured["cursor_field"] = stream.get("default_cursor_field") or []
    return configured


def configured_catalog(streams: list[dict], names: Iterable[str] | None = None,
                       full_refresh: bool = False) -> dict:
    """A configured catalog of the named streams (all when names is None), in discover order."""
    wanted = None if names is None else set(names)
    chosen = [s for s in streams if wanted is None or s["name"] in wanted]
    missing = (wanted or set()) - {s["name"] for s in chosen}
    if missing:
        raise ValueError(f"streams not offered by the connector: {sorted(missing)}")
    return {"streams": [configure_stream(s, full_refresh) for s in chosen]}


def _state_key(state: dict) -> tuple:
    kind = state.get("type", "LEGACY")
    if kind == "STREAM":
        descriptor = state["stream"]["stream_descriptor"]
        return (kind, descriptor.get("namespace"), descriptor["name"])
    return (kind,)


def next_state(messages: Iterable[dict]) -> list[dict]:
    """The state input of the next sync: the last echoed state per stream (or the last global one)."""
    latest: dict[tuple, dict] = {}
    for message in messages:
        if message.get("type") == "STATE":
            state = message["state"]
            latest[_state_key(state)] = state
    return list(latest.values())


def trace_errors(messages: Iterable[dict]) -> list[str]:
    """Error texts of TRACE messages (what the platform shows a user)."""
    errors = []
    for message in messages:
        trace = message.get("trace") or {}
        if message.get("type") == "TRACE" and trace.get("type") == "ERROR":
            error = trace.get("error") or {}
            errors.append(error.get("message") or error.get("internal_message") or "error")
    return errors
