"""The bank API client: CDK HttpClient (retries, back-off, error mapping) + authentication."""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, Iterator, List, Mapping, MutableMapping, Optional, Sequence, Tuple, Union

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.http_client import HttpClient
from airbyte_cdk.sources.streams.http.requests_native_auth import SingleUseRefreshTokenOauth2Authenticator
from airbyte_cdk.sources.streams.http.requests_native_auth.abstract_token import AbstractHeaderAuthenticator
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .config import ConfigError, Settings
from .errors import MAX_RETRIES, BankErrorHandler, RetryAfterBackoff, api_error_text
from .paging import PER_PAGE, PageToken, next_page_token, transactions_params

REQUEST_TIMEOUT = (10.0, 120.0)


class _WithoutResponseBodies(logging.Filter):
    """The HTTP client logs every response body at debug level; listing pages embed presigned
    download URLs, whose signature is a credential, so bodies are left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "body"):
            record.body = "(not logged: may hold signed download URLs)"
        return True


# The API client's own logger: a child of the connector's logger (same level and output).
HTTP_LOGGER = logging.getLogger("airbyte.bank_api")
HTTP_LOGGER.addFilter(_WithoutResponseBodies())


class SlugSecretAuthenticator(AbstractHeaderAuthenticator):
    """`Authorization: <organization-slug>:<secret-key>` (no scheme, not Base64)."""

    def __init__(self, slug: str, secret: str) -> None:
        self._value = f"{slug}:{secret}"

    @property
    def auth_header(self) -> str:
        return "Authorization"

    @property
    def token(self) -> str:
        return self._value


def make_authenticator(settings: Settings, config: MutableMapping[str, Any]) -> requests.auth.AuthBase:
    credentials = config["credentials"]
    if settings.auth_type == "api_key":
        return SlugSecretAuthenticator(credentials["organization_slug"], credentials["secret_key"])
    # Refresh tokens rotate: the authenticator writes the new one into `config` and prints the
    # CONNECTOR_CONFIG control message so the platform stores it.
    return SingleUseRefreshTokenOauth2Authenticator(
        connector_config=config,
        token_refresh_endpoint=settings.token_url or "",
        refresh_request_headers=settings.extra_headers or None,
        refresh_token_error_status_codes=(400, 401),
        refresh_token_error_key="error",
        refresh_token_error_values=("invalid_grant", "invalid_client", "unauthorized_client", "invalid_request"),
    )


def token_refresh_error(error: requests.RequestException) -> AirbyteTracedException:
    """The token endpoint's refusal is the user's to fix; its outage (429/5xx once the CDK's own
    back-off gave up) is not, and must not ask for a new authorization."""
    response = error.response
    status = response.status_code if response is not None else "no answer"
    detail = api_error_text(response.text) if response is not None else str(type(error).__name__)
    if response is not None and (response.status_code == 429 or response.status_code >= 500):
        return AirbyteTracedException(
            message=f"The OAuth token endpoint kept failing (HTTP {status}: {detail}); the access token could not be refreshed. Try again later.",
            failure_type=FailureType.transient_error,
        )
    return ConfigError(
        f"The OAuth token endpoint refused to refresh the access token (HTTP {status}: {detail}). "
        "Re-authorize the connection to get a new credentials.refresh_token, and check credentials.client_id / client_secret."
    )


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
        )
        self.calls = 0

    def get(self, path: str, params: Optional[Mapping[str, Any]] = None) -> Optional[Dict[str, Any]]:
        """GET a JSON document; None when the bank answers 404."""
        self.calls += 1
        try:
            _, response = self._client.send_request(
                "GET",
                f"{self._settings.api_base}{path}",
                request_kwargs={},
                headers={"Accept": "application/json", **self._settings.extra_headers},
                params=dict(params or {}),
            )
        except requests.HTTPError as error:  # raised by the OAuth token refresh, outside the retry loop
            raise token_refresh_error(error) from None
        except AirbyteTracedException as error:
            if error.failure_type == FailureType.config_error:
                raise
            raise AirbyteTracedException(
                message=_retries_exhausted(error, self._settings.api_base, path),
                internal_message=error.internal_message,
                failure_type=error.failure_type or FailureType.system_error,
            ) from None
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
        updated_at_from: str,
        updated_at_to: str,
        *,
        with_attachments: bool = False,
    ) -> Iterator[Tuple[List[Dict[str, Any]], float]]:
        """Pages (rows, time the page was read) of one account and status(es) with updated_at in
        [from, to], ascending by updated_at; every page is yielded, an empty first one too; a row
        may come twice (inclusive bounds)."""
        token: Optional[PageToken] = PageToken(updated_at_from)
        while token is not None:
            params = transactions_params(bank_account_id, statuses, token, updated_at_to, with_attachments=with_attachments)
            payload = self.get("/v2/transactions", params)
            if payload is None:
                raise AirbyteTracedException(
                    message=f"The bank API answered 404 for the transactions of bank account {bank_account_id}: "
                    "the account no longer exists or is not visible to these credentials."
                )
            rows = payload.get("transactions") or []
            yield rows, time.time()
            token = next_page_token(token, rows, payload.get("meta"))

    def transactions(
        self, bank_account_id: str, status: Union[str, Sequence[str]], updated_at_from: str, updated_at_to: str, *, with_attachments: bool = False
    ) -> Iterator[Tuple[Dict[str, Any], float]]:
        """(transaction, time its page was read), as transaction_pages but row by row."""
        for rows, fetched_at in self.transaction_pages(bank_account_id, status, updated_at_from, updated_at_to, with_attachments=with_attachments):
            yield from ((row, fetched_at) for row in rows)

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
