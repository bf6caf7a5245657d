"""Step 2 of `make setup`: the Drive credentials, each form validated by a read-only Drive call.

Four forms, the first one given in the answers wins:
- destination_file: an existing destination.json (another machine's, or an earlier setup's);
- service_account_key_file + parent_folder_id: a service account, filing into a shared drive
  (service accounts have no Drive storage of their own);
- google_refresh_token with the OAuth client (google_client_file, or google_client_id +
  google_client_secret): a token obtained before, e.g. on a machine with a browser;
- otherwise Google's installed-app sign-in (browser, url or paste), with this client.
A sign-in that fails asks what to do next (again, another client, another way, stop) — in a
terminal; unattended, it stops with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from tools.setup import google, validate as v
from tools.setup.prompts import SetupStopped

if TYPE_CHECKING:
    from tools.setup.wizard import Setup

GOOGLE_HELP = ("Step 2/5 · Google Drive. You need your own OAuth client (three steps in console.cloud.google.com):\n"
               "  1. APIs & Services > Library: enable the Google Drive API;\n"
               "  2. OAuth consent screen: External, then Publish app (drive.file needs no review; an app left in\n"
               "     Testing gets refresh tokens that Google expires after 7 days);\n"
               "  3. Credentials > Create credentials > OAuth client ID > Desktop app, then Download JSON.\n"
               "  Give the path of that client_secret_….json (or press Enter to type the client ID and secret).")
AFTER_FAILURE = ("What now: try again (again), another OAuth client (client), sign in another way "
                 "(browser, url or paste), or stop")
GIVEN_FORMS = ("destination_file", "service_account_key_file", "google_refresh_token")


def google_step(setup: "Setup", sign_in: str) -> None:
    """Fill setup.destination's credentials (and root, drive URL) once Drive answered with them."""
    answers = setup.prompter.answers
    if "destination_file" in answers:
        config = _existing_destination(setup)
    elif "service_account_key_file" in answers:
        config = _service_account(setup)
    elif "google_refresh_token" in answers:
        setup.client = ask_client(setup)
        token = setup.prompter.ask("google_refresh_token", "Refresh token", v.secret, secret=True)
        config = _oauth_config(setup, token)
    else:
        setup.say(GOOGLE_HELP)
        setup.client = ask_client(setup)
        _signed_in(setup, sign_in_mode(setup, sign_in))
        return  # _signed_in has looked at Drive already
    try:
        _look(setup, config)
    except google.SignInError as problem:  # given credentials: nothing to sign in again with here
        setup.say(f"  ✗ Google Drive refused the given credentials: {problem}")
        raise SetupStopped(f"Google Drive refused the given credentials: {problem}") from None


def sign_in_mode(setup: "Setup", given: str | None) -> str:
    """browser where one can open here; otherwise ask (an SSH session to a server: paste)."""
    p = setup.prompter
    if given:
        return given
    if "sign_in" in p.answers or not google.can_open_browser():
        return p.ask("sign_in", "No browser can be opened from here. Sign in with a browser on this machine "
                     "(url) or on another one, pasting back where it lands (paste)",
                     _one_of("browser", "url", "paste"), default="paste")
    return "browser"


def ask_client(setup: "Setup") -> v.OAuthClient:
    p = setup.prompter
    client = p.ask("google_client_file", "Path of the client_secret….json (Enter: type ID and secret)",
                   client_file, default="")
    if client is None:
        if setup.drive_api_url:
            setup.say("  A typed client signs in at Google's own endpoints; the client file's auth_uri and "
                      "token_uri are used when you give the file instead.")
        client = v.OAuthClient(p.ask("google_client_id", "Client ID", v.client_id),
                               p.ask("google_client_secret", "Client secret", v.secret, secret=True))
    return client


def _oauth_config(setup: "Setup", token: str) -> dict:
    client = setup.client
    config = {"credentials": {"auth_type": "oauth2.0", "client_id": client.client_id,
                              "client_secret": client.client_secret, "refresh_token": token}}
    return _with_drive_url(setup, config)


def _with_drive_url(setup: "Setup", config: dict) -> dict:
    if setup.drive_api_url:
        config["drive_api_url"] = setup.drive_api_url
    return config


def _existing_destination(setup: "Setup") -> dict:
    config = setup.prompter.ask("destination_file", "Path of an existing destination.json", json_object_file)
    if not isinstance(config.get("credentials"), dict):
        raise SetupStopped("destination_file: it has no \"credentials\" object (see secrets/README.md).")
    return {key: value for key, value in config.items() if not key.startswith("_")}


def _service_account(setup: "Setup") -> dict:
    p = setup.prompter
    key = p.ask("service_account_key_file", "Path of the service account's JSON key", service_account_key)
    parent = p.ask("parent_folder_id", "ID of the shared-drive folder to file into", folder_id)
    return _with_drive_url(setup, {"credentials": {"auth_type": "service_account", "service_account_info": key},
                                   "parent_folder_id": parent})


