"""The five steps of `make setup`, each checked before the next (see tools/setup/__main__.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from tools.setup import connectors, validate as v
from tools.setup.google_step import google_step
from tools.setup.estimate import account_label, build_preview, preview_lines
from tools.setup.prompts import Prompter, SetupStopped

BANK_HELP = ("Step 1/5 · The bank (Qonto). In the Qonto web app: Settings > Integrations & partnerships > API key.\n"
             "  Copy the organization slug (the login, e.g. pied-piper-7132) and the secret key. The key reads\n"
             "  accounts, transactions and receipts; it cannot move money. Nothing is shown while you type it.")
@dataclass
class Setup:
    prompter: Prompter
    secrets_dir: Path
    today: dt.date
    machine_zone: str
    bank_api_url: str | None = None
    drive_api_url: str | None = None
    source: dict = field(default_factory=dict)
    destination: dict = field(default_factory=dict)
    client: v.OAuthClient | None = None
    accounts: list = field(default_factory=list)

    @property
    def say(self):
        return self.prompter.say

    # -- step 1 --------------------------------------------------------------------------------
    def bank(self) -> None:
        p = self.prompter
        self.say(BANK_HELP)
        while True:
            auth = p.ask("bank_auth", "Sign in to Qonto with an API key or OAuth (api_key/oauth)",
                         choice("api_key", "oauth"), default="api_key")
            credentials = self._bank_credentials(auth)
            config = {"credentials": credentials, "start_date": f"{self.today.year}-01-01"}
            if p.ask("sandbox", "Qonto sandbox (developer tests only)? (yes/no)", v.yes_no, default="no"):
                config["environment"] = "sandbox"
                config["staging_token"] = p.ask("staging_token", "Staging token", v.secret, secret=True)
            if self.bank_api_url:
                config["api_url"] = self.bank_api_url
            self.say("  checking with the bank…")
            ok, message = connectors.check(connectors.SOURCE, config)
            if ok:
                self.source = config
                break
            self._failed("The bank refused", message)
        self.accounts = connectors.read_streams(self.source, ("bank_accounts",))["bank_accounts"]
        self.say(f"  ✓ connected; {len(self.accounts)} bank account(s):")
        for account in self.accounts:
            self.say(f"    - {account_label(account)}")

    def _bank_credentials(self, auth: str) -> dict:
        p = self.prompter
        if auth == "oauth":
            return {"auth_type": "oauth2.0",
                    "client_id": p.ask("bank_client_id", "Qonto OAuth client ID", v.secret, secret=True),
                    "client_secret": p.ask("bank_client_secret", "Qonto OAuth client secret", v.secret, secret=True),
                    "refresh_token": p.ask("bank_refresh_token", "Qonto refresh token", v.secret, secret=True)}
        return {"auth_type": "api_key",
                "organization_slug": p.ask("organization_slug", "Organization slug", v.organization_slug),
                "secret_key": p.ask("secret_key", "Secret key", v.secret, secret=True)}

    def _failed(self, what: str, message: str) -> None:
        self.say(f"  ✗ {what}: {message or 'no reason given'}")
        if not self.prompter.interactive:
            raise SetupStopped(f"{what}: {message}")
        self.say("  Let's try again.")

    # -- step 2 --------------------------------------------------------------------------------
    def google(self, sign_in: str) -> None:
        google_step(self, sign_in)

    # -- step 3 --------------------------------------------------------------------------------
    def choices(self) -> None:
        p = self.prompter
        self.say("Step 3/5 · What to export and how to file it.")
        given = self.destination   # an existing destination.json's choices are the defaults
        start = p.ask("start_date", "Receipts from which day (YYYY-MM-DD)",
                      lambda text: v.start_date(text, self.today), default=f"{self.today.year}-01-01")
        period = p.ask("period", "One folder per month, quarter or year", v.period, default=given.get("period", "month"))
        zone = p.ask("timezone", "Time zone (files late-evening payments, and the nightly run at 23:30)",
                     v.time_zone, default=given.get("timezone") or self.machine_zone)
        shares = p.ask("share_with", "Share the root folder read-only with (e-mails, comma-separated; Enter: nobody)",
                       v.share_list, default=", ".join(s.get("email", "") for s in given.get("share_with") or []))
        self.source["start_date"] = start
        self.destination.update({"period": period, "timezone": zone, "share_with": shares})

    # -- step 4 --------------------------------------------------------------------------------
    def preview(self) -> bool:
        self.say("Step 4/5 · Preview (read from the bank only; nothing is written to Drive yet)…")
        records = connectors.read_streams(self.source, ("bank_accounts", "receipt_index"))
        preview = build_preview(records["bank_accounts"], records["receipt_index"], self.destination["period"],
                                self.destination["timezone"], len(self.destination["share_with"]))
        for line in preview_lines(preview, self.source["start_date"]):
            self.say("  " + line)
        return self.prompter.ask("confirm", "Save this setup and schedule the nightly sync? (yes/no)", v.yes_no,
                                 default="yes")

    def save(self) -> list[Path]:
        """Write both configs (owner-only), then let the destination's own check create the root folder."""
        self.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new directory: owner only too
        written = [write_private(self.secrets_dir / "source.json", self.source),
                   write_private(self.secrets_dir / "destination.json", self.destination)]
        ok, message = connectors.check(connectors.DESTINATION, self.destination)
        if not ok:
            raise SetupStopped(f"Google Drive check failed: {message}")
        self.say(f"  ✓ saved {', '.join(str(path) for path in written)} (readable by you only); Drive check passed.")
        return written


def write_private(path: Path, config: dict) -> Path:
    """Write JSON readable by the owner only (0600); an earlier file is kept as <name>.bak."""
    if path.exists():
        os.chmod(path, 0o600)
        os.replace(path, path.with_name(path.name + ".bak"))
    temporary = path.with_name(path.name + ".new")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    os.replace(temporary, path)
    return path


def choice(*options: str):
    def check(text: str) -> str:
        value = text.strip().lower().replace("-", "_")
        value = "oauth" if value in ("oauth2", "oauth2.0", "oauth_2.0") else value
        if value not in options:
            raise v.Invalid(f"Choose one of {', '.join(options)}.")
        return value
    return check
