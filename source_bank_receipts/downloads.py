"""Downloading receipt files from the bank's presigned URLs.

- No Authorization header: presigned storage URLs carry their own signature (and storage
  rejects requests with both), so downloads use their own HTTP client without authenticator.
- https only; plain http only to loopback.
- Sandbox only: the staging token goes on downloads too. The whole sandbox, attachment URLs
  included, is behind a login gate that answers its HTML page with a 200 or a 302 without it
  (https://docs.qonto.com/get-started/general/sandbox-access); production does not accept the
  header, so it is never sent there (not even empty).
- Redirects are never followed, and a body that is a web page while the receipt is not, or
  whose size differs from the announced `file_size`, is never handed on as the receipt.
- A URL close to expiry, or answered 403/410 (expired) or 404, is replaced by a fresh one from
  GET /v2/attachments/{id}; an attachment deleted at the bank is skipped.
- 429/5xx and dropped connections are retried by the HTTP client with back-off; a body cut
  short is downloaded again.
- URLs are never logged: their query string is a credential.
- The sealed (probative) copy goes through the same rules, plus: it must be a whole PDF carrying
  a signature (seal_shape.py). A sealed copy that cannot be had is skipped with one warning, never
  a failed sync: the original is already exported, and receipt_index offers the copy again.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Mapping, Optional, Union
from urllib.parse import parse_qs, urlsplit

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .chunking import Spool, spool
from .config import ConfigError, check_transport
from .records import ORIGINAL, PROBATIVE, probative_download, to_int
from connector_runtime.seal_shape import seal_problem
from .errors import RetryAfterBackoff

URL_TTL_S = 1800  # documented lifetime of the bank's download URLs
REFRESH_MARGIN_S = 300  # refresh a URL that has less than this left
ATTEMPTS = 3
PIECE_BYTES = 1 << 20
SNIFF_BYTES = 512
_HTML_MARKS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta http-equiv")

GATE_MESSAGE = (
    "The Qonto sandbox answered a receipt download with its login page: the staging token is missing or invalid "
    "for the sandbox's file URLs. Copy staging_token again from the Qonto developer portal."
)


class DownloadFailed(AirbyteTracedException):
    pass


def is_html_type(content_type: Optional[str]) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")


def looks_like_html(head: bytes) -> bool:
    """Whether the first bytes of a body are a web page (BOM and leading blanks ignored)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    return text.startswith(_HTML_MARKS)


def body_problem(announced_type: Optional[str], announced_size: Optional[int], served_type: Optional[str], head: bytes, size: int) -> Optional[str]:
    """Why a downloaded body is not the announced receipt (None: it is), from what the bank
    announced and what came (pure)."""
    if not is_html_type(announced_type) and (is_html_type(served_type) or looks_like_html(head)):
        return "a web page came instead of the receipt"
    if announced_size is not None and announced_size != size:
        return f"{size} bytes came where the bank announced {announced_size}"
    return None


def url_expires_at(url: str, fetched_at: float) -> float:
    """Expiry of a presigned URL: X-Amz-Date + X-Amz-Expires when present, else fetch time + 30 min."""
    query = parse_qs(urlsplit(url).query)
    fallback = fetched_at + URL_TTL_S
    try:
        signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc).timestamp()
        return min(signed + int(query["X-Amz-Expires"][0]), fallback)
    except (KeyError, IndexError, ValueError):
        return fallback


class DownloadErrorHandler(ErrorHandler):
    """Retry transient failures; hand every other answer back to the downloader (never FAIL: the
    CDK's failure message would contain the signed URL)."""

    @property
    def max_retries(self) -> Optional[int]:
        return 4

    @property
    def max_time(self) -> Optional[int]:
        return 300

    def interpret_response(self, response_or_exception: Optional[Union[requests.Response, Exception]] = None) -> ErrorResolution:
        if isinstance(response_or_exception, requests.Response):
            status = response_or_exception.status_code
            if status == 429 or status >= 500:
                return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, f"Receipt download answered HTTP {status}; retrying.")
            if 200 <= status < 300:
                return ErrorResolution(ResponseAction.SUCCESS)
            return ErrorResolution(ResponseAction.IGNORE, None, f"Receipt download answered HTTP {status}.")
        return ErrorResolution(
            ResponseAction.RETRY,
            FailureType.transient_error,
            f"Receipt download connection failed ({type(response_or_exception).__name__}); retrying.",
        )


