"""The installed console script, run as the platform runs it: spec, check, discover, read."""

from __future__ import annotations

import pytest

from integration_tests.emulators.bank import BankEmulator, make_sample_dataset

from .conftest import cli, configured_catalog_json, messages, of_type

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_emu():
    with BankEmulator(make_sample_dataset(seed=5, accounts=2, closed_accounts=1, transactions=40, receipts=10, large_receipt_sizes=())) as emulator:
        yield emulator


def test_given_spec_command_then_contract_fields_in_order_with_secrets_and_oauth(tmp_path):
    process = cli("spec")

    spec = of_type(process, "SPEC")[0]["spec"]
    properties = spec["connectionSpecification"]["properties"]
    assert list(properties) == ["credentials", "start_date", "environment", "staging_token", "api_url", "bank_account_ids", "probative_copies", "stall_timeout_minutes"]
    assert [properties[name]["order"] for name in properties] == list(range(8))
    assert properties["stall_timeout_minutes"]["default"] == 30
    api_key, oauth = properties["credentials"]["oneOf"]
    assert api_key["properties"]["auth_type"]["const"] == "api_key" and api_key["properties"]["secret_key"]["airbyte_secret"]
    assert oauth["properties"]["auth_type"]["const"] == "oauth2.0"
    assert all(oauth["properties"][f]["airbyte_secret"] for f in ("client_secret", "refresh_token", "access_token"))
    assert properties["staging_token"]["airbyte_secret"]
    assert properties["environment"]["always_show"] and properties["staging_token"]["always_show"]
    assert properties["api_url"]["pattern_descriptor"]
    assert spec["documentationUrl"].endswith("/docs/sources/bank-receipts.md")
    sandbox_rule = spec["connectionSpecification"]
    assert sandbox_rule["if"]["properties"]["environment"]["const"] == "sandbox" and sandbox_rule["then"]["required"] == ["staging_token"]
    assert spec["advanced_auth"]["predicate_key"] == ["credentials", "auth_type"]
    urls = str(spec["advanced_auth"]["oauth_config_specification"]["oauth_connector_input_specification"])
    assert "https://oauth.qonto.com" in urls and "https://oauth-sandbox.staging.qonto.co" in urls


