"""Both connectors' declarative OAuth templates, rendered the way the Airbyte platform renders them.

The platform (airbytehq/airbyte-platform, airbyte-oauth/src/main/kotlin/io/airbyte/oauth/declarative/):
- DeclarativeOAuthSpecHandler.kt builds the variables: every field of the merged OAuth input
  (oauth_connector_input_specification + the user's oauth_user_input_from_connector_config fields),
  `client_id_key`… with their defaults, `<name>_value` (raw) and `<name>_param` ("key=value",
  redirect_uri and scope URL-encoded with java.net.URLEncoder), `scopes_param`/`scopes_value`;
- getInterpolator() is a plain Jinjava with two filters registered: `codechallengeS256` and `b64encode`;
- DeclarativeOAuthFlow.kt renders consent_url, access_token_url, access_token_headers and
  access_token_params, picks the body encoding from the Content-Type header, and reads extract_output
  paths from the token response.
Jinja2 stands in for Jinjava, with only the filters both have that the templates may use, and
StrictUndefined (stricter than Jinjava, which renders an unknown name as empty: a typo must fail here).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs, quote_plus, urlsplit

import jinja2
import pytest
from airbyte_cdk.models import ConnectorSpecificationSerializer

from destination_gdrive_receipts.destination import DestinationGdriveReceipts

ROOT = Path(__file__).resolve().parents[2]
REDIRECT = "https://airbyte.example.com/auth_flow"
CLIENT_ID, CLIENT_SECRET, CODE, STATE = "cid-123.apps", "s3cr3t/+=", "4/0Ab-code", "aB3.x-_state"
# Jinjava built-ins a template could reasonably use that behave the same in Jinja2; plus the platform's two.
SHARED_BUILTINS = ("default", "lower", "upper", "trim", "replace")


def platform_env() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    kept = {name: env.filters[name] for name in SHARED_BUILTINS}
    env.filters.clear()
    env.filters.update(kept)
    env.filters["b64encode"] = lambda v: base64.b64encode(str(v).encode()).decode()
    env.filters["codechallengeS256"] = lambda v: base64.urlsafe_b64encode(
        hashlib.sha256(str(v).encode()).digest()).decode().rstrip("=")
    return env


def variables(spec: dict, user_input: dict, *, secret: bool) -> dict:
    """DeclarativeOAuthSpecHandler.createDefaultTemplateMap + getTemplateParametersAndValues."""
    merged = {**user_input, **spec}
    names = {"client_id_key": "client_id", "client_secret_key": "client_secret", "auth_code_key": "code",
             "redirect_uri_key": "redirect_uri", "scope_key": "scope", "state_key": "state"}
    values = {k: str(merged.get(k, default)) for k, default in names.items()}
    values.update({k: v if isinstance(v, str) else json.dumps(v) for k, v in merged.items()})
    given = {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "state": STATE, "code": CODE,
             **({"client_secret": CLIENT_SECRET} if secret else {})}
    for name, value in given.items():
        values[values[f"{name if name != 'code' else 'auth_code'}_key"]] = value
    for name in ("client_id", "client_secret", "auth_code", "state", "redirect_uri", "scope"):
        key = values[f"{name}_key"]
        raw = values.get(key)
        if raw is None:
            continue
        encoded = quote_plus(raw) if name in ("redirect_uri", "scope") else raw
        values[f"{name}_param"] = f"{key}={encoded}"
        values[f"{name}_value"] = raw
    values["scopes_param"], values["scopes_value"] = values.get("scope_param"), values.get("scope_value")
    return values


def render(template: str, spec: dict, user_input: dict, *, secret: bool = True) -> str:
    return platform_env().from_string(template).render(**variables(spec, user_input, secret=secret))


def destination_auth() -> dict:
    spec = ConnectorSpecificationSerializer.dump(DestinationGdriveReceipts().spec(None))   # what `spec` prints
    return spec["advanced_auth"]


def source_auth() -> dict:
    return json.loads((ROOT / "source_bank_receipts" / "spec.json").read_text())["advanced_auth"]


def token_request(auth: dict, user_input: dict) -> tuple[str, dict, dict]:
    spec = auth["oauth_config_specification"]["oauth_connector_input_specification"]
    url = render(spec["access_token_url"], spec, user_input)
    headers = {render(k, spec, user_input): render(v, spec, user_input) for k, v in spec.get("access_token_headers", {}).items()}
    params = {render(k, spec, user_input): render(v, spec, user_input) for k, v in spec.get("access_token_params", {}).items()}
    return url, headers, params


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def test_given_google_template_when_rendered_like_the_platform_then_consent_url_asks_offline_drive_file_access():
    spec = destination_auth()["oauth_config_specification"]["oauth_connector_input_specification"]
    url = render(spec["consent_url"], spec, {}, secret=False)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "accounts.google.com", "/o/oauth2/v2/auth")
    assert query(url) == {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code",
                          "scope": "https://www.googleapis.com/auth/drive.file", "access_type": "offline",
                          "prompt": "consent", "include_granted_scopes": "true", "state": STATE}


def test_given_google_template_when_token_requested_then_form_post_carries_the_authorization_code_grant():
    url, headers, params = token_request(destination_auth(), {})
    assert url == "https://oauth2.googleapis.com/token"
    assert headers == {"Content-Type": "application/x-www-form-urlencoded"}     # else the platform sends JSON
    assert params == {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "code": CODE,
                      "redirect_uri": REDIRECT, "grant_type": "authorization_code"}


@pytest.mark.parametrize("user_input, host, staging", [
    ({}, "oauth.qonto.com", ""),
    ({"environment": "production"}, "oauth.qonto.com", ""),
    ({"environment": "sandbox", "staging_token": "stg-1"}, "oauth-sandbox.staging.qonto.co", "stg-1"),
])
def test_given_bank_template_when_rendered_like_the_platform_then_consent_and_token_go_to_the_chosen_environment(
        user_input, host, staging):
    auth = source_auth()
    spec = auth["oauth_config_specification"]["oauth_connector_input_specification"]
    consent = render(spec["consent_url"], spec, user_input, secret=False)
    assert urlsplit(consent).netloc == host and urlsplit(consent).path == "/oauth2/auth"
    assert query(consent) == {"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code",
                              "scope": spec["scope"], "state": STATE}
    url, headers, params = token_request(auth, user_input)
    assert url == f"https://{host}/oauth2/token"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert headers.get("X-Qonto-Staging-Token", "") == staging
    assert params["code"] == CODE and params["grant_type"] == "authorization_code"
    assert params["redirect_uri"] == REDIRECT and params["client_secret"] == CLIENT_SECRET


@pytest.mark.parametrize("auth, spec_path", [
    (destination_auth, ROOT / "destination_gdrive_receipts" / "spec.json"),
    (source_auth, ROOT / "source_bank_receipts" / "spec.json"),
])
def test_given_token_response_when_extracted_then_every_output_lands_in_an_oauth_field_of_the_spec(auth, spec_path):
    auth = auth()
    oauth = auth["oauth_config_specification"]
    response = {"access_token": "ya29.x", "refresh_token": "1//r", "expires_in": 3599, "token_type": "Bearer"}
    outputs = oauth["oauth_connector_input_specification"]["extract_output"]
    assert all(path in response for path in outputs)          # JsonPaths on the token response
    credentials = json.loads(spec_path.read_text())["connectionSpecification"]["properties"]["credentials"]
    variant = next(v for v in credentials["oneOf"]
                   if v["properties"].get(auth["predicate_key"][-1], {}).get("const") == auth["predicate_value"])
    for name, target in {**oauth["complete_oauth_output_specification"]["properties"],
                         **oauth["complete_oauth_server_output_specification"]["properties"]}.items():
        assert target["path_in_connector_config"][0] == "credentials"
        assert target["path_in_connector_config"][1] in variant["properties"], name
    assert set(outputs) <= set(oauth["complete_oauth_output_specification"]["properties"])


def test_given_the_pre_2025_template_syntax_when_rendered_like_the_platform_then_it_is_refused():
    old = "https://accounts.google.com/o/oauth2/v2/auth?{{redirect_uri_key}}={{ {{redirect_uri_value}} | urlEncoder}}"
    with pytest.raises(jinja2.TemplateError):
        render(old, {}, {})