def _signed_in(setup: "Setup", mode: str) -> dict:
    """The installed-app sign-in, until Drive answers or the person stops."""
    p = setup.prompter
    while True:
        try:
            token = _sign_in(setup, mode)
            config = _oauth_config(setup, token)
            _look(setup, config)
            return config
        except google.SignInError as problem:
            setup.say(f"  ✗ Google sign-in did not finish: {problem}")
            if not p.interactive:
                raise SetupStopped(f"Google sign-in did not finish: {problem}") from None
            action = p.ask("after_sign_in_failure", AFTER_FAILURE,
                           _one_of("again", "client", "browser", "url", "paste", "stop"), default="again")
            if action == "stop":
                raise SetupStopped("stopped at the Google step; nothing was saved. Run `make setup` again "
                                   "(or `make try` to rehearse against the emulators).") from None
            if action == "client":
                p.used.discard("google_client_file")
                p.answers.pop("google_client_file", None)
                setup.client = ask_client(setup)
            elif action != "again":
                mode = action


def _sign_in(setup: "Setup", mode: str) -> str:
    if mode == "paste":
        flow, url = google.paste_url(setup.client)
        setup.say("Open this address in a browser on any machine, sign in and press Allow:\n" + url)
        setup.say("The browser then fails to load a http://localhost… page: that is expected.")
        setup.prompter.used.discard("redirect_url")   # an address is good for one attempt only
        pasted = setup.prompter.ask("redirect_url", "Paste the whole address of that page", _text)
        return google.finish_pasted(flow, pasted)
    return google.sign_in_local(setup.client, open_browser=(mode == "browser"), say=setup.say)


def _look(setup: "Setup", config: dict) -> None:
    """Ask the root folder's name, then a read-only Drive call with these credentials; raises SignInError."""
    p = setup.prompter
    default = config.get("root_folder_name") or "Qonto"
    root = setup.destination.get("root_folder_name") or p.ask(
        "root_folder_name", "Name of the root folder in your Drive", v.folder_name, default=default)
    setup.destination["root_folder_name"] = root
    try:
        look = google.drive_look_config({**config, "root_folder_name": root}, root)
    except google.SignInError:
        raise
    except Exception as error:  # the destination's own config check: a message, no secret
        message = getattr(error, "message", None) or str(error)
        raise google.SignInError(google.shorten(message)) from None
    free = look["quota"].get("limit")
    used = int(look["quota"].get("usage") or 0)
    from tools.sync_report import human_bytes

    space = "unlimited" if free is None else human_bytes(max(0, int(free) - used)) + " free"
    where = "exists (it will be used)" if look["root_found"] else "will be created at the first sync"
    setup.say(f"  ✓ signed in{' as ' + look['email'] if look['email'] else ''}; Drive: {space}.")
    scope = "" if config["credentials"].get("auth_type") == "service_account" else \
        " Only what this app creates is visible to it (drive.file)."
    setup.say(f"  Root folder '{root}': {where}.{scope}")
    setup.destination = {**config, **setup.destination, "root_folder_name": root}


def client_file(text: str):
    if not text.strip():
        return None
    return v.oauth_client_file(_read(text))


def _read(text: str) -> str:
    path = Path(v.unquote_path(text)).expanduser()
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise v.Invalid(f"Cannot read {path}: {getattr(error, 'strerror', None) or 'not a text file'}.") from None


def json_object_file(text: str) -> dict:
    try:
        data = json.loads(_read(text))
    except ValueError:
        raise v.Invalid("That file is not JSON: give the path of a destination.json.") from None
    if not isinstance(data, dict):
        raise v.Invalid("That file must hold a JSON object (a destination.json).")
    return data


def service_account_key(text: str) -> str:
    content = _read(text)
    try:
        data = json.loads(content)
    except ValueError:
        raise v.Invalid("That file is not JSON: download the service account's key again (JSON).") from None
    if not isinstance(data, dict) or data.get("type") != "service_account" or not data.get("private_key"):
        raise v.Invalid("That file is not a service account key (type service_account, with a private_key).")
    return content


def folder_id(text: str) -> str:
    value = text.strip()
    if not value or any(c.isspace() or c in "/?&'" for c in value):
        raise v.Invalid("Give the folder's ID: the last part of its address in Drive (…/folders/<ID>).")
    return value


def _one_of(*options: str):
    def check(text: str) -> str:
        value = text.strip().lower()
        if value not in options:
            raise v.Invalid(f"Choose one of {', '.join(options)}.")
        return value
    return check


def _text(text: str) -> str:
    if not text.strip():
        raise v.Invalid("Paste the address (it starts with http://localhost).")
    return text.strip()