def test_given_valid_config_when_check_then_succeeded(small_emu, tmp_path):
    process = cli("check", config=small_emu.source_config(), tmp_path=tmp_path)

    assert of_type(process, "CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"


def test_given_wrong_secret_when_check_then_failed_without_secret_or_traceback(small_emu, tmp_path):
    config = small_emu.source_config(credentials={**small_emu.api_key_credentials(), "secret_key": "bad-secret-4242"})

    process = cli("check", config=config, tmp_path=tmp_path)

    status = of_type(process, "CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "credentials.secret_key" in status["message"]
    assert "bad-secret-4242" not in process.stdout + process.stderr and "Traceback" not in process.stdout


SECRET = "Zq9-very-secret-42"


@pytest.mark.parametrize(
    "credentials, extra",
    [
        pytest.param(f"acme-1:{SECRET}", {}, id="credentials-as-slug-secret-string"),
        pytest.param([SECRET], {}, id="credentials-as-list"),
        pytest.param({"auth_type": "api_key", "organization_slug": "acme-1", "secret_key": f"with space {SECRET}"}, {}, id="secret-breaking-its-pattern"),
        pytest.param({"auth_type": "oauth2.0", "client_id": 42, "client_secret": SECRET, "refresh_token": SECRET}, {}, id="oauth-field-of-wrong-type"),
        pytest.param({"auth_type": "api_key", "organization_slug": "acme-1", "secret_key": "x"}, {"environment": "sandbox", "staging_token": 7}, id="staging-token-of-wrong-type"),
        pytest.param({"auth_type": "api_key", "organization_slug": "acme-1", "secret_key": SECRET}, {"staging_token": {"value": SECRET}, "environment": "sandbox"}, id="staging-token-as-object"),
    ],
)
def test_given_secret_in_unexpected_shape_when_check_then_config_error_without_the_secret(small_emu, tmp_path, credentials, extra):
    config = {**small_emu.source_config(), "credentials": credentials, **extra}

    process = cli("check", config=config, tmp_path=tmp_path)

    status = of_type(process, "CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and status["message"]
    assert SECRET not in process.stdout + process.stderr and "Traceback" not in process.stdout


def test_given_sandbox_without_staging_token_when_check_then_config_error_names_the_field(small_emu, tmp_path):
    process = cli("check", config=small_emu.source_config(environment="sandbox"), tmp_path=tmp_path)

    status = of_type(process, "CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "staging_token is required" in status["message"]


def test_given_config_missing_start_date_when_check_then_failed_by_spec_validation(small_emu, tmp_path):
    config = small_emu.source_config()
    del config["start_date"]

    process = cli("check", config=config, tmp_path=tmp_path)

    status = of_type(process, "CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "start_date" in status["message"]


def test_given_a_config_the_source_rejects_when_discover_then_exactly_one_readable_trace_error(small_emu, tmp_path):
    # a failure outside `read` (no error from the CDK first) still reaches the caller, once
    process = cli("discover", config=small_emu.source_config(start_date="last year"), tmp_path=tmp_path)

    assert process.returncode != 0
    (error,) = [m["trace"]["error"] for m in of_type(process, "TRACE") if m["trace"]["type"] == "ERROR"]
    assert "start_date 'last year' is not a date" in error["message"] and "Traceback" not in error["message"]


def test_given_discover_then_streams_keys_and_cursors(small_emu, tmp_path):
    process = cli("discover", config=small_emu.source_config(), tmp_path=tmp_path)

    streams = {s["name"]: s for s in of_type(process, "CATALOG")[0]["catalog"]["streams"]}
    assert set(streams) == {"bank_accounts", "transactions", "receipts", "receipt_index"}
    assert streams["transactions"]["default_cursor_field"] == ["updated_at"] and streams["transactions"]["source_defined_cursor"]
    assert streams["receipts"]["source_defined_primary_key"] == [["attachment_id"], ["variant"], ["chunk_index"]]
    assert streams["receipt_index"]["source_defined_primary_key"] == [["attachment_id"]]
    assert streams["bank_accounts"]["supported_sync_modes"] == ["full_refresh"]
    assert "incremental" in streams["receipts"]["supported_sync_modes"]


def test_given_read_command_then_records_then_states_and_no_signed_url_in_logs(small_emu, tmp_path):
    process = cli("read", config=small_emu.source_config(), tmp_path=tmp_path, extra={"catalog": configured_catalog_json()})

    assert process.returncode == 0, process.stderr[-2000:]
    kinds = [m["type"] for m in messages(process)]
    assert "RECORD" in kinds and "STATE" in kinds
    logs = " ".join(m["log"]["message"] for m in of_type(process, "LOG"))
    assert "X-Amz-Signature" not in logs and small_emu.secret_key not in process.stdout


def test_given_debug_logging_when_read_then_no_signed_url_or_secret_in_logs(small_emu, tmp_path):
    # --debug turns on the HTTP client's request/response logging; listing pages embed the
    # presigned download URLs, whose signature is a credential.
    process = cli("read", "--debug", config=small_emu.source_config(), tmp_path=tmp_path, extra={"catalog": configured_catalog_json(["receipts"])})

    assert process.returncode == 0, process.stderr[-2000:]
    assert of_type(process, "RECORD")
    logs = [line for line in process.stdout.splitlines() if '"type": "RECORD"' not in line and '"type":"RECORD"' not in line]
    assert any("Making outbound API request" in line for line in logs), "debug logging was on"
    assert not [line[:300] for line in logs if "X-Amz-Signature" in line]
    assert small_emu.secret_key not in process.stdout + process.stderr


def test_given_oauth_when_read_then_rotated_refresh_token_reaches_the_platform(small_emu, tmp_path):
    credentials = small_emu.oauth_credentials()
    config = small_emu.source_config(credentials=credentials)

    process = cli("read", config=config, tmp_path=tmp_path, extra={"catalog": configured_catalog_json(["bank_accounts"])})

    controls = of_type(process, "CONTROL")
    assert controls, process.stdout[-2000:]
    stored = controls[-1]["control"]["connectorConfig"]["config"]
    assert stored["credentials"]["refresh_token"] != credentials["refresh_token"]
    assert stored["start_date"] == config["start_date"], "the whole config is stored back"
    assert of_type(process, "RECORD")
    again = cli("check", config=stored, tmp_path=tmp_path)
    assert of_type(again, "CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"


def test_given_rejected_refresh_token_when_check_then_failed_with_reauthorize_hint(small_emu, tmp_path):
    config = small_emu.source_config(credentials={**small_emu.oauth_credentials(), "refresh_token": "ory_rt_revoked"})

    process = cli("check", config=config, tmp_path=tmp_path)

    status = of_type(process, "CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "ory_rt_revoked" not in process.stdout


def test_given_sandbox_with_staging_token_when_check_then_succeeded_and_without_it_clear_error(tmp_path):
    with BankEmulator(make_sample_dataset(seed=6, transactions=10, receipts=2, large_receipt_sizes=()), sandbox=True) as emu:
        good = emu.source_config(environment="sandbox", staging_token=emu.staging_token)
        bad = emu.source_config(environment="sandbox", staging_token="not-the-token")

        ok = cli("check", config=good, tmp_path=tmp_path)
        refused = cli("check", config=bad, tmp_path=tmp_path)

    assert of_type(ok, "CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"
    status = of_type(refused, "CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED" and "staging token is missing or invalid" in status["message"]


def test_given_a_backfill_of_several_windows_when_read_then_the_receipts_to_send_are_logged_before_any_is_sent(small_emu, tmp_path):
    process = cli("read", config=small_emu.source_config(start_date="2025-01-01"), tmp_path=tmp_path,
                  extra={"catalog": configured_catalog_json(["receipts"])})

    assert process.returncode == 0, process.stdout[-2000:]
    stream = messages(process)
    totals = [i for i, m in enumerate(stream) if m["type"] == "LOG" and m["log"]["message"].startswith("Receipts to send: ")]
    chunks = [m["record"]["data"] for m in stream if m["type"] == "RECORD" and m["record"]["stream"] == "receipts"]
    first_record = next(i for i, m in enumerate(stream) if m["type"] == "RECORD")
    assert chunks and totals and totals[0] < first_record   # a running total before the first file
    assert len(totals) > 2, "one line per window listed: a running total"
    final = stream[totals[-1]]["log"]["message"]
    files = {(c["attachment_id"], c["variant"]): c["size"] for c in chunks}
    windows = int(final.split(" in all ")[1].split()[0])
    assert final == f"Receipts to send: {len(files)} ({sum(files.values())} bytes) in all {windows} receipt windows: the total of this sync"
    assert sum("the total of this sync" in stream[i]["log"]["message"] for i in totals) == 1
