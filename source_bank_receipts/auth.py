"""Authentication to the bank API: the `slug:secret` API key, or OAuth 2.0 with rotating refresh tokens.

Access tokens live one hour (docs.qonto.com, "Create or refresh tokens"). The CDK refreshes only
once `now > expiry`; a request sent in the last instant of a token's life (or refused a little
early because of latency or clock skew) would then come back 401. So the token is refreshed
ahead of its expiry: 5 minutes before, or a quarter of its lifetime for short-lived tokens
(`refresh_margin`). A 401 that still happens is answered by one forced refresh and one retry
(errors.py maps it to the CDK's REFRESH_TOKEN_THEN_RETRY), and teaches the authenticator how early
the bank refuses tokens: later tokens are replaced that much earlier (at most at half their life).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, MutableMapping, Optional, Tuple

import requests
from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.requests_native_auth import SingleUseRefreshTokenOauth2Authenticator
from airbyte_cdk.sources.streams.http.requests_native_auth.abstract_token import AbstractHeaderAuthenticator
from airbyte_cdk.utils.datetime_helpers import AirbyteDateTime, ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from .config import ConfigError, Settings
from .errors import api_error_text

MAX_REFRESH_MARGIN_S = 300.0


def refresh_margin(lifetime_s: Optional[float]) -> float:
    """How long before its expiry a token is replaced: 5 min, or a quarter of a short lifetime."""
    if lifetime_s is None or lifetime_s <= 0:
        return MAX_REFRESH_MARGIN_S
    return min(MAX_REFRESH_MARGIN_S, lifetime_s / 4)


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


class EarlyRefreshOauth2Authenticator(SingleUseRefreshTokenOauth2Authenticator):
    """The CDK's rotating-refresh-token authenticator, refreshing ahead of the token's expiry."""

    _lifetime_s: Optional[float] = None
    _learned_margin_s: float = 0.0

    def margin_s(self) -> float:
        learned = self._learned_margin_s
        if self._lifetime_s:
            learned = min(learned, self._lifetime_s / 2)
        return max(refresh_margin(self._lifetime_s), learned)

    def token_has_expired(self) -> bool:
        return ab_datetime_now() > self.get_token_expiry_date() - timedelta(seconds=self.margin_s())

    def refresh_and_set_access_token(self) -> None:
        # Called after a 401: a token refused with time left shows how early the bank refuses.
        left = (self.get_token_expiry_date() - ab_datetime_now()).total_seconds()
        if left > 0:
            self._learned_margin_s = max(self._learned_margin_s, left * 1.5)
        super().refresh_and_set_access_token()

    def refresh_access_token(self) -> Tuple[str, AirbyteDateTime, Optional[str]]:  # type: ignore[override]
        token, expires_at, refresh_token = super().refresh_access_token()
        # Remembered to scale the margin: the bank announces the lifetime with every token.
        self._lifetime_s = max(0.0, (expires_at - ab_datetime_now()).total_seconds())
        return token, expires_at, refresh_token


def make_authenticator(settings: Settings, config: MutableMapping[str, Any]) -> requests.auth.AuthBase:
    credentials = config["credentials"]
    if settings.auth_type == "api_key":
        return SlugSecretAuthenticator(credentials["organization_slug"], credentials["secret_key"])
    # Refresh tokens rotate: the authenticator writes the new one into `config` and prints the
    # CONNECTOR_CONFIG control message so the platform stores it.
    return EarlyRefreshOauth2Authenticator(
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
