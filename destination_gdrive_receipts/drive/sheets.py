"""Sheets API v4 calls for the ledgers: the real client, paced under Sheets' quotas, 429s retried.

The service is built like Drive's (service.py): the discovery document shipped with
google-api-python-client (sheets.v4.json), its rootUrl replaced by the emulator's address in tests;
in production https://sheets.googleapis.com/. Every method the ledgers use accepts the drive.file
scope, which reaches the spreadsheets the connector created (the scopes listed per method in that
document).

Quotas: 60 read and 60 write requests per minute per user per project; beyond, 429
RESOURCE_EXHAUSTED, and Google advises exponential back-off
(https://developers.google.com/sheets/api/limits). Calls are paced in a sliding minute window per
kind, so a backfill writing many ledgers waits instead of failing; a 429 or a 5xx is retried.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from typing import Any, Callable

from googleapiclient import discovery, discovery_cache
from googleapiclient.errors import HttpError
import google_auth_httplib2
from googleapiclient.http import build_http

from destination_gdrive_receipts.config import Config
from destination_gdrive_receipts.drive.rate_limit import (
    RATE_LIMITED, RETRY, TRANSPORT_ERRORS, Backoff, classify, error_reason,
)
from destination_gdrive_receipts.drive.service import build_credentials

logger = logging.getLogger("airbyte")
SHEETS_ROOT_URL = "https://sheets.googleapis.com/"
PER_MINUTE = 60


def lean(doc: dict) -> dict:
    """The discovery document without its schemas' contents.

    The client uses schemas only to write each method's docstring, and Sheets' are so nested that
    `spreadsheets()` alone built ~70 MB of docstrings (measured: 43 → 113 MB peak RSS); requests
    and answers are plain JSON either way. Each schema keeps its name, as methods refer to them.
    """
    doc["schemas"] = {name: {"id": name, "type": "object"} for name in doc.get("schemas", {})}
    return doc


class MinuteWindow:
    """At most `limit` calls in any 60 s: a caller beyond it sleeps until the oldest call is a minute old."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._limit, self._clock, self._sleep = limit, clock, sleep
        self._calls: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        with self._lock:
            now = self._clock()
            while self._calls and now - self._calls[0] >= 60:
                self._calls.popleft()
            wait = 60 - (now - self._calls[0]) if len(self._calls) >= self._limit else 0.0
            self._calls.append(now + wait)
        if wait > 0:
            self._sleep(wait)
        return wait


class SheetsClient:
    def __init__(self, config: Config, *, backoff: Backoff = Backoff(), sleep: Callable[[float], None] = time.sleep,
                 per_minute: int = PER_MINUTE) -> None:
        root = config.drive_api_url if config.is_emulated else SHEETS_ROOT_URL
        doc = lean(json.loads(discovery_cache.get_static_doc("sheets", "v4")))
        doc["rootUrl"] = root
        http = google_auth_httplib2.AuthorizedHttp(build_credentials(config), http=build_http())
        self._sheets = discovery.build_from_document(doc, http=http).spreadsheets()
        self._backoff, self._sleep = backoff, sleep
        self._windows = {"read": MinuteWindow(per_minute, sleep=sleep), "write": MinuteWindow(per_minute, sleep=sleep)}
        self.calls = collections.Counter()

    # ---- the calls the ledgers make
    def get(self, spreadsheet_id: str, fields: str) -> dict:
        return self._call("read", lambda s: s.get(spreadsheetId=spreadsheet_id, fields=fields))

    def search_metadata(self, spreadsheet_id: str, filters: list[dict]) -> list[dict]:
        answer = self._call("read", lambda s: s.developerMetadata().search(
            spreadsheetId=spreadsheet_id, body={"dataFilters": filters}))
        return [m["developerMetadata"] for m in answer.get("matchedDeveloperMetadata", [])]

    def values(self, spreadsheet_id: str, filters: list[dict]) -> list[list[Any]]:
        """One column of unformatted values per data filter (trailing empty cells left out)."""
        body = {"dataFilters": filters, "valueRenderOption": "UNFORMATTED_VALUE", "majorDimension": "COLUMNS"}
        answer = self._call("read", lambda s: s.values().batchGetByDataFilter(spreadsheetId=spreadsheet_id, body=body))
        out = []
        for matched in answer.get("valueRanges", []):
            columns = matched.get("valueRange", {}).get("values") or [[]]
            out.append(columns[0])
        return out

    def batch_update(self, spreadsheet_id: str, requests: list[dict]) -> dict:
        return self._call("write", lambda s: s.batchUpdate(spreadsheetId=spreadsheet_id, body={"requests": requests}))

    # ---- pacing and retries
    def _call(self, kind: str, build: Callable[[Any], Any]) -> Any:
        attempt = 0
        while True:
            self._windows[kind].acquire()
            self.calls[kind] += 1
            try:
                return build(self._sheets).execute()
            except HttpError as error:
                verdict = classify(error.resp.status, error_reason(error.content))
                if verdict not in (RATE_LIMITED, RETRY) or attempt + 1 >= self._backoff.attempts:
                    raise
                delay = self._backoff.delay(attempt)      # exponential back-off, as Google advises for 429
                logger.info("Sheets answered %s; retrying in %.1f s.", error.resp.status, delay)
            except TRANSPORT_ERRORS as error:
                if attempt + 1 >= self._backoff.attempts:
                    raise
                delay = self._backoff.delay(attempt)
                logger.info("Sheets connection failed (%s); retrying in %.1f s.", type(error).__name__, delay)
            self._sleep(delay)
            attempt += 1
