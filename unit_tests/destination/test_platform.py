"""What a write job means (platform.meaning) and which stream is which (routing.route): table-driven.

The catalogs are shaped like those airbytehq/airbyte-platform sends (CatalogGenerationSetter.kt,
DefaultProtocolSerializer.kt, CatalogTransforms.kt), see docs/stream-contract.md#platform-signals.
"""

from __future__ import annotations

import pytest
from airbyte_cdk.models import ConfiguredAirbyteCatalogSerializer

from destination_gdrive_receipts.platform import meaning
from destination_gdrive_receipts.routing import RoutingError, route

STREAMS = ("bank_accounts", "transactions", "receipts", "receipt_index")


def catalog(receipts: dict, index: dict | None = None, *, prefix: str = "", only: tuple[str, ...] = STREAMS):
    streams = []
    for name in only:
        incremental = name == "receipts"   # the recommended setup; the others are full refresh | overwrite
        extra = dict(receipts if name == "receipts" else (index or {}) if name == "receipt_index" else {})
        streams.append({"stream": {"name": prefix + name, "json_schema": {"type": "object"},
                                   "supported_sync_modes": ["full_refresh", "incremental"]},
                        "sync_mode": extra.pop("sync_mode", "incremental" if incremental else "full_refresh"),
                        "destination_sync_mode": extra.pop("mode", "append" if incremental else "overwrite"), **extra})
    return ConfiguredAirbyteCatalogSerializer.load({"streams": streams})


def gens(generation, minimum, **more):
    return {"generation_id": generation, "minimum_generation_id": minimum, "sync_id": 7, **more}


@pytest.mark.parametrize("case, receipts, index, last, resets", [
    ("nightly sync, no refresh support (no generations)", {}, None, None, False),
    ("nightly sync with refresh support: receipt_index bumped and truncated, receipts kept",
     gens(3, 0), gens(41, 41, sync_mode="full_refresh"), 3, False),
    ("refresh and retain records of receipts", gens(4, 0), gens(42, 42, sync_mode="full_refresh"), 3, False),
    ("refresh and remove records of receipts (overwrite sent as append)", gens(4, 4), gens(42, 42), 3, True),
    ("manifest written by 0.1.0 (it kept receipt_index's generation)", gens(4, 4), gens(42, 42), 41, True),
    ("second attempt of that refresh: already applied", gens(4, 4), gens(43, 43), 4, False),
    ("clear data with refresh support", gens(5, 5, sync_mode="full_refresh"), None, 4, True),
    ("clear data / reset without refresh support", {"sync_mode": "full_refresh", "mode": "overwrite"}, None, None, True),
    ("receipts configured full refresh | overwrite, no refresh support", {"sync_mode": "full_refresh", "mode": "overwrite"},
     None, None, True),
    ("receipts full refresh | overwrite with refresh support: every sync", gens(8, 8, sync_mode="full_refresh"), None, 7,
     True),
    ("first sync of a new connection (generation 0, minimum 0)", gens(0, 0), gens(0, 0), None, False),
    ("PyAirbyte: generation 1, minimum 1 on every run", gens(1, 1), gens(1, 1), 1, False),
    ("PyAirbyte's first run over a manifest without generation", gens(1, 1), gens(1, 1), None, False),
    ("append_dedup for receipts", {"mode": "append_dedup"}, None, None, False),
])
def test_given_platform_catalog_when_read_then_only_a_truncating_change_of_receipts_resets(case, receipts, index, last,
                                                                                           resets):
    cat = catalog(dict(receipts), dict(index) if index else None)
    assert meaning(cat, route((s.stream.name, s.stream.json_schema) for s in cat.streams)).resets(last) is resets


@pytest.mark.parametrize("only, truncates", [
    (("receipt_index",), False),       # clear data of receipt_index alone: not a reset of receipts
    (("bank_accounts", "receipts"), True),
])
def test_given_clear_job_of_some_streams_when_read_then_receipts_decides(only, truncates):
    cat = catalog({"sync_mode": "full_refresh", "mode": "overwrite"}, {"sync_mode": "full_refresh", "mode": "overwrite"},
                  only=only)
    assert meaning(cat, route((s.stream.name, s.stream.json_schema) for s in cat.streams)).resets(None) is truncates


def test_given_prefixed_catalog_when_read_then_the_prefixed_receipts_stream_decides():
    cat = catalog(gens(2, 2), prefix="qonto_")
    routing = route((s.stream.name, s.stream.json_schema) for s in cat.streams)
    assert meaning(cat, routing).resets(1) is True
    assert routing.role("qonto_receipts") == "receipts" and routing.role("qonto_receipt_index") == "receipt_index"


@pytest.mark.parametrize("names, roles", [
    (["receipts", "receipt_index"], {"receipts": "receipts", "receipt_index": "receipt_index"}),
    (["qonto_receipts", "qonto_receipt_index", "qonto_bank_accounts", "qonto_transactions"],
     {"qonto_receipts": "receipts", "qonto_receipt_index": "receipt_index", "qonto_bank_accounts": "bank_accounts",
      "qonto_transactions": "transactions"}),
    (["bank-receipts", "x.receipt_index", "notes"], {"bank-receipts": "receipts", "x.receipt_index": "receipt_index"}),
    ([], {}),
])
def test_given_stream_names_when_routed_then_each_gets_its_contract_role(names, roles):
    assert dict(route((n, None) for n in names).roles) == roles


@pytest.mark.parametrize("names, words", [
    (["orders", "customers"], ["orders", "customers", "receipts"]),
    (["a_receipts", "b_receipts", "receipt_index"], ["a_receipts", "b_receipts", "Several"]),
    (["bank_accounts", "transactions"], ["bank_accounts", "transactions"]),
])
def test_given_unrecognisable_catalog_when_routed_then_config_error_names_the_streams(names, words):
    with pytest.raises(RoutingError) as caught:
        route((n, None) for n in names)
    assert all(w in str(caught.value) for w in words)


def test_given_schema_without_receipt_fields_when_routed_then_name_alone_does_not_make_it_receipts():
    schema = {"type": "object", "properties": {"id": {}, "total": {}}}
    with pytest.raises(RoutingError):
        route([("shop_receipts", schema)])
    ok = {"type": "object", "properties": {"content_base64": {}, "chunk_index": {}, "attachment_id": {}}}
    assert route([("shop_receipts", ok)]).role("shop_receipts") == "receipts"
