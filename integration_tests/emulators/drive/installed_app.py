"""Google's installed-app (Desktop app) sign-in: the consent page and the authorization_code grant.

What the real endpoints do, and where it is written down:
- https://developers.google.com/identity/protocols/oauth2/native-app ("OAuth 2.0 for iOS & Desktop
  Apps"): the app sends the browser to the authorization endpoint with client_id, redirect_uri,
  response_type=code, scope, state and a PKCE code_challenge (S256); after consent Google
  redirects to redirect_uri with `code`, `state` and `scope`; the app posts grant_type=
  authorization_code with code, client_id, client_secret, redirect_uri and code_verifier to the
  token endpoint and gets access_token, expires_in, refresh_token, scope and token_type. A code
  is used once; a reused or unknown one gets `invalid_grant`.
- Loopback redirects (http://127.0.0.1:<any port>/ or http://localhost:<port>/) are what desktop
  clients use; any port is accepted (RFC 8252 section 7.3; Google's "Loopback IP address
  migration" page keeps them for desktop apps). Anything else is refused with redirect_uri_mismatch.
- The client library: googleapis/google-auth-library-python-oauthlib, google_auth_oauthlib/flow.py
  (`run_local_server` listens on the loopback port; `authorization_url` adds the S256 challenge;
  `fetch_token` sends the verifier).
The consent page has one button ("Allow"), so a real browser drives it; the code is bound to the
client, redirect URI and challenge it was issued for.
"""
from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import urllib.parse
from dataclasses import dataclass

from .wire import Request, Response

AUTH_PATH = "/o/oauth2/auth"
APPROVE_PATH = "/o/oauth2/approve"
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


@dataclass(frozen=True)
class _Grant:
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None


class InstalledApp:
    """Consent page + code exchange, sharing the client and tokens of the emulator's OAuth."""

    def __init__(self, oauth):
        self._oauth = oauth
        self._codes: dict[str, _Grant] = {}
        self._lock = threading.Lock()
        self.consents = 0          # how many times a person pressed Allow (tests read it)

    def client_file(self, base_url: str) -> dict:
        """A client_secret*.json as the Cloud console downloads it, pointing at this emulator."""
        return {"installed": {"client_id": self._oauth.client_id, "client_secret": self._oauth.client_secret,
                              "project_id": "emulator-project", "auth_uri": base_url + AUTH_PATH.lstrip("/"),
                              "token_uri": base_url + "token", "redirect_uris": ["http://localhost"]}}

    def authorize(self, req: Request) -> Response:
        problem = self._problem(req.query)
        if problem:
            return _page(400, "Access blocked: authorization error", f"Error 400: {problem}")
        fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in sorted(req.query.items()))
        body = (f"<p>Bank receipts (emulated Google) wants to access your Google Account.</p>"
                f"<p>See, edit, create and delete only the specific Google Drive files you use with this app "
                f"({html.escape(req.query.get('scope', ''))}).</p>"
                f'<form method="post" action="{APPROVE_PATH}">{fields}'
                f'<button id="submit_approve_access" type="submit">Allow</button></form>')
        return _page(200, "Sign in - Google Accounts", body)

    def approve(self, req: Request) -> Response:
        form = dict(urllib.parse.parse_qsl(req.body.decode("utf-8", "replace")))
        problem = self._problem(form)
        if problem:
            return _page(400, "Access blocked: authorization error", f"Error 400: {problem}")
        code = "4/0A" + secrets.token_urlsafe(40)
        challenge = form.get("code_challenge")
        with self._lock:
            self._codes[code] = _Grant(form["client_id"], form["redirect_uri"], form["scope"],
                                       _normalised_challenge(challenge, form.get("code_challenge_method")))
            self.consents += 1
        query = urllib.parse.urlencode({"state": form.get("state", ""), "code": code, "scope": form["scope"]})
        separator = "&" if "?" in form["redirect_uri"] else "?"
        return Response(302, b"", {"Location": form["redirect_uri"] + separator + query})

    def exchange(self, form: dict, headers: dict | None = None) -> Response:
        """grant_type=authorization_code at the token endpoint.

        The client authenticates in the form or with HTTP Basic (requests-oauthlib, under
        google-auth-oauthlib, uses Basic): Google's discovery document lists both,
        token_endpoint_auth_methods_supported = client_secret_post, client_secret_basic
        (https://accounts.google.com/.well-known/openid-configuration)."""
        form = {**form, **_basic_client((headers or {}).get("authorization", ""))}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)   # a code is single-use
        if form.get("client_id") != self._oauth.client_id or form.get("client_secret") != self._oauth.client_secret:
            return Response.json({"error": "invalid_client", "error_description": "The OAuth client was not found."}, 401)
        if grant is None or grant.client_id != form.get("client_id"):
            return Response.json({"error": "invalid_grant", "error_description": "Malformed auth code."}, 400)
        if grant.redirect_uri != form.get("redirect_uri"):
            return Response.json({"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, 400)
        if grant.challenge and _s256(form.get("code_verifier", "")) != grant.challenge:
            return Response.json({"error": "invalid_grant", "error_description": "Invalid code verifier."}, 400)
        return Response.json({"access_token": self._oauth.issue(), "expires_in": 3599, "token_type": "Bearer",
                              "scope": grant.scope, "refresh_token": self._oauth.refresh_token})

    def _problem(self, params: dict) -> str | None:
        if params.get("client_id") != self._oauth.client_id:
            return "invalid_client (The OAuth client was not found.)"
        if params.get("response_type") != "code":
            return "unsupported_response_type"
        if not _is_loopback(params.get("redirect_uri", "")):
            return "redirect_uri_mismatch (desktop clients redirect to a loopback address)"
        if not params.get("scope"):
            return "invalid_request (Missing required parameter: scope)"
        return None


def _basic_client(header: str) -> dict:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, client_secret = base64.b64decode(value.strip()).decode().partition(":")
    except ValueError:
        return {}
    unquote = urllib.parse.unquote_plus   # RFC 6749 section 2.3.1: form-encoded, then Basic
    return {"client_id": unquote(client_id), "client_secret": unquote(client_secret)}


def _is_loopback(uri: str) -> bool:
    parts = urllib.parse.urlsplit(uri)
    host = parts.netloc.rsplit(":", 1)[0] if not parts.netloc.startswith("[") else parts.netloc.split("]")[0] + "]"
    return parts.scheme == "http" and host in _LOOPBACK_HOSTS


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def _normalised_challenge(challenge: str | None, method: str | None) -> str | None:
    """Store the S256 form, so a plain challenge is checked the same way."""
    if not challenge:
        return None
    return challenge if (method or "plain") == "S256" else _s256(challenge)


def _page(status: int, title: str, body: str) -> Response:
    text = f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>"
    return Response(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})
