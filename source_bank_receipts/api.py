"""The bank API client: CDK HttpClient (retries, back-off, error mapping, API budget) + authentication.

- Requests are paced by the CDK's API budget over both documented rate windows (pacing.py).
- A config error (credentials refused, sandbox gate) is remembered: every later call of the sync
  fails with the same message without reaching the bank (the bank throttles clients that
  collect 401s), whatever partition makes it.
- Messages never hold URLs, query strings or headers.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from datetime import datetime
from typing import Any, Dict, Iterator, List, Mapping, MutableMapping, Optional, Sequence, Tuple, Union

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from . import pacing
from .auth import make_authenticator, token_refresh_error
from .config import API_EARLIEST, ConfigError, Settings
from .errors import MAX_RETRIES, BankErrorHandler, RetryAfterBackoff
from .paging import PER_PAGE, IncompleteTieBlock, KeyPager, transactions_params

REQUEST_TIMEOUT = (10.0, 120.0)


_QUERY = re.compile(r"(https?://[^\s'?]*)\?[^\s']*")
_DETAILS = re.compile(r"Request \(body\):.*", re.S)


class _WithoutResponseBodies(logging.Filter):
    """The HTTP client logs every response body at debug level; listing pages embed presigned
    download URLs, whose signature is a credential, so bodies are left out. Its failure lines
    carry the query string and the response headers: both are cut."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "body"):
            record.body = "(not logged: may hold signed download URLs)"
        if isinstance(record.msg, str) and "request to '" in record.msg:
            record.msg = _DETAILS.sub("", _QUERY.sub(r"\1?…", record.msg))
        return True


# The API client's own logger: a child of the connector's logger (same level and output).
HTTP_LOGGER = logging.getLogger("airbyte.bank_api")
HTTP_LOGGER.addFilter(_WithoutResponseBodies())


def _rate_limited(error: AirbyteTracedException) -> bool:
    return (error.message or "").startswith("API rate limit exceeded")


def _config_error(error: AirbyteTracedException) -> ConfigError:
    """The error handler's own message (no URL, query or headers); the CDK's second-401 message
    after a token refresh is given the same advice."""
    text = error.message or ""
    if text.startswith("Refreshed OAuth access token is rejected"):
        text = (
            "The bank rejected the OAuth access token again right after refreshing it (HTTP 401): re-authorize the "
            "connection (credentials.refresh_token) or check credentials.client_id / credentials.client_secret."
        )
    elif text.startswith("OAuth token refresh request is rejected"):
        text = (
            "The OAuth token endpoint refused to refresh the access token after the bank answered 401. "
            "Re-authorize the connection to get a new credentials.refresh_token, and check credentials.client_id / client_secret."
        )
    elif "request to '" in text:
        text = "The bank refused the request; check the credentials, environment and staging_token."
    return error if isinstance(error, ConfigError) else ConfigError(text)


def _retries_exhausted(error: AirbyteTracedException, api_base: str, path: str) -> str:
    text = error.message or ""
    if not (text.startswith("Exhausted available request attempts") or text.startswith("API rate limit exceeded")):
        return text
    reason = text.split("Exception:", 1)[1].strip() if "Exception:" in text else "rate limited"
    return (
        f"The bank API at {api_base} kept failing for GET {path} after several retries ({reason}). "
        "Try again later; if it persists, check api_url and environment."
    )


