"""The emulated platform itself: the catalogs and messages it sends are the platform's (no processes run)."""

from __future__ import annotations

import json

import pytest

from integration_tests.platform.driver import Job, PlatformConnection, _empty_source

CATALOG = {"streams": [
    {"stream": {"name": "bank_accounts"}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"},
    {"stream": {"name": "receipts"}, "sync_mode": "incremental", "destination_sync_mode": "append"},
    {"stream": {"name": "receipt_index"}, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"},
]}


def streams_of(catalog):
    return {s["stream"]["name"]: (s["sync_mode"], s["destination_sync_mode"], s.get("generation_id"),
                                  s.get("minimum_generation_id")) for s in catalog["streams"]}


def next_catalog(connection, job):
    connection._bump_generations(job)
    job.attempts += 1
    return streams_of(connection._destination_catalog(job))


@pytest.mark.parametrize("supports", [True, False])
def test_given_nightly_syncs_when_driven_then_full_refresh_generations_rise_and_receipts_keep_theirs(supports, tmp_path):
    connection = PlatformConnection(tmp_path, CATALOG, supports_refreshes=supports)
    first, second = next_catalog(connection, Job("sync", id=1)), next_catalog(connection, Job("sync", id=2))
    if supports:
        assert first["receipt_index"] == ("full_refresh", "append", 1, 1)       # overwrite sent as append
        assert second["receipt_index"] == ("full_refresh", "append", 2, 2)
        assert second["receipts"] == ("incremental", "append", 0, 0)
    else:
        assert second["receipt_index"] == ("full_refresh", "overwrite", None, None)
        assert second["receipts"] == ("incremental", "append", None, None)


def test_given_refreshes_when_driven_then_remove_truncates_and_retain_does_not(tmp_path):
    connection = PlatformConnection(tmp_path, CATALOG)
    connection.state = [{"type": "STREAM", "stream": {"stream_descriptor": {"name": "receipts"}, "stream_state": {"c": 1}}}]
    assert next_catalog(connection, Job("refresh", frozenset({"receipts"}), truncate=False))["receipts"][2:] == (1, 0)
    assert connection.state == []                                       # a refresh starts the stream over
    assert next_catalog(connection, Job("refresh", frozenset({"receipts"}), truncate=True))["receipts"][2:] == (2, 2)


@pytest.mark.parametrize("supports, mode", [(True, "append"), (False, "overwrite")])
def test_given_clear_of_receipts_when_driven_then_only_that_stream_is_sent_truncated(supports, mode, tmp_path):
    connection = PlatformConnection(tmp_path, CATALOG, supports_refreshes=supports, prefix="q_")
    sent = next_catalog(connection, Job("clear", frozenset({"receipts"})))
    assert list(sent) == ["q_receipts"]
    assert sent["q_receipts"][:2] == ("full_refresh", mode)
    assert sent["q_receipts"][2:] == ((1, 1) if supports else (None, None))


def test_given_prefix_when_messages_forwarded_then_records_states_and_statuses_are_renamed_and_states_reverted(tmp_path):
    connection = PlatformConnection(tmp_path, CATALOG, prefix="q_")
    record = json.dumps({"type": "RECORD", "record": {"stream": "receipts", "data": {}, "emitted_at": 1}}).encode()
    assert json.loads(connection._map_line(record))["record"]["stream"] == "q_receipts"
    started, state, complete = [json.loads(connection._map_line(line)) for line in _empty_source({"receipts"})]
    assert started["trace"]["stream_status"]["stream_descriptor"]["name"] == "q_receipts"
    assert state["state"]["stream"]["stream_state"] is None            # EmptyAirbyteSource's null state
    assert state["state"]["stream"]["stream_descriptor"]["name"] == "q_receipts"
    assert connection._revert(state["state"])["stream"]["stream_descriptor"]["name"] == "receipts"
