"""The pure parts of the runners: counting a sync, building a catalog, carrying state, `make sync` errors."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from integration_tests.e2e.harness import latest_states
from integration_tests.emulators.bank.sample import recent_window
from tools.sync_history import one_line
from tools import local_sync
from tools.catalog import configured_catalog
from tools.pyairbyte_sync import strip_notes
from tools.sync_report import (
    SyncTally,
    Throttle,
    decoded_size,
    human_bytes,
    outcome_text,
    parse_destination_counts,
    summary_lines,
)


@pytest.mark.parametrize(
    "raw", [b"", b"a", b"ab", b"abc", b"abcd", bytes(range(256)) * 3], ids=["empty", "1", "2", "3", "4", "768"]
)
def test_given_base64_text_when_measuring_then_decoded_size_matches_the_raw_length(raw):
    assert decoded_size(base64.b64encode(raw).decode()) == len(raw)


@pytest.mark.parametrize(
    "size, text", [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (3 * 1024**2, "3.0 MiB"), (5 * 1024**4, "5120.0 GiB")]
)
def test_given_byte_counts_when_formatting_then_units_are_binary(size, text):
    assert human_bytes(size) == text


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            "Progress: uploaded 12, updated 0, restored 1, moved 2, skipped 3, skipped deleted folder 2, "
            "skipped expired url 0, 1048576 bytes uploaded",
            {"uploaded": 12, "updated": 0, "restored": 1, "moved": 2, "skipped": 3,
             "skipped_deleted_folder": 2, "skipped_expired_url": 0, "bytes_uploaded": 1048576},
        ),
        ("Summary: uploaded 0, skipped 7, 0 bytes uploaded, 3 Drive write requests",
         {"uploaded": 0, "skipped": 7, "bytes_uploaded": 0, "drive_writes": 3}),
        ("Drive quota: 15 GiB free", None),
        ("Creating folder 2025-04 for 3 receipts", None),
    ],
    ids=["progress", "summary", "unrelated", "numbers-without-counters"],
)
def test_given_destination_log_lines_when_parsing_then_only_receipt_counters_are_taken(line, expected):
    assert parse_destination_counts(line) == expected


def test_given_skips_with_reasons_when_summarising_then_reasons_are_spelled_out():
    text = outcome_text({"uploaded": 1, "skipped": 4, "skipped_deleted_folder": 3, "skipped_expired_url": 0})
    assert text == "uploaded 1, updated 0, skipped 4 (3 in deleted folders), restored 0, moved 0"


def _record(stream: str, **data) -> dict:
    return {"type": "RECORD", "record": {"stream": stream, "data": data}}


def test_given_a_finished_sync_when_summarising_then_every_count_is_on_its_own_line():
    tally = SyncTally()
    tally.observe_source(_record("bank_accounts", id="a"))
    tally.observe_destination({"type": "LOG", "log": {"message": "Summary: uploaded 1, skipped 2, 2048 bytes uploaded, 4 Drive write requests"}})
    lines = summary_lines(tally, 12.34)
    assert lines == [
        "records read:   1",
        "  bank_accounts 1",
        "receipts read:  0 (0 B) sent to Drive",
        "in Drive:       uploaded 1, updated 0, skipped 2, restored 0, moved 0",
        "Drive writes:   4 (2.0 KiB uploaded)",
        "states saved:   0",
        "time:           12.3 s",
    ]


def test_given_chunked_receipts_when_tallying_then_files_count_once_and_bytes_add_up():
    tally = SyncTally()
    chunk = base64.b64encode(b"x" * 30).decode()
    for message in [
        _record("bank_accounts", id="a"),
        _record("receipts", chunk_index=0, chunk_count=2, content_base64=chunk),
        _record("receipts", chunk_index=1, chunk_count=2, content_base64=chunk),
        _record("receipts", chunk_index=0, chunk_count=1, content_base64=""),
        {"type": "STATE", "state": {}},
        {"type": "LOG", "log": {"level": "INFO", "message": "hello"}},
    ]:
        tally.observe_source(message)
    tally.observe_destination({"type": "STATE", "state": {}})
    tally.observe_destination({"type": "LOG", "log": {"message": "Progress: uploaded 2, skipped 0"}})

    assert (tally.receipt_files, tally.receipt_bytes) == (2, 60)
    assert tally.records == {"bank_accounts": 1, "receipts": 3}
    assert tally.states_confirmed == 1
    assert tally.outcomes == {"uploaded": 2, "skipped": 0}
    assert "receipts 2 (3 chunks)" in tally.progress_line() and "60 B of receipts" in tally.progress_line()
    assert "  receipts      2 (3 chunks)" in summary_lines(tally, 1.0)      # the same words in the summary


def test_given_a_clock_when_throttling_progress_then_lines_are_spaced():
    now = [0.0]
    lines: list[str] = []
    throttle = Throttle(lines.append, every=5, clock=lambda: now[0])
    for t in (1, 4, 5, 6, 10.5):
        now[0] = t
        throttle.maybe(lambda: f"t={now[0]}")
    assert lines == ["t=5", "t=10.5"]


def test_given_templates_with_notes_when_stripping_then_only_underscore_keys_go_at_every_level():
    config = {"_comment": "x", "a": 1, "credentials": {"_hint": "y", "k": "v"}, "share_with": [{"email": "e"}]}
    assert strip_notes(config) == {"a": 1, "credentials": {"k": "v"}, "share_with": [{"email": "e"}]}


def test_given_discovered_streams_when_configuring_then_incremental_where_supported_else_full_refresh():
    discovered = {"streams": [
        {"name": "bank_accounts", "json_schema": {}, "supported_sync_modes": ["full_refresh"],
         "source_defined_primary_key": [["id"]]},
        {"name": "receipts", "json_schema": {}, "supported_sync_modes": ["full_refresh", "incremental"],
         "source_defined_cursor": True, "default_cursor_field": ["updated_at"],
         "source_defined_primary_key": [["attachment_id"], ["variant"], ["chunk_index"]]},
    ]}
    modes = {s["stream"]["name"]: (s["sync_mode"], s["destination_sync_mode"]) for s in configured_catalog(discovered)["streams"]}
    assert modes == {"bank_accounts": ("full_refresh", "overwrite"), "receipts": ("incremental", "append")}


def _stream_state(name: str, value: int) -> dict:
    return {"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": {"v": value}}}


@pytest.mark.parametrize(
    "previous, echoed, expected",
    [
        ([], [_stream_state("a", 1), _stream_state("a", 2)], [_stream_state("a", 2)]),
        ([_stream_state("a", 1), _stream_state("b", 1)], [_stream_state("b", 2)], [_stream_state("a", 1), _stream_state("b", 2)]),
        ([_stream_state("a", 1)], [], [_stream_state("a", 1)]),
        ([_stream_state("a", 1)], [{"type": "GLOBAL", "global": {}}], [{"type": "GLOBAL", "global": {}}]),
    ],
    ids=["last-per-stream", "untouched-stream-kept", "nothing-confirmed", "global-replaces"],
)
def test_given_confirmed_states_when_preparing_next_read_then_last_per_stream_is_kept(previous, echoed, expected):
    assert latest_states(previous, echoed) == expected


def test_given_empty_secrets_dir_when_make_sync_then_it_explains_what_to_copy_and_exits_2(tmp_path, capsys):
    assert local_sync.main(["--secrets", str(tmp_path), "--state-dir", str(tmp_path / "state")]) == 2
    err = capsys.readouterr().err
    assert "source.json, " in err and "destination.json are missing" in err
    assert f"cp {tmp_path}/source.template.json {tmp_path}/source.json" in err
    assert "Traceback" not in err


def test_given_broken_json_when_make_sync_then_it_names_the_file_and_line(tmp_path, capsys):
    (tmp_path / "source.json").write_text('{"start_date": "2025-01-01",\n}')
    (tmp_path / "destination.json").write_text("{}")
    assert local_sync.main(["--secrets", str(tmp_path), "--state-dir", str(tmp_path / "state")]) == 2
    assert f"{tmp_path}/source.json is not valid JSON (line 2" in capsys.readouterr().err


def test_given_a_sync_still_running_when_another_starts_then_it_refuses(tmp_path):
    with local_sync.single_run(tmp_path):
        with pytest.raises(local_sync.UsageError, match="Another sync is still running"):
            with local_sync.single_run(tmp_path):
                pass


def test_given_discovered_streams_when_configuring_by_default_then_only_the_streams_the_destination_uses():
    discovered = {"streams": [
        {"name": name, "json_schema": {}, "supported_sync_modes": ["full_refresh"]}
        for name in ("bank_accounts", "transactions", "receipts", "receipt_index", "future_stream")
    ]}
    assert [s["stream"]["name"] for s in configured_catalog(discovered)["streams"]] == [
        "bank_accounts", "transactions", "receipts", "receipt_index"]    # transactions feeds the ledgers
    assert len(configured_catalog(discovered, None)["streams"]) == 5


def _trace_error(message: str) -> dict:
    return {"type": "TRACE", "trace": {"error": {"message": message}}}


@pytest.mark.parametrize("source_errors, destination_errors, cause", [
    ([], [], None),
    (["The bank refused the secret key (401): check it."], [], "bank side: The bank refused the secret key (401): check it."),
    ([], ["Google Drive is unreachable (ConnectionError). Check the network or drive_api_url."], None),
    (["first"], ["second"], "bank side: first"),
], ids=["none", "source", "destination", "first-wins"])
def test_given_connector_trace_errors_when_tallied_then_the_first_is_the_cause(source_errors, destination_errors,
                                                                              cause):
    tally = SyncTally()
    for text in source_errors:
        tally.observe_source(_trace_error(text))
    for text in destination_errors:
        tally.observe_destination(_trace_error(text))
    expected = cause or (f"Drive side: {destination_errors[0]}" if destination_errors else None)
    assert tally.cause == expected
    assert tally.records == {} and tally.outcomes == {}       # an error is not a record nor a count


@pytest.mark.parametrize("today, start, end", [
    (dt.date(2026, 12, 5), "2025-12-05", "2026-12-04"),
    (dt.date(2026, 1, 1), "2025-01-01", "2025-12-31"),
    (dt.date(2024, 3, 1), "2023-03-02", "2024-02-29"),       # a leap day stays in
])
def test_given_today_when_the_sample_window_is_computed_then_it_is_the_365_days_before(today, start, end):
    assert recent_window(today) == {"start": start, "end": end}


@pytest.mark.parametrize("text, limit, expected", [
    ("short", 20, "short"),
    ("Google Drive is unreachable (ConnectionError)", 25, "Google Drive is…"),
    ("a\nmulti   line\ttext", 50, "a multi line text"),
], ids=["fits", "word-boundary", "one-line"])
def test_given_a_long_message_when_shortened_then_it_is_cut_between_words(text, limit, expected):
    assert one_line(text, limit) == expected
