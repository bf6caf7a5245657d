"""The bank emulator speaks the bank's API: shapes (against the bank's OpenAPI file), listing rules,
authentication and presigned downloads, driven over loopback HTTP with requests."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import requests

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset

_OPTIONAL = {"attachments", "labels", "vat_details", "transfer", "income", "swift_income", "direct_debit",
             "check", "financing_installment", "pagopa_payment", "direct_debit_collection",
             "direct_debit_hold", "source"}


def _openapi_file() -> Path | None:
    """../shared/reference/qonto-openapi-v2.yml next to the repository root."""
    repo_root = Path(__file__).resolve().parents[1]
    for base in (repo_root, *repo_root.parents):
        candidate = base / "shared" / "reference" / "qonto-openapi-v2.yml"
        if candidate.is_file():
            return candidate
    return None


@pytest.fixture(scope="module")
def openapi() -> dict:
    path = _openapi_file()
    if path is None:
        pytest.skip("shared/reference/qonto-openapi-v2.yml is not available")
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _resolve(node: object, spec: dict) -> object:
    if isinstance(node, dict):
        if "$ref" in node:
            target: object = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]  # type: ignore[index]
            return _resolve(target, spec)
        return {k: _resolve(v, spec) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, spec) for v in node]
    return node


def _strict(schema: object, parent: str = "") -> object:
    """Every documented property becomes required (except embeds and conditional objects), so a
    missing field fails as well as a wrong type or an unexpected null."""
    if isinstance(schema, list):
        return [_strict(v, parent) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (_strict(v, k) if k not in ("properties",) else v) for k, v in schema.items()}
    if "properties" in schema:
        out["properties"] = {k: _strict(v, k) for k, v in schema["properties"].items()}
        names = ["status"] if parent == "probative_attachment" else [
            k for k in schema["properties"] if k not in _OPTIONAL]
        out["required"] = sorted(set(names) | set(schema.get("required", [])))
    return out


def _response_schema(spec: dict, path: str, status: str, method: str = "get") -> dict:
    response = spec["paths"][path][method]["responses"][status]
    return _strict(_resolve(copy.deepcopy(response["content"]["application/json"]["schema"]), spec))


def _validate(instance: object, schema: dict) -> None:
    from openapi_schema_validator import OAS30Validator

    errors = sorted(OAS30Validator(schema).iter_errors(instance), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def emu():
    with BankEmulator(make_sample_dataset(seed=1, large_receipt_sizes=())) as emulator:
        yield emulator


def get(emu: BankEmulator, path: str, **params: object) -> requests.Response:
    return requests.get(emu.url + path, params=params, headers=emu.auth_headers(), timeout=10)


def account_id(emu: BankEmulator, index: int = 0) -> str:
    return list(emu.dataset.accounts)[index]


def receipt_holder(emu: BankEmulator) -> tuple[str, str]:
    """(transaction id, attachment id) of a completed transaction with a receipt."""
    txn = next(t for t in emu.dataset.transactions.values() if t.attachment_ids and t.status == "completed")
    return txn.id, txn.attachment_ids[0]


def all_rows(emu: BankEmulator, **params: object) -> list[dict]:
    rows, page = [], 1
    while True:
        body = get(emu, "/v2/transactions", page=page, **params).json()
        rows += body["transactions"]
        if body["meta"]["next_page"] is None:
            return rows
        page = body["meta"]["next_page"]


# -- shapes -----------------------------------------------------------------------------------

def _shape_cases(emu: BankEmulator):
    txn_id, att_id = receipt_holder(emu)
    acc = account_id(emu)
    return {
        "organization": (get(emu, "/v2/organization"), "/v2/organization", "200"),
        "transactions_with_attachments": (
            get(emu, "/v2/transactions", bank_account_id=acc, **{"includes[]": "attachments"},
                **{"status[]": ["pending", "declined", "completed"]}), "/v2/transactions", "200"),
        "transaction": (get(emu, f"/v2/transactions/{txn_id}", **{"includes[]": "attachments"}),
                        "/v2/transactions/{id}", "200"),
        "transaction_attachments": (get(emu, f"/v2/transactions/{txn_id}/attachments"),
                                    "/v2/transactions/{id}/attachments", "200"),
        "attachment": (get(emu, f"/v2/attachments/{att_id}"), "/v2/attachments/{id}", "200"),
        "error_401": (requests.get(emu.url + "/v2/organization", headers={"Authorization": "x:y"}),
                      "/v2/organization", "401"),
        "error_404_attachments": (get(emu, "/v2/transactions/nope/attachments"),
                                  "/v2/transactions/{id}/attachments", "404"),
        "error_400_sort": (get(emu, "/v2/transactions", bank_account_id=acc, sort_by="amount:asc"),
                           "/v2/transactions", "400"),
        "error_422_missing_account": (get(emu, "/v2/transactions"), "/v2/transactions", "422"),
    }


@pytest.mark.parametrize("case", ["organization", "transactions_with_attachments", "transaction",
                                  "transaction_attachments", "attachment", "error_401",
                                  "error_404_attachments", "error_400_sort", "error_422_missing_account"])
def test_given_sample_data_when_endpoint_answers_then_body_matches_bank_openapi_schema(emu, openapi, case):
    response, path, status = _shape_cases(emu)[case]
    assert response.status_code == int(status)
    assert response.headers["Content-Type"].startswith("application/json")
    _validate(response.json(), _response_schema(openapi, path, status))


def test_given_sample_data_when_listing_bank_accounts_then_items_match_organization_account_schema(emu, openapi):
    org_schema = _response_schema(openapi, "/v2/organization", "200")
    item_schema = org_schema["properties"]["organization"]["properties"]["bank_accounts"]["items"]
    item_schema["required"] = [n for n in item_schema["required"] if n != "slug"]  # /v2/bank_accounts has no slug
    body = get(emu, "/v2/bank_accounts").json()
    assert len(body["bank_accounts"]) == 3
    for item in body["bank_accounts"]:
        _validate(item, item_schema)
    _validate(body["meta"], _strict(openapi["components"]["schemas"]["Pagination"]))
    single = get(emu, f"/v2/bank_accounts/{body['bank_accounts'][1]['id']}").json()["bank_account"]
    assert single == body["bank_accounts"][1]


def test_given_bank_accounts_when_listing_then_closed_accounts_are_included_everywhere(emu):
    statuses = [a["status"] for a in get(emu, "/v2/organization").json()["organization"]["bank_accounts"]]
    assert sorted(statuses) == ["active", "active", "closed"]
    assert [a["status"] for a in get(emu, "/v2/bank_accounts").json()["bank_accounts"]] == statuses


def test_given_unknown_transaction_when_fetched_then_404_is_plain_text_space(emu):
    response = get(emu, "/v2/transactions/00000000-0000-4000-8000-000000000000")
    assert (response.status_code, response.text) == (404, " ")
    assert response.headers["Content-Type"].startswith("text/plain")


def test_given_listing_with_attachments_when_raw_json_read_then_url_ampersands_are_rails_escaped(emu):
    response = get(emu, "/v2/transactions", bank_account_id=account_id(emu), with_attachments="true",
                   **{"includes[]": "attachments"})
    assert "\\u0026X-Amz-Expires=1800" in response.text
    assert "&" not in response.text
    assert all(t["attachment_ids"] for t in response.json()["transactions"])


def test_given_error_when_answered_then_trace_id_header_matches_body(emu):
    response = requests.get(emu.url + "/v2/organization", headers={"Authorization": "a:b"}, timeout=10)
    assert response.headers["X-Tyk-Trace-Id"] == response.json()["trace_id"]


# -- pagination ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode,param,expected_page", [
    ("both", "page", 2), ("both", "current_page", 2),
    ("page", "page", 2), ("page", "current_page", 1),
    ("current_page", "current_page", 2), ("current_page", "page", 1),
], ids=lambda v: str(v))
def test_given_pagination_mode_when_page_param_sent_then_only_honoured_names_move_the_page(mode, param, expected_page):
    with BankEmulator(make_sample_dataset(seed=1, large_receipt_sizes=()), pagination=mode) as emulator:
        body = get(emulator, "/v2/transactions", bank_account_id=account_id(emulator), per_page=5,
                   **{param: 2}).json()
    assert body["meta"]["current_page"] == expected_page


def test_given_many_rows_when_walking_pages_then_every_row_once_and_meta_consistent(emu):
    acc = account_id(emu)
    seen, page, metas = [], 1, []
    while page is not None:
        body = get(emu, "/v2/transactions", bank_account_id=acc, per_page=7, page=page).json()
        seen += [t["id"] for t in body["transactions"]]
        metas.append(body["meta"])
        page = body["meta"]["next_page"]
    total = metas[0]["total_count"]
    assert len(seen) == len(set(seen)) == total > 7
    assert metas[-1]["next_page"] is None and metas[-1]["current_page"] == metas[0]["total_pages"] == len(metas)
    assert [m["prev_page"] for m in metas[:2]] == [None, 1]
    assert all(m["per_page"] == 7 for m in metas)


@pytest.mark.parametrize("per_page,status,expected_per_page", [
    ("500", 200, 100), ("100", 200, 100), ("1", 200, 1), ("0", 422, None), ("abc", 422, None),
])
def test_given_per_page_when_listing_then_capped_at_100_or_rejected(per_page, status, expected_per_page):
    with BankEmulator(make_sample_dataset(seed=2, transactions=400, receipts=10,
                                          large_receipt_sizes=())) as emulator:
        response = get(emulator, "/v2/transactions", bank_account_id=account_id(emulator), per_page=per_page)
    assert response.status_code == status
    if expected_per_page:
        body = response.json()
        assert body["meta"]["per_page"] == expected_per_page == len(body["transactions"])


def test_given_page_past_the_end_when_listing_then_empty_with_no_next_page(emu):
    body = get(emu, "/v2/transactions", bank_account_id=account_id(emu), page=999).json()
    assert body["transactions"] == [] and body["meta"]["next_page"] is None


def test_given_iban_only_when_listing_then_same_rows_as_account_id(emu):
    acc = emu.dataset.accounts[account_id(emu)]
    by_iban = get(emu, "/v2/transactions", iban=acc.iban).json()["meta"]["total_count"]
    assert by_iban == get(emu, "/v2/transactions", bank_account_id=acc.id).json()["meta"]["total_count"] > 0


# -- status filter ---------------------------------------------------------------------------------

def test_given_no_status_param_when_listing_then_only_completed_rows(emu):
    rows = all_rows(emu, bank_account_id=account_id(emu))
    assert rows and {t["status"] for t in rows} == {"completed"}


def test_given_multi_mode_when_three_statuses_asked_then_all_three_returned(emu):
    rows = all_rows(emu, bank_account_id=account_id(emu), **{"status[]": ["pending", "declined", "completed"]})
    assert {t["status"] for t in rows} == {"pending", "declined", "completed"}


def test_given_single_mode_when_three_statuses_asked_then_only_the_first_is_honoured():
    with BankEmulator(make_sample_dataset(seed=1, large_receipt_sizes=()), status_filter="single") as emulator:
        rows = all_rows(emulator, bank_account_id=account_id(emulator),
                        **{"status[]": ["pending", "declined", "completed"]})
    assert rows and {t["status"] for t in rows} == {"pending"}


def test_given_unknown_status_when_listing_then_400_status_invalid_with_message(emu):
    response = get(emu, "/v2/transactions", bank_account_id=account_id(emu), **{"status[]": "lost"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {"code": "status_invalid", "message": "At least one status isn't valid"}


@pytest.mark.parametrize("reversed_filter", ["listed", "rejected"])
def test_given_a_pending_payment_reversed_when_reversed_rows_asked_then_listed_or_refused_per_switch(reversed_filter):
    with BankEmulator(make_sample_dataset(seed=1, large_receipt_sizes=()), reversed_filter=reversed_filter) as emulator:
        pending = next(t for t in emulator.dataset.transactions.values() if t.status == "pending")
        before = pending.updated_ms
        emulator.reverse(pending.id)
        response = get(emulator, "/v2/transactions", bank_account_id=pending.bank_account_id,
                       **{"status[]": ["pending", "reversed"]})
        if reversed_filter == "rejected":
            assert response.status_code == 400 and response.json()["errors"][0]["code"] == "status_invalid"
            return
        (row,) = [t for t in response.json()["transactions"] if t["status"] == "reversed"]
        assert row["id"] == pending.id and row["settled_at"] is None and row["attachment_ids"] == pending.attachment_ids
        assert pending.updated_ms > before


# -- updated_at window and sorting -----------------------------------------------------------------

def test_given_updated_at_window_when_listing_asc_then_bounds_inclusive_and_sorted(emu):
    acc = account_id(emu)
    everything = all_rows(emu, bank_account_id=acc, sort_by="updated_at:asc")
    stamps = [t["updated_at"] for t in everything]
    assert stamps == sorted(stamps)
    low, high = stamps[3], stamps[-4]
    window = all_rows(emu, bank_account_id=acc, sort_by="updated_at:asc", updated_at_from=low, updated_at_to=high)
    assert window[0]["updated_at"] == low and window[-1]["updated_at"] == high
    assert [t["id"] for t in window] == [t["id"] for t in everything if low <= t["updated_at"] <= high]


def test_given_default_sort_when_listing_then_settled_at_descending(emu):
    rows = all_rows(emu, bank_account_id=account_id(emu))
    settled = [t["settled_at"] for t in rows]
    assert settled == sorted(settled, reverse=True)


@pytest.mark.parametrize("param,value,code", [
    ("updated_at_from", "2016-12-31T23:59:59.000Z", "date_invalid"),
    ("updated_at_to", "yesterday", "date_invalid"),
    ("emitted_at_from", "2025-13-01T00:00:00Z", "date_invalid"),
    ("sort_by", "updated_at", "sort_invalid"),
    ("sort_by", "amount:asc", "sort_invalid"),
])
def test_given_bad_filter_when_listing_then_400_with_message(emu, param, value, code):
    response = get(emu, "/v2/transactions", bank_account_id=account_id(emu), **{param: value})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["code"] == code and error["message"]
    if code == "date_invalid":
        assert param in error["message"]


def test_given_no_account_filter_when_listing_then_422_missing(emu):
    response = get(emu, "/v2/transactions")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {"code": "missing", "detail": "bank_account_id or iban is missing"}


def test_given_settled_window_when_listing_all_statuses_then_unsettled_rows_never_match(emu):
    rows = all_rows(emu, bank_account_id=account_id(emu), settled_at_from="2025-01-01T00:00:00Z",
                    **{"status[]": ["pending", "declined", "completed"]})
    assert rows and all(t["settled_at"] for t in rows)


# -- shapes without the OpenAPI file: the source's own schemas (present in every clone) -----------

def _source_schema(name: str) -> dict:
    import json

    return json.loads((Path(__file__).resolve().parents[1] / "source_bank_receipts" / "schemas" / f"{name}.json").read_text())


def test_given_listing_with_every_include_then_each_transaction_validates_and_every_field_is_declared(emu):
    from jsonschema import Draft7Validator

    schema = _source_schema("transactions")
    rows = get(emu, "/v2/transactions", bank_account_id=account_id(emu), per_page=100,
               **{"status[]": ["completed", "pending", "declined"], "includes[]": ["labels", "vat_details"]}).json()["transactions"]
    assert rows
    for row in rows:
        errors = list(Draft7Validator(schema).iter_errors(row))
        assert not errors, errors[0].message
        assert set(row) <= set(schema["properties"]), f"undeclared: {set(row) - set(schema['properties'])}"


def test_given_openapi_transaction_fields_then_all_declared_by_the_source_schema(openapi):
    declared = set(_source_schema("transactions")["properties"])
    documented = set(_resolve(openapi["components"]["schemas"], openapi).get("transaction", {}).get("properties", {})) or set(
        _response_schema(openapi, "/v2/transactions", "200")["properties"]["transactions"]["items"]["properties"])
    assert documented - {"attachments"} <= declared, f"undeclared: {documented - declared}"
    assert "cheque" not in declared and "check" in declared
