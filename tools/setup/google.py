"""The Google step of `make setup`: installed-app sign-in and a read-only look at Drive.

Sign-in is google-auth-oauthlib's InstalledAppFlow (the library Google documents for desktop
apps): a loopback redirect to a port this machine listens on, PKCE, scope drive.file only. On a
machine without a browser the URL is printed and the person pastes back the address the browser
ended on (rclone does the same with `rclone authorize`).
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Callable

from tools.setup.validate import DRIVE_SCOPE, OAuthClient

GOOGLE_DRIVE_URL = "https://www.googleapis.com/"
FOLDER_MIME = "application/vnd.google-apps.folder"
PASTE_REDIRECT = "http://localhost:{port}/"
PASTE_PORT = 8085


def can_open_browser() -> bool:
    import sys
    import webbrowser
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class SignInError(Exception):
    """Sign-in did not give a refresh token; the message says what to do."""


def _flow(client: OAuthClient):
    from google_auth_oauthlib.flow import InstalledAppFlow

    # oauthlib refuses plain http token endpoints; only a loopback emulator is ever plain http.
    if _is_loopback_http(client.token_uri):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    return InstalledAppFlow.from_client_config(client.client_config(), scopes=[DRIVE_SCOPE])


def _is_loopback_http(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


def sign_in_local(client: OAuthClient, open_browser: bool, say: Callable[[str], None], timeout_s: int = 600) -> str:
    """Loopback sign-in; returns the refresh token. The URL is printed too, for another browser."""
    flow = _flow(client)
    prompt = ("Sign in with Google in your browser. If it did not open, open this address on this machine:\n"
              "{url}\n(waiting for Google to send you back here…)")
    try:
        credentials = flow.run_local_server(
            host="localhost", port=0, open_browser=open_browser, authorization_prompt_message=prompt,
            success_message="Signed in: you can close this tab and go back to the terminal.",
            timeout_seconds=timeout_s, access_type="offline", prompt="consent",
        )
    except Exception as error:  # the library's errors carry Google's own reason, never a secret
        raise SignInError(_sign_in_failure(error)) from None
    return _refresh_token(credentials)


def paste_url(client: OAuthClient, port: int = PASTE_PORT) -> tuple[object, str]:
    """The flow and the consent URL for a machine without a browser."""
    flow = _flow(client)
    flow.redirect_uri = PASTE_REDIRECT.format(port=port)
    url, state = flow.authorization_url(access_type="offline", prompt="consent")
    flow.expected_state = state   # each attempt has its own state (and PKCE verifier)
    return flow, url


def finish_pasted(flow, pasted: str) -> str:
    """Exchange the code in the pasted address for a refresh token."""
    pasted = pasted.strip().strip("'\"<>")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(pasted).query)
    if "error" in query:
        raise SignInError(f"Google refused the sign-in ({query['error'][0]}): try again and press Allow.")
    if "code" not in query:
        raise SignInError("That address has no code: paste the whole address of the page the browser ended on "
                          "(it starts with http://localhost).")
    expected = getattr(flow, "expected_state", None)
    if expected and query.get("state", [""])[0] != expected:
        # oauthlib would raise MismatchingStateError ("CSRF Warning!"): the tab of an earlier attempt
        raise SignInError("That address comes from an earlier sign-in attempt (each attempt has its own address): "
                          "open the latest address printed above and paste the address that one ends on.")
    try:
        # the library requires https here even for the loopback redirect (as run_local_server does)
        flow.fetch_token(authorization_response=pasted.replace("http://", "https://", 1))
    except Exception as error:
        raise SignInError(_sign_in_failure(error)) from None
    return _refresh_token(flow.credentials)


def _refresh_token(credentials) -> str:
    if not credentials.refresh_token:
        raise SignInError("Google gave no refresh token: remove this app at https://myaccount.google.com/permissions "
                          "and sign in again.")
    granted = set(credentials.granted_scopes or [DRIVE_SCOPE])
    if granted - {DRIVE_SCOPE}:
        raise SignInError("Google granted more than the drive.file scope; sign in again.")
    return credentials.refresh_token


def shorten(text: str, limit: int = 200) -> str:
    """One line of at most `limit` characters, cut at a word boundary (never mid-word)."""
    flat = " ".join(str(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"


def _sign_in_failure(error: Exception) -> str:
    text = shorten(str(error))
    kind = type(error).__name__
    if "invalid_client" in text:
        return "Google does not know this OAuth client (invalid_client): check the client file or ID and secret."
    if "Timed out" in text or kind == "WSGITimeoutError":
        return "No answer from the browser in time: run the Google step again."
    return f"Sign-in failed ({kind}: {text})."


def drive_look(client: OAuthClient, refresh_token: str, drive_url: str, root_name: str) -> dict:
    """Read-only look with a refresh token just obtained (the client's own token endpoint)."""
    from google.oauth2.credentials import Credentials

    credentials = Credentials(None, refresh_token=refresh_token, client_id=client.client_id,
                              client_secret=client.client_secret, token_uri=client.token_uri, scopes=[DRIVE_SCOPE])
    return look_with(credentials, drive_url, root_name)


def drive_look_config(config: dict, root_name: str) -> dict:
    """Read-only look with a destination config's credentials, built as the destination builds them."""
    from destination_gdrive_receipts.config import parse_config
    from destination_gdrive_receipts.drive.service import build_credentials

    parsed = parse_config(config)
    return look_with(build_credentials(parsed), parsed.drive_api_url, root_name, parsed.parent_folder_id)


def look_with(credentials, drive_url: str, root_name: str, parent_id: str | None = None) -> dict:
    """Whose Drive, free space, whether the root folder exists (in `parent_id`, a shared-drive folder,
    when given). Nothing is written."""
    import google.auth.exceptions
    from google.auth.transport.requests import AuthorizedSession

    session = AuthorizedSession(credentials)
    base = drive_url.rstrip("/") + "/drive/v3/"
    everywhere = {"supportsAllDrives": "true", "includeItemsFromAllDrives": "true"}
    name = root_name.replace("\\", "\\\\").replace("'", "\\'")
    query = f"name = '{name}' and mimeType = '{FOLDER_MIME}' and trashed = false"
    try:
        about = session.get(base + "about", params={"fields": "user(emailAddress),storageQuota"}, timeout=30)
        about.raise_for_status()
        if parent_id:
            parent = session.get(base + "files/" + urllib.parse.quote(parent_id, safe=""), timeout=30,
                                 params={"fields": "id,name,driveId", "supportsAllDrives": "true"})
            if parent.status_code == 404:
                raise SignInError(f"parent_folder_id {parent_id} is not visible to these credentials: add the "
                                  "service account to the shared drive as Content manager.")
            parent.raise_for_status()
            query += f" and '{parent_id}' in parents"
        found = session.get(base + "files", params={"q": query, "fields": "files(id,name)",
                                                    **(everywhere if parent_id else {})}, timeout=30)
        found.raise_for_status()
    except google.auth.exceptions.RefreshError as error:
        reason = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
        raise SignInError(f"Google refused these credentials ({shorten(reason, 120)}): sign in again.") from None
    except SignInError:
        raise
    except Exception as error:
        raise SignInError(f"Google Drive could not be read ({type(error).__name__}: {shorten(str(error), 160)}).") from None
    data = about.json()
    return {"email": (data.get("user") or {}).get("emailAddress"), "quota": data.get("storageQuota") or {},
            "root_found": [f["id"] for f in found.json().get("files", [])]}
