"""The real google-api-python-client pointed at an emulator (gdrive.md §6) — for tests and demos."""
from __future__ import annotations

import json

import google.oauth2.credentials
import google_auth_httplib2
import googleapiclient.discovery
import googleapiclient.discovery_cache
import googleapiclient.http


def oauth_credentials(emu, token: str | None = None) -> google.oauth2.credentials.Credentials:
    creds = emu.oauth_credentials()
    return google.oauth2.credentials.Credentials(
        token=token, refresh_token=creds["refresh_token"], client_id=creds["client_id"],
        client_secret=creds["client_secret"], token_uri=emu.url + "token")


def build_drive(emu, credentials=None):
    """A Drive v3 service on the emulator: static discovery doc, rootUrl patched, AuthorizedHttp."""
    return _build(emu, "drive", "v3", credentials)


def build_sheets(emu, credentials=None):
    """A Sheets v4 service on the emulator, built the same way (sheets.v4.json ships with the library)."""
    return _build(emu, "sheets", "v4", credentials)


def _build(emu, name: str, version: str, credentials):
    doc = json.loads(googleapiclient.discovery_cache.get_static_doc(name, version))
    doc["rootUrl"] = emu.url
    http = google_auth_httplib2.AuthorizedHttp(credentials or oauth_credentials(emu),
                                               http=googleapiclient.http.build_http())
    return googleapiclient.discovery.build_from_document(doc, http=http)
