"""How each answer of the bank API is handled (pure mapping, plus the CDK adapters).

401 is never retried with the same credential: Qonto throttles clients after repeated
authentication failures. With OAuth, one 401 gets one forced token refresh and one retry (the
token may have been refused a little before its announced expiry); with an API key it is final.
A 200 answer that is not JSON, or a redirect, is the sandbox's login page (missing or wrong
staging token).
429, 5xx and dropped connections are retried with back-off, honouring Retry-After; a 429 without
it waits 5, 10, 20 ... 60 s (pacing.py).
400/422 carry the API's own explanation (`detail`, or `message` on /v2/transactions).
404 is left to the caller (a deleted attachment is not an error; /v2/transactions answers it
as text/plain " ").
"""

from __future__ import annotations

import email.utils
import json
import threading
import time
from typing import Optional, Union

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.error_handlers import BackoffStrategy, ErrorHandler
from airbyte_cdk.sources.streams.http.error_handlers.response_models import ErrorResolution, ResponseAction

from connector_runtime.liveness import LIVENESS

from . import pacing

STORM_WAIT = "bank-429"  # the liveness key of a streak of 429s (pacing.py ends it at the next other answer)

MAX_RETRIES = 6
MAX_TIME_S = 600
MAX_WAIT_S = 120.0
REFRESHED_RETRY_WAIT_S = 0.05
# The CDK sleeps one second more than the back-off it is given (rate_limiting.py, "extra second").
CDK_EXTRA_WAIT_S = 1.0


def api_error_text(body: str) -> str:
    """The human part of an error body: `detail`/`message` of each error, else the trimmed text."""
    try:
        payload = json.loads(body)
    except (ValueError, TypeError):
        return (body or "").strip()[:300]
    parts = []
    if isinstance(payload, dict):
        for error in payload.get("errors") or []:
            if isinstance(error, dict):
                text = error.get("detail") or error.get("message") or error.get("code")
                parameter = (error.get("source") or {}).get("parameter") if isinstance(error.get("source"), dict) else None
                if text:
                    parts.append(f"{text} (parameter {parameter})" if parameter else str(text))
            elif isinstance(error, str):
                parts.append(error)
        for key in ("message", "detail", "error_description", "error"):
            if not parts and isinstance(payload.get(key), str):
                parts.append(payload[key])
    return "; ".join(parts) or body.strip()[:300]


def credential_hint(auth_type: str) -> str:
    if auth_type == "oauth2.0":
        return (
            "the OAuth access token was refused: re-authorize the connection (credentials.refresh_token) "
            "or check credentials.client_id / credentials.client_secret"
        )
    return "check credentials.organization_slug and credentials.secret_key (Qonto > Settings > Integrations > API key)"


REJECTED = "The bank API rejected a request"   # 400 / 422: the request itself is refused, no retry


def is_rejected_request(error: Exception) -> bool:
    """Whether an API error is the bank refusing the request as invalid (not an outage, not credentials)."""
    return (getattr(error, "message", None) or "").startswith(REJECTED)


