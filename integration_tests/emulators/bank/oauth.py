"""OAuth 2.0 token endpoint with the bank's rules (qonto.md §2.2).

Access tokens live 3600 s of emulator clock (``access_ttl_s``; docs.qonto.com, "Create or refresh
tokens": "valid for 1 hour"); an expired one is answered 401. ``early_refusal_s`` makes the bank
refuse a token that many seconds before its announced expiry (latency, clock skew between hosts:
nothing documents it, the source must survive it). Refresh tokens rotate: every refresh returns a new
one, and the used one keeps working for 60 s after its first use, then answers invalid_grant.
Client credentials travel in the form body (no Basic header).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from .clock import Clock

ACCESS_TTL_S = 3600
REFRESH_GRACE_S = 60
REFRESH_TTL_S = 90 * 86400
CODE_TTL_S = 600
SCOPE = "offline_access organization.read attachment.read"


@dataclass
class _Refresh:
    issued_at: float
    first_used_at: float | None = None


class OAuthServer:
    def __init__(self, clock: Clock, client_id: str, client_secret: str, access_ttl_s: float = ACCESS_TTL_S,
                 early_refusal_s: float = 0.0) -> None:
        self.clock = clock
        self.access_ttl_s = access_ttl_s
        self.early_refusal_s = early_refusal_s
        self.refreshes = 0
        self.client_id = client_id
        self.client_secret = client_secret
        self._access: dict[str, float] = {}       # token -> expires at (emulator epoch s)
        self._refresh: dict[str, _Refresh] = {}
        self._codes: dict[str, float] = {}
        self._lock = threading.Lock()

    def new_refresh_token(self) -> str:
        token = "ory_rt_" + secrets.token_urlsafe(32)
        with self._lock:
            self._refresh[token] = _Refresh(issued_at=self.clock.now())
        return token

    def new_code(self) -> str:
        code = "ory_ac_" + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = self.clock.now() + CODE_TTL_S
        return code

    def access_valid(self, token: str) -> bool:
        with self._lock:
            expires = self._access.get(token)
        return expires is not None and self.clock.now() < expires - self.early_refusal_s

    def token(self, form: dict[str, str]) -> tuple[int, dict]:
        """Answer a POST to the token endpoint: (HTTP status, JSON body)."""
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return 401, _error("invalid_client", "Client authentication failed (e.g., unknown client, "
                               "no client authentication included, or unsupported authentication method).")
        grant = form.get("grant_type")
        if grant == "refresh_token":
            ok = self._use_refresh(form.get("refresh_token", ""))
        elif grant == "authorization_code":
            ok = self._use_code(form.get("code", ""))
        else:
            return 400, _error("unsupported_grant_type", f"The authorization grant type {grant!r} "
                               "is not supported by the authorization server.")
        if not ok:
            return 400, _error("invalid_grant", "The provided authorization grant (e.g., authorization "
                               "code, resource owner credentials) or refresh token is invalid, expired, "
                               "revoked, does not match the redirection URI used in the authorization "
                               "request, or was issued to another client.")
        return 200, self._issue()

    def _use_refresh(self, token: str) -> bool:
        now = self.clock.now()
        with self._lock:
            record = self._refresh.get(token)
            if record is None or now > record.issued_at + REFRESH_TTL_S:
                return False
            if record.first_used_at is None:
                record.first_used_at = now
                return True
            return now <= record.first_used_at + REFRESH_GRACE_S

    def _use_code(self, code: str) -> bool:
        with self._lock:
            expires = self._codes.pop(code, None)
        return expires is not None and self.clock.now() <= expires

    def _issue(self) -> dict:
        access = "ory_at_" + secrets.token_urlsafe(32)
        with self._lock:
            self._access[access] = self.clock.now() + self.access_ttl_s
            self.refreshes += 1
        return {
            "access_token": access,
            "expires_in": self.access_ttl_s,
            "id_token": "eyJhbGciOiJSUzI1NiJ9." + secrets.token_urlsafe(24) + ".emulated",
            "refresh_token": self.new_refresh_token(),
            "scope": SCOPE,
            "token_type": "bearer",
        }


def _error(code: str, description: str) -> dict:
    return {"error": code, "error_description": description}
