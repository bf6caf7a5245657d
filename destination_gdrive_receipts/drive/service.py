"""Google credentials and Drive v3 service objects, exactly as the client library expects them.

The service is built from the discovery document shipped in google-api-python-client (no network)
with its rootUrl replaced by `drive_api_url`, so metadata, upload and batch URLs all follow the
override. httplib2.Http is not thread-safe: every thread gets its own service and Http, sharing
one credentials object.

Each thread also keeps the collections it calls (`files()`, `about()`, `permissions()`): the
library builds a new Resource per call, whose methods carry docstrings of up to ~20 KB and sit in
reference cycles that only the cyclic garbage collector frees. Built per request, ~11 MB of them
were alive at once during a 300-receipt sync.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import google.oauth2.credentials
import google.oauth2.service_account
import google_auth_httplib2
from googleapiclient import discovery, discovery_cache
from googleapiclient.http import build_http

from connector_runtime.liveness import LIVENESS
from destination_gdrive_receipts.config import DRIVE_SCOPE, Config, OAuthCredentials

# A service account has no consent screen and sees only what is shared with it (shared drives it is a
# member of), so it asks for the full drive scope: with drive.file, reaching a shared drive or folder
# the app did not create is undocumented. People signing in keep drive.file (BEHAVIOR.md).
SERVICE_ACCOUNT_SCOPE = "https://www.googleapis.com/auth/drive"


def build_credentials(config: Config) -> Any:
    """OAuth user credentials (access token used until Drive answers 401) or a service account."""
    creds = config.credentials
    if isinstance(creds, OAuthCredentials):
        # Without an expiry the access token counts as valid; AuthorizedHttp refreshes it on 401.
        return google.oauth2.credentials.Credentials(
            token=creds.access_token,
            refresh_token=creds.refresh_token,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            token_uri=config.token_uri,
            scopes=[DRIVE_SCOPE],
        )
    info = dict(creds.info)
    if config.is_emulated:
        info["token_uri"] = config.token_uri
    return google.oauth2.service_account.Credentials.from_service_account_info(info, scopes=[SERVICE_ACCOUNT_SCOPE])


def counted(http: Any) -> Any:
    """Every answered Drive request (an uploaded chunk is one) is progress for the stall watchdog."""
    send = http.request

    def request(*args: Any, **kwargs: Any) -> Any:
        answer = send(*args, **kwargs)
        LIVENESS.progress("Drive requests answered")
        return answer

    http.request = request
    return http


def build_service(credentials: Any, root_url: str) -> Any:
    # Re-parse per build: building mutates the document.
    doc = json.loads(discovery_cache.get_static_doc("drive", "v3"))
    doc["rootUrl"] = root_url
    # build_http() keeps 308 out of the redirect codes; a bare Http breaks resumable uploads.
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=counted(build_http()))
    return discovery.build_from_document(doc, http=http)


class ThreadDrive:
    """One thread's Drive service, with each collection built once and reused."""

    def __init__(self, service: Any) -> None:
        self._service = service
        self._collections: dict[str, Any] = {}

    def _collection(self, name: str) -> Any:
        collection = self._collections.get(name)
        if collection is None:
            collection = self._collections[name] = getattr(self._service, name)()
        return collection

    def files(self) -> Any:
        return self._collection("files")

    def about(self) -> Any:
        return self._collection("about")

    def permissions(self) -> Any:
        return self._collection("permissions")

    def revisions(self) -> Any:
        return self._collection("revisions")


class DriveServices:
    """Hands each thread its own Drive service."""

    def __init__(self, config: Config) -> None:
        self._credentials = build_credentials(config)
        self._root_url = config.drive_api_url
        self._local = threading.local()

    def get(self) -> ThreadDrive:
        service = getattr(self._local, "service", None)
        if service is None:
            service = self._local.service = ThreadDrive(build_service(self._credentials, self._root_url))
        return service
