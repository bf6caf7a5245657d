"""OAuth: the /token refresh grant and Bearer checks (401 authError when a token is unknown or expired)."""
from __future__ import annotations

import json
import secrets
import threading
import urllib.parse

from .errors import auth_error
from .installed_app import InstalledApp
from .resources import SA_EMAIL
from .wire import Request, Response

SCOPE = "https://www.googleapis.com/auth/drive.file"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class OAuth:
    def __init__(self):
        self.client_id = f"{secrets.token_hex(6)}-emulator.apps.googleusercontent.com"
        self.client_secret = "GOCSPX-" + secrets.token_urlsafe(18)
        self.refresh_token = "1//" + secrets.token_urlsafe(32)
        self._valid: set[str] = set()
        self._lock = threading.Lock()
        self._sa_key: tuple[str, str, str] | None = None   # (key id, private PEM, public PEM)
        self.service_account_scopes = []                   # the scope claim of each JWT grant
        self.installed_app = InstalledApp(self)   # consent page + authorization_code grant

    def credentials(self) -> dict:
        return {"auth_type": "oauth2.0", "client_id": self.client_id, "client_secret": self.client_secret,
                "refresh_token": self.refresh_token}

    def service_account_info(self, token_uri: str) -> dict:
        """A service-account JSON key whose JWTs this endpoint verifies (RSA key made on first use)."""
        key_id, private_pem, _ = self._service_account_key()
        return {"type": "service_account", "project_id": "emulator-project", "private_key_id": key_id,
                "private_key": private_pem, "client_email": SA_EMAIL, "client_id": "1" * 21,
                "token_uri": token_uri}

    def _service_account_key(self) -> tuple[str, str, str]:
        with self._lock:
            if self._sa_key is None:
                from cryptography.hazmat.primitives import serialization
                from cryptography.hazmat.primitives.asymmetric import rsa
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()).decode()
                public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
                self._sa_key = (secrets.token_hex(20), private_pem, public_pem)
            return self._sa_key

    def _jwt_grant(self, assertion: str) -> Response:
        import google.auth.exceptions
        import google.auth.jwt
        if self._sa_key is None:
            return _grant_error("invalid_grant", "Invalid JWT Signature.")
        try:
            claims = google.auth.jwt.decode(assertion, certs=self._sa_key[2])
        except (ValueError, google.auth.exceptions.GoogleAuthError):
            return _grant_error("invalid_grant", "Invalid JWT Signature.")
        if claims.get("iss") != SA_EMAIL or not str(claims.get("aud", "")).endswith("/token"):
            return _grant_error("invalid_grant", "Invalid JWT: iss or aud mismatch.")
        self.service_account_scopes.append(str(claims.get("scope", "")))   # what was asked, for tests
        return self._token_answer()

    def _token_answer(self) -> Response:
        return Response.json({"access_token": self.issue(), "expires_in": 3600, "token_type": "Bearer", "scope": SCOPE})

    def issue(self) -> str:
        token = "ya29." + secrets.token_urlsafe(32)
        with self._lock:
            self._valid.add(token)
        return token

    def expire_all(self) -> None:
        with self._lock:
            self._valid.clear()

    def check(self, req: Request) -> None:
        scheme, _, token = req.headers.get("authorization", "").partition(" ")
        with self._lock:
            valid = scheme.lower() == "bearer" and token.strip() in self._valid
        if not valid:
            raise auth_error()

    def token_endpoint(self, req: Request) -> Response:
        form = dict(urllib.parse.parse_qsl(req.body.decode("utf-8", "replace")))
        if form.get("grant_type") == JWT_GRANT:
            return self._jwt_grant(form.get("assertion", ""))
        if form.get("grant_type") == "authorization_code":
            return self.installed_app.exchange(form, req.headers)
        if form.get("grant_type") != "refresh_token":
            return Response.json({"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}, 400)
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return Response.json({"error": "invalid_client", "error_description": "The OAuth client was not found."}, 401)
        if form.get("refresh_token") != self.refresh_token:
            return Response.json({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, 400)
        return self._token_answer()


def _grant_error(error: str, description: str) -> Response:
    return Response(400, json.dumps({"error": error, "error_description": description}).encode(),
                    {"Content-Type": "application/json"})
