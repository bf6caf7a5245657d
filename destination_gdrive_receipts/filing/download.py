"""Fetch a receipt from the bank's short-lived download URL (restores only).

Only https to the bank's file hosts is accepted, plain http only towards loopback addresses
(emulators), redirects included: a record's URL is data, and without this check a crafted record
could make the connector fetch from any host and file the answer in Drive. The hosts are declared
in the connector's allowedHosts (connectors/destination-gdrive-receipts/metadata.yaml). An expired or refused URL is not an error of the sync: the receipt is skipped with a
warning and the next sync, with a fresh URL, restores it.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable
from fnmatch import fnmatchcase
from urllib.parse import urljoin, urlsplit

import pendulum
import requests

from destination_gdrive_receipts.config import is_loopback

SPOOL_MAX_BYTES = 1024 * 1024
TIMEOUT = (10, 120)
ATTEMPTS = 4
MAX_REDIRECTS = 5
# Where Qonto serves attachment files: presigned Amazon S3 URLs (https://qonto-prod.s3.eu-central-1.
# amazonaws.com/… in its API documentation's examples, https://docs.qonto.com and its OpenAPI file,
# "attachments[].url"); Qonto's own domains in case it serves them itself.
BANK_FILE_HOSTS = ("*.amazonaws.com", "*.qonto.com", "*.qonto.co")


class UrlRefused(Exception):
    """The URL is not allowed (scheme or host)."""


class UrlExpired(Exception):
    """The URL has expired or the bank refuses it now; a later sync gets a fresh one."""


class UrlUnavailable(Exception):
    """The bank could not serve the file now (unreachable, errors that persist); a later sync retries.

    Its message never quotes the URL: a presigned URL is a bearer credential until it expires.
    """


@dataclass
class Downloaded:
    file: BinaryIO
    size: int
    md5: str
    sha256: str

    def close(self) -> None:
        self.file.close()


def is_bank_file_host(hostname: str) -> bool:
    return any(fnmatchcase(hostname.lower(), pattern) for pattern in BANK_FILE_HOSTS)


def check_url(url: str) -> None:
    parts = urlsplit(url or "")
    host = parts.hostname or ""
    if parts.scheme in ("https", "http") and host and is_loopback(host):
        return
    if parts.scheme == "https" and host and is_bank_file_host(host):
        return
    raise UrlRefused(f"download URL refused (only https to the bank's file hosts, or loopback): "
                     f"{parts.scheme or 'no'} scheme to {host or 'no host'}")


def is_expired(expires_at: str | None, now: Callable[[], Any] = lambda: pendulum.now("UTC")) -> bool:
    if not expires_at:
        return False
    try:
        return pendulum.parse(expires_at) <= now()
    except (ValueError, TypeError, pendulum.parsing.exceptions.ParserError):
        return False


def download(url: str, *, expires_at: str | None = None, expected_size: int | None = None,
             session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep) -> Downloaded:
    """Download to a spooled temporary file, checking size; raises UrlExpired/UrlRefused/UrlUnavailable."""
    check_url(url)
    if is_expired(expires_at):
        raise UrlExpired("the download URL has expired")
    http = session or requests.Session()
    try:
        return _fetch_with_retries(http, url, expected_size, sleep)
    except (requests.RequestException, _Retryable) as error:
        # requests quotes the URL in its messages, so only the kind of failure is kept.
        raise UrlUnavailable(f"the bank's download failed: {_describe(error)}") from None
    finally:
        if session is None:
            http.close()


def _fetch_with_retries(http: requests.Session, url: str, expected_size: int | None,
                        sleep: Callable[[float], None]) -> Downloaded:
    for attempt in range(ATTEMPTS):
        try:
            return _fetch(http, url, expected_size)
        except (requests.ConnectionError, requests.Timeout, _Retryable):
            if attempt + 1 == ATTEMPTS:
                raise
            sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


def _describe(error: Exception) -> str:
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code}"
    if isinstance(error, _Retryable):
        return str(error)
    return type(error).__name__


class _Retryable(Exception):
    pass


def _fetch(http: requests.Session, url: str, expected_size: int | None) -> Downloaded:
    for _ in range(MAX_REDIRECTS + 1):
        response = http.get(url, stream=True, timeout=TIMEOUT, allow_redirects=False)
        if response.is_redirect:
            response.close()
            url = urljoin(url, response.headers["location"])
            check_url(url)
            continue
        with response:
            if response.status_code in (401, 403, 404, 410):
                raise UrlExpired(f"the bank answered {response.status_code} for the download URL")
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(f"HTTP {response.status_code}")
            response.raise_for_status()
            return _spool(response, expected_size)
    raise UrlExpired("too many redirects")


def _spool(response: requests.Response, expected_size: int | None) -> Downloaded:
    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_BYTES)
    md5, sha, size = hashlib.md5(), hashlib.sha256(), 0
    for block in response.iter_content(chunk_size=256 * 1024):
        file.write(block)
        md5.update(block)
        sha.update(block)
        size += len(block)
    if expected_size is not None and size != expected_size:
        file.close()
        raise _Retryable(f"size {size} != announced {expected_size}")
    file.seek(0)
    return Downloaded(file, size, md5.hexdigest(), sha.hexdigest())