class ReceiptDownloader:
    def __init__(
        self,
        refresh: Callable[[str], Optional[Dict[str, Any]]],
        logger: logging.Logger,
        clock: Callable[[], float] = time.time,
        headers: Optional[Mapping[str, str]] = None,
        sandbox: bool = False,
    ) -> None:
        self._refresh = refresh
        self._logger = logger
        self._clock = clock
        self._headers = dict(headers or {})  # the staging token in the sandbox, nothing in production
        self._sandbox = sandbox
        self._client = HttpClient(
            name="receipt_download",
            logger=logger,
            error_handler=DownloadErrorHandler(),
            backoff_strategy=RetryAfterBackoff(),
        )

    def download(self, attachment: Mapping[str, Any], fetched_at: float, where: str, variant: str = ORIGINAL) -> Optional[Spool]:
        """The file spooled to disk, or None when the attachment no longer exists at the bank (or,
        for the sealed copy, when no valid one could be had: one warning says why)."""
        attachment_id = attachment["id"]
        if variant == PROBATIVE:
            where = f"sealed copy, {where}"
            attachment = probative_download(attachment) or {"id": attachment_id}
        url = attachment.get("url")
        if url and url_expires_at(url, fetched_at) - self._clock() < REFRESH_MARGIN_S:
            url = None
        problem = "no download URL"
        for _ in range(ATTEMPTS):
            if not url:
                fresh = self._fresh(attachment_id, variant)
                if fresh is None:
                    what = "was deleted at the bank" if variant == ORIGINAL else "is no longer available at the bank"
                    self._logger.warning(f"Receipt {attachment_id} ({where}) {what}; skipped.")
                    return None
                attachment, url = fresh, fresh.get("url")
                if not url:
                    problem = "the bank gave no download URL"
                    continue
            try:
                check_transport(url, "The receipt download URL")
            except ConfigError as error:
                raise DownloadFailed(message=f"Receipt {attachment_id} ({where}): {error.message}", failure_type=FailureType.system_error) from None
            result, problem = self._fetch(url, attachment)
            if problem == "login gate" and self._sandbox and variant == ORIGINAL:
                raise DownloadFailed(message=f"{GATE_MESSAGE} (receipt {attachment_id}, {where})", failure_type=FailureType.config_error)
            if result is not None and variant == PROBATIVE:
                return self._sealed_or_none(result, attachment_id, where)
            if result is not None:
                return result
            url = None  # expired, missing or cut short: ask the bank for a fresh URL
        if variant == PROBATIVE:
            self._logger.warning(f"Sealed copy of receipt {attachment_id} ({where}) not exported after {ATTEMPTS} attempts: {problem}.")
            return None
        raise DownloadFailed(
            message=f"Could not download receipt {attachment_id} ({where}) after {ATTEMPTS} attempts: {problem}. "
            "The sync stopped before this receipt; the next sync starts again from it.",
            failure_type=FailureType.transient_error,
        )

    def _fresh(self, attachment_id: str, variant: str) -> Optional[Dict[str, Any]]:
        fresh = self._refresh(attachment_id)
        if fresh is None or variant == ORIGINAL:
            return fresh
        return probative_download(fresh)

    def _sealed_or_none(self, spooled: Spool, attachment_id: str, where: str) -> Optional[Spool]:
        """A body that is not a signed PDF is the bank's fault and comes the same again: no retry."""
        problem = seal_problem(spooled.file, spooled.size)
        if problem is None:
            return spooled
        spooled.close()
        self._logger.warning(f"Sealed copy of receipt {attachment_id} ({where}) not exported: the bank served {problem}.")
        return None

    def _fetch(self, url: str, attachment: Mapping[str, Any]) -> "tuple[Optional[Spool], str]":
        try:
            _, response = self._client.send_request(
                "GET", url, headers=self._headers, request_kwargs={"stream": True, "timeout": (10.0, 120.0), "allow_redirects": False}
            )
        except AirbyteTracedException as error:
            return None, f"retries exhausted ({error.message.split('Exception:')[0].strip() if error.message else 'transient errors'})"
        try:
            if 300 <= response.status_code < 400:
                return None, "login gate" if self._sandbox else f"redirected (HTTP {response.status_code}), not followed"
            if response.status_code != 200:
                return None, f"HTTP {response.status_code}" + (" (URL expired)" if response.status_code in (403, 410) else "")
            expected = response.headers.get("Content-Length")
            spooled = spool(response.iter_content(PIECE_BYTES))
            if expected is not None and expected.isdigit() and int(expected) != spooled.size:
                spooled.close()
                return None, f"incomplete body ({spooled.size} of {expected} bytes)"
            spooled.file.seek(0)
            head = spooled.file.read(SNIFF_BYTES)
            problem = body_problem(attachment.get("file_content_type"), to_int(attachment.get("file_size")), response.headers.get("Content-Type"), head, spooled.size)
            if problem:
                spooled.close()
                return None, "login gate" if self._sandbox and problem.startswith("a web page") else problem
            return spooled, ""
        except (requests.RequestException, ConnectionError, OSError) as error:
            return None, f"connection lost during the download ({type(error).__name__})"
        finally:
            response.close()