def classify(status: int, content_type: str, body: str, *, auth_type: str, sandbox: bool) -> ErrorResolution:
    """Decide what to do with one API answer."""
    if 200 <= status < 400:  # a redirect is the sandbox gate too: never followed
        if status < 300 and ("json" in (content_type or "").lower() or not body.strip()):
            return ErrorResolution(ResponseAction.SUCCESS)
        message = (
            "The Qonto sandbox answered with a web page instead of JSON: the staging token is missing or invalid. "
            "Copy staging_token from the Qonto developer portal."
            if sandbox
            else "The bank API answered with a web page instead of JSON: check api_url and environment "
            "(a sandbox needs environment=sandbox and a staging_token)."
        )
        return ErrorResolution(ResponseAction.FAIL, FailureType.config_error, message)
    if status == 401 and auth_type == "oauth2.0":
        # Refreshed once and retried once by the HTTP client; a second 401 is a config error.
        return ErrorResolution(
            ResponseAction.REFRESH_TOKEN_THEN_RETRY,
            FailureType.config_error,
            f"The bank rejected the credentials (HTTP 401: {api_error_text(body) or 'unauthorized'}); {credential_hint(auth_type)}.",
        )
    if status == 401:
        return ErrorResolution(
            ResponseAction.FAIL,
            FailureType.config_error,
            f"The bank rejected the credentials (HTTP 401: {api_error_text(body) or 'unauthorized'}); {credential_hint(auth_type)}.",
        )
    if status == 403:
        return ErrorResolution(
            ResponseAction.FAIL,
            FailureType.config_error,
            f"The bank refused access (HTTP 403: {api_error_text(body) or 'forbidden'}). The API key or OAuth grant needs "
            "read access to the organization, bank accounts, transactions and attachments (scope organization.read).",
        )
    if status == 404:
        return ErrorResolution(ResponseAction.IGNORE, None, f"Not found (HTTP 404): {api_error_text(body) or 'empty answer'}")
    if status == 429 or status >= 500 or status == 408:
        return ErrorResolution(ResponseAction.RETRY, FailureType.transient_error, f"the bank API answered HTTP {status}")
    if status in (400, 422):
        return ErrorResolution(ResponseAction.FAIL, FailureType.system_error, f"{REJECTED} (HTTP {status}): {api_error_text(body)}")
    return ErrorResolution(ResponseAction.FAIL, FailureType.system_error, f"Unexpected HTTP {status} from the bank API: {api_error_text(body)}")


def retry_after_seconds(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Retry-After as seconds (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, min(float(value), MAX_WAIT_S))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, min(moment - (now if now is not None else time.time()), MAX_WAIT_S))


class BankErrorHandler(ErrorHandler):
    def __init__(self, auth_type: str, sandbox: bool, max_retries: int = MAX_RETRIES) -> None:
        self._auth_type = auth_type
        self._sandbox = sandbox
        self._max_retries = max_retries

    @property
    def max_retries(self) -> Optional[int]:
        return self._max_retries

    @property
    def max_time(self) -> Optional[int]:
        return MAX_TIME_S

    def interpret_response(self, response_or_exception: Optional[Union[requests.Response, Exception]] = None) -> ErrorResolution:
        if isinstance(response_or_exception, requests.Response):
            response = response_or_exception
            # Only peek at the body of answers that are not streamed downloads of the API itself.
            body = response.text if response.status_code >= 300 or "json" not in response.headers.get("Content-Type", "") else ""
            return classify(
                response.status_code, response.headers.get("Content-Type", ""), body, auth_type=self._auth_type, sandbox=self._sandbox
            )
        return ErrorResolution(
            ResponseAction.RETRY, FailureType.transient_error, f"the connection to the bank API failed ({type(response_or_exception).__name__})"
        )


class RetryAfterBackoff(BackoffStrategy):
    """Wait what the server asks (Retry-After); a 429 without it waits pacing's schedule; other
    failures get the CDK's exponential back-off."""

    def backoff_time(self, response_or_exception: Optional[Union[requests.Response, requests.RequestException]], attempt_count: int) -> Optional[float]:
        if isinstance(response_or_exception, requests.Response):
            retry_after = retry_after_seconds(response_or_exception.headers.get("Retry-After"))
            if response_or_exception.status_code == 429:
                wait = pacing.too_many_requests_wait(attempt_count - 1, retry_after)
                # A wait the bank imposes is progress being waited for, not a stall (watchdog).
                LIVENESS.begin_wait(STORM_WAIT, storm_wait_text(), wait + CDK_EXTRA_WAIT_S)
                return wait
            if response_or_exception.status_code == 401:
                return REFRESHED_RETRY_WAIT_S  # the token was just refreshed: retry now, before it ages
            if retry_after is not None:
                LIVENESS.begin_wait(retry_after_key(), "the bank's Retry-After", retry_after + CDK_EXTRA_WAIT_S)
            return retry_after
        return None


def retry_after_key() -> str:
    """One Retry-After wait per thread: the retry is sent, and answered, by the same thread."""
    return f"retry-after@{threading.get_ident()}"


def storm_wait_text() -> str:
    patience = pacing.scaled(pacing.STORM_PATIENCE_S) / 60
    return f"the bank's rate limit to lift (HTTP 429; the sync rides out up to {patience:.0f} min of them)"
