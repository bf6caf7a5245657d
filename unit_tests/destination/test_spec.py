import logging

from airbyte_cdk.models import DestinationSyncMode

from destination_gdrive_receipts import DestinationGdriveReceipts
from destination_gdrive_receipts.filing import layout

SPEC = DestinationGdriveReceipts().spec(logging.getLogger("test"))
PROPERTIES = SPEC.connectionSpecification["properties"]


def test_given_spec_when_read_then_oauth_asks_for_drive_file_scope_only():
    oauth = SPEC.advanced_auth.oauth_config_specification.oauth_connector_input_specification
    assert oauth.scope == "https://www.googleapis.com/auth/drive.file"
    assert "access_type=offline" in oauth.consent_url   # a refresh token is needed for nightly syncs
    assert SPEC.advanced_auth.predicate_key == ["credentials", "auth_type"]
    assert SPEC.advanced_auth.predicate_value == "oauth2.0"


def test_given_spec_when_read_then_all_three_destination_sync_modes_are_supported():
    assert set(SPEC.supported_destination_sync_modes) == {
        DestinationSyncMode.append, DestinationSyncMode.overwrite, DestinationSyncMode.append_dedup}


def test_given_spec_when_read_then_every_credential_value_is_a_secret():
    for variant in PROPERTIES["credentials"]["oneOf"]:
        secrets = {name for name, field in variant["properties"].items() if field.get("airbyte_secret")}
        assert secrets == set(variant["properties"]) - {"auth_type"}


def test_given_spec_when_read_then_contract_field_names_and_defaults_are_there():
    assert {"credentials", "root_folder_name", "parent_folder_id", "period", "timezone", "file_name_template",
            "share_with", "drive_api_url"} <= set(PROPERTIES)
    assert PROPERTIES["root_folder_name"]["default"] == "Qonto"
    assert PROPERTIES["period"]["enum"] == list(layout.PERIODS) and PROPERTIES["period"]["default"] == "month"
    assert PROPERTIES["timezone"]["default"] == "Europe/Paris"
    assert PROPERTIES["share_with"]["items"]["properties"]["role"]["enum"] == ["reader", "commenter", "writer"]


def test_given_template_field_when_documented_then_every_layout_variable_is_named():
    description = PROPERTIES["file_name_template"]["description"]
    assert all("{" + name + "}" in description for name in layout.TEMPLATE_VARIABLES)


def test_given_spec_when_shown_in_the_airbyte_ui_then_the_folder_layout_fields_are_not_folded_away():
    # The UI folds optional fields without always_show into "Optional fields".
    assert [name for name in ("root_folder_name", "period", "timezone") if not PROPERTIES[name].get("always_show")] == []


def test_given_share_with_when_read_then_email_and_role_say_what_they_grant():
    item = PROPERTIES["share_with"]["items"]["properties"]
    assert "root folder" in item["email"]["description"]
    assert all(role in item["role"]["description"] for role in item["role"]["enum"])
