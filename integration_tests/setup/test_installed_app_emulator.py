"""The Drive emulator's installed-app endpoints, as Google's answer them (no browser needed here)."""
import base64
import hashlib
import html
import re
import urllib.parse

import requests

VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")


def consent(drive, **overrides):
    creds = drive.oauth_credentials()
    params = {"client_id": creds["client_id"], "redirect_uri": "http://127.0.0.1:5555/", "response_type": "code",
              "scope": "https://www.googleapis.com/auth/drive.file", "state": "s1",
              "code_challenge": CHALLENGE, "code_challenge_method": "S256", **overrides}
    return requests.get(drive.url + "o/oauth2/auth", params=params, timeout=10)


def allow(drive, page) -> dict:
    fields = {k: html.unescape(v) for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', page.text)}
    answer = requests.post(drive.url + "o/oauth2/approve", data=fields, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith("http://127.0.0.1:5555/?")
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def exchange(drive, code, verifier=VERIFIER, redirect="http://127.0.0.1:5555/", basic=True):
    creds = drive.oauth_credentials()
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier}
    auth = (creds["client_id"], creds["client_secret"]) if basic else None
    if not basic:
        form.update(client_id=creds["client_id"], client_secret=creds["client_secret"])
    return requests.post(drive.token_uri, data=form, auth=auth, timeout=10)


def test_given_consent_when_the_code_is_exchanged_then_a_refresh_token_that_works_is_returned(drive):
    answer = allow(drive, consent(drive))
    assert answer["state"] == "s1" and answer["scope"].endswith("drive.file")
    tokens = exchange(drive, answer["code"]).json()
    assert tokens["refresh_token"] == drive.oauth_credentials()["refresh_token"]
    assert tokens["token_type"] == "Bearer" and tokens["scope"].endswith("drive.file")
    about = requests.get(drive.url + "drive/v3/about", params={"fields": "user"},
                         headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10)
    assert about.status_code == 200


def test_given_the_client_secret_in_the_form_when_exchanged_then_it_is_accepted_too(drive):
    assert exchange(drive, allow(drive, consent(drive))["code"], basic=False).status_code == 200


def test_given_a_used_code_when_exchanged_again_then_invalid_grant(drive):
    code = allow(drive, consent(drive))["code"]
    assert exchange(drive, code).status_code == 200
    again = exchange(drive, code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_given_a_wrong_code_verifier_when_exchanged_then_invalid_grant(drive):
    answer = exchange(drive, allow(drive, consent(drive))["code"], verifier="w" * 64)
    assert (answer.status_code, answer.json()["error"]) == (400, "invalid_grant")


def test_given_another_redirect_uri_when_exchanged_then_redirect_uri_mismatch(drive):
    answer = exchange(drive, allow(drive, consent(drive))["code"], redirect="http://127.0.0.1:6666/")
    assert answer.json()["error"] == "redirect_uri_mismatch"


def test_given_an_unknown_client_when_the_consent_page_opens_then_it_is_blocked(drive):
    page = consent(drive, client_id="nobody.apps.googleusercontent.com")
    assert page.status_code == 400 and "invalid_client" in page.text


def test_given_a_web_redirect_when_the_consent_page_opens_then_only_loopback_is_allowed(drive):
    page = consent(drive, redirect_uri="https://example.com/callback")
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text


def test_given_the_client_file_when_read_then_it_points_at_the_emulator(drive):
    block = drive._oauth.installed_app.client_file(drive.url)["installed"]
    assert block["auth_uri"] == drive.url + "o/oauth2/auth" and block["token_uri"] == drive.token_uri
