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


def configured_catalog(streams: list[dict], names: Iterable[str] | None = None,
                       full_refresh: bool = False) -> dict:
    """The catalog the pair gets (tools.catalog: the streams the destination files), or the named
    streams when given; full_refresh=True reads them all without cursor."""
    from tools.catalog import FILED_STREAMS, configured_catalog as pair_catalog
    wanted = set(FILED_STREAMS if names is None else names)
    missing = wanted - {s["name"] for s in streams}
    if missing:
        raise ValueError(f"streams not offered by the connector: {sorted(missing)}")
    chosen = pair_catalog({"streams": streams}, wanted)["streams"]
    if full_refresh:
        for configured in chosen:
            configured.pop("cursor_field", None)
            configured.update(sync_mode="full_refresh", destination_sync_mode="overwrite")
    return {"streams": chosen}


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