class BankApi:
    def __init__(self, settings: Settings, config: MutableMapping[str, Any], logger: logging.Logger, max_retries: int = MAX_RETRIES) -> None:
        self._settings = settings
        self._logger = logger
        self._client = HttpClient(
            name="bank_api",
            logger=HTTP_LOGGER,
            error_handler=BankErrorHandler(settings.auth_type, settings.environment == "sandbox", max_retries),
            backoff_strategy=RetryAfterBackoff(),
            authenticator=make_authenticator(settings, config),
            request_timeout=REQUEST_TIMEOUT,
            api_budget=pacing.api_budget(),
        )
        self._refused: Optional[ConfigError] = None
        # `check` (fewer retries: a person is waiting) does not sit through a storm of 429s.
        self._patience_s = pacing.STORM_PATIENCE_S if max_retries >= MAX_RETRIES else 0.0
        self._lock = threading.Lock()
        self.calls = 0
        self.tie_blocks = 0

    def get(self, path: str, params: Optional[Mapping[str, Any]] = None) -> Optional[Dict[str, Any]]:
        """GET a JSON document; None when the bank answers 404."""
        patience_ends = time.monotonic() + pacing.scaled(self._patience_s)
        while True:
            try:
                response = self._send(path, params)
                break
            except AirbyteTracedException as error:
                if not _rate_limited(error) or time.monotonic() >= patience_ends:
                    raise self._readable(error, path) from None
                self._logger.warning(f"The bank API keeps answering 429 (rate limited) for GET {path}; still waiting.")
        if response.status_code == 404:
            return None
        if not response.content.strip():
            return {}
        try:
            payload = response.json()
        except ValueError:
            raise AirbyteTracedException(
                message=f"The bank API answered {path} with a body that is not JSON.", internal_message=response.text[:300]
            ) from None
        return payload if isinstance(payload, dict) else {}

    def _send(self, path: str, params: Optional[Mapping[str, Any]]) -> requests.Response:
        with self._lock:
            if self._refused is not None:  # no call after the bank refused the credentials
                raise self._refused
            self.calls += 1
        try:
            _, response = self._client.send_request(
                "GET",
                f"{self._settings.api_base}{path}",
                # a redirect is the sandbox's login gate: never followed (errors.py)
                request_kwargs={"allow_redirects": False},
                headers={"Accept": "application/json", **self._settings.extra_headers},
                params=dict(params or {}),
            )
            return response
        except requests.HTTPError as error:  # raised by the OAuth token refresh, outside the retry loop
            raise self._remember(token_refresh_error(error)) from None
        except AirbyteTracedException as error:
            if error.failure_type == FailureType.config_error:
                raise self._remember(_config_error(error)) from None
            raise

    def _remember(self, error: AirbyteTracedException) -> AirbyteTracedException:
        if isinstance(error, ConfigError):
            with self._lock:
                self._refused = self._refused or error
                return self._refused
        return error

    def _readable(self, error: AirbyteTracedException, path: str) -> AirbyteTracedException:
        if isinstance(error, ConfigError) or error.failure_type == FailureType.config_error:
            return error
        return AirbyteTracedException(
            message=_retries_exhausted(error, self._settings.api_base, path),
            internal_message=_retries_exhausted(error, self._settings.api_base, path),
            failure_type=error.failure_type or FailureType.system_error,
        )

    def organization(self) -> Dict[str, Any]:
        payload = self.get("/v2/organization")
        if payload is None or not isinstance(payload.get("organization"), dict):
            raise AirbyteTracedException(message="The bank API did not return the organization (GET /v2/organization).")
        return payload["organization"]

    def bank_accounts(self) -> List[Dict[str, Any]]:
        """All bank accounts, closed ones included; falls back to the organization document."""
        accounts: List[Dict[str, Any]] = []
        page = 1
        while True:
            payload = self.get("/v2/bank_accounts", {"page": page, "current_page": page, "per_page": PER_PAGE})
            if payload is None:
                return list(self.organization().get("bank_accounts") or [])
            rows = payload.get("bank_accounts") or []
            accounts.extend(rows)
            meta = payload.get("meta")
            if not isinstance(meta, Mapping) or not isinstance(meta.get("next_page"), int) or meta["next_page"] <= page:
                return accounts
            page = meta["next_page"]

    def transaction_pages(
        self,
        bank_account_id: str,
        statuses: Union[str, Sequence[str]],
        lower: datetime,
        upper: datetime,
        *,
        with_attachments: bool = False,
    ) -> Iterator[Tuple[List[Dict[str, Any]], float]]:
        """Pages (rows, time the page was read) covering every row of one account and status(es)
        with updated_at in [lower, upper), ascending by updated_at (paging.py). Rows may come twice
        and rows outside the window may come: the caller keeps each id once, inside its window."""
        pager = KeyPager(lower, upper, earliest=API_EARLIEST)
        while not pager.done:
            updated_from, updated_to, page = pager.request()
            params = transactions_params(bank_account_id, statuses, updated_from, updated_to, page, with_attachments=with_attachments)
            payload = self.get("/v2/transactions", params)
            if payload is None:
                raise AirbyteTracedException(
                    message=f"The bank API answered 404 for the transactions of bank account {bank_account_id}: "
                    "the account no longer exists or is not visible to these credentials."
                )
            rows = payload.get("transactions") or []
            yield rows, time.time()
            try:
                pager.feed(rows, payload.get("meta"))
            except IncompleteTieBlock as error:
                raise AirbyteTracedException(
                    message=f"Bank account {bank_account_id}: {error}. The sync stopped before these transactions; "
                    "the next sync reads them again.",
                    failure_type=FailureType.transient_error,
                ) from None
        with self._lock:
            self.tie_blocks += pager.tie_blocks

    def sample_transactions(self, bank_account_id: str, statuses: Sequence[str], per_page: int = PER_PAGE) -> Tuple[List[Dict[str, Any]], Optional[int]]:
        """One page of the account's transactions in these statuses (whole history, the bank's
        default order) and meta.total_count, None when the answer has no count."""
        params = {"bank_account_id": bank_account_id, "status[]": list(statuses), "per_page": per_page, "page": 1, "current_page": 1}
        payload = self.get("/v2/transactions", params) or {}
        meta = payload.get("meta")
        count = meta.get("total_count") if isinstance(meta, Mapping) else None
        rows = payload.get("transactions") or []
        return rows, count if isinstance(count, int) and not isinstance(count, bool) else None

    def attachment(self, attachment_id: str) -> Optional[Dict[str, Any]]:
        """The attachment; None only when the bank answers 404 (deleted)."""
        payload = self.get(f"/v2/attachments/{attachment_id}")
        if payload is None:
            return None
        if not isinstance(payload.get("attachment"), dict):
            # Not a deletion: skipping it would let the cursor move past the receipt.
            raise AirbyteTracedException(
                message=f"The bank API answered GET /v2/attachments/{attachment_id} without the attachment. "
                "The sync stopped before this receipt; the next sync starts again from it.",
                failure_type=FailureType.transient_error,
            )
        return payload["attachment"]
