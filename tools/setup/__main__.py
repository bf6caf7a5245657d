"""`make setup`: connect the bank and Google Drive, preview, and schedule the nightly sync.

    python -m tools.setup [--answers FILE] [--non-interactive] [--sign-in browser|url|paste]
                          [--schedule auto|systemd|cron|none] [--dry-run-schedule] …

Asks each question with a default and checks each step before the next. Every answer can also
come from an answers file (JSON object keyed like the flags: organization_slug, secret_key,
google_client_file, start_date, period, timezone, root_folder_name, share_with, schedule, …),
for automation. Configs are written to secrets/ readable by the owner only; no secret is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

from tools.setup import validate as v
from tools.setup.prompts import Prompter, SetupStopped
from tools.setup.schedule import Nightly
from tools.setup.scheduler import Scheduler
from tools.setup.wizard import Setup, can_open_browser, choice

ANSWER_KEYS = """answers file keys (a JSON object; any key left out is asked, or its default used):
  bank:    bank_auth (api_key|oauth), organization_slug, secret_key, sandbox (yes|no), staging_token,
           bank_client_id, bank_client_secret, bank_refresh_token
  google:  google_client_file, or google_client_id + google_client_secret; sign_in (browser|url|paste),
           redirect_url (paste mode), root_folder_name
  filing:  start_date (YYYY-MM-DD), period (month|quarter|year), timezone (IANA), share_with (e-mails)
  finish:  confirm (yes|no), schedule (systemd|cron|none)"""
_FLAG_ANSWERS = ("organization_slug", "google_client_file", "start_date", "period", "timezone", "root_folder_name",
                 "share_with", "schedule")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make setup", description=__doc__.split("\n\n")[0], epilog=ANSWER_KEYS,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", type=Path, help="JSON file of answers (may hold the secrets; keep it private)")
    parser.add_argument("--non-interactive", action="store_true", help="never ask: a missing or wrong answer stops")
    parser.add_argument("--sign-in", choices=["browser", "url", "paste"],
                        help="browser: open it here; url: print the address, this machine receives the answer; "
                             "paste: headless, paste back the address the browser ended on (default: browser if any)")
    parser.add_argument("--dry-run-schedule", action="store_true", help="print the schedule instead of installing it")
    parser.add_argument("--secrets", type=Path, default=Path("secrets"))
    parser.add_argument("--state-dir", type=Path, default=Path(".local-sync"))
    parser.add_argument("--bank-api-url", help="another Qonto API origin (an emulator or a proxy)")
    parser.add_argument("--drive-api-url", help="another Google API root (an emulator or a proxy)")
    for name in _FLAG_ANSWERS:  # the non-secret answers, as flags too
        parser.add_argument("--" + name.replace("_", "-"), dest=name,
                            help="systemd, cron or none (default: systemd where it runs)" if name == "schedule" else None)
    return parser.parse_args(argv)


def load_answers(args: argparse.Namespace) -> dict:
    answers = {}
    if args.answers:
        try:
            answers = json.loads(args.answers.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise SetupStopped(f"Cannot read the answers file {args.answers}: {getattr(error, 'strerror', None) or error}")
        if not isinstance(answers, dict):
            raise SetupStopped(f"The answers file {args.answers} must hold a JSON object.")
    answers.update({name: getattr(args, name) for name in _FLAG_ANSWERS if getattr(args, name) is not None})
    if isinstance(answers.get("share_with"), list):
        answers["share_with"] = ", ".join(answers["share_with"])
    return answers


def machine_zone() -> str:
    def read(path: str) -> str | None:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError:
            return None
    link = os.path.realpath("/etc/localtime") if os.path.islink("/etc/localtime") else None
    return v.machine_time_zone(os.environ.get("TZ"), link, read("/etc/timezone"))


def sign_in_mode(args: argparse.Namespace, prompter: Prompter) -> str:
    """browser where one can open here; otherwise ask (an SSH session to a server: paste)."""
    if args.sign_in:
        return args.sign_in
    if "sign_in" in prompter.answers or not can_open_browser():
        return prompter.ask("sign_in", "No browser can be opened from here. Sign in with a browser on this machine "
                            "(url) or on another one, pasting back where it lands (paste)",
                            choice("browser", "url", "paste"), default="paste")
    return "browser"


def schedule_step(setup: Setup, args: argparse.Namespace, scheduler: Scheduler) -> None:
    p = setup.prompter
    setup.say("Step 5/5 · The nightly sync at 23:30.")
    default = "systemd" if scheduler.has_systemd() else "cron" if shutil.which("crontab") else "none"
    if default == "none":
        setup.say("  Neither a running systemd nor cron was found on this machine.")
    kind = p.ask("schedule", "Schedule with systemd, cron, or none", _schedule_choice(default), default=default)
    if kind == "none":
        setup.say("  No schedule installed: run `make sync` yourself, or `make setup` again later.")
        return
    nightly = Nightly(zone=setup.destination["timezone"])
    python = str(Path(sys.executable))
    scheduler.install(nightly, kind, python, machine_zone(), dry_run=args.dry_run_schedule)


def _schedule_choice(default: str):
    def check(text: str) -> str:
        value = text.strip().lower() or default
        value = default if value == "auto" else value
        if value not in ("systemd", "cron", "none"):
            raise v.Invalid("Choose systemd, cron or none.")
        return value
    return check


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        answers = load_answers(args)
        interactive = not args.non_interactive and sys.stdin.isatty()
        prompter = Prompter(answers, interactive)
        setup = Setup(prompter, args.secrets, dt.date.today(), machine_zone(), args.bank_api_url, args.drive_api_url)
        sign_in = sign_in_mode(args, prompter)
        setup.bank()
        setup.google(sign_in)
        setup.choices()
        if not setup.preview():
            setup.say("Nothing saved. Run `make setup` again when you are ready.")
            return 0
        setup.save()
        scheduler = Scheduler(repo=Path.cwd().resolve(), state_dir=args.state_dir, home=Path.home())
        schedule_step(setup, args, scheduler)
        setup.say("Done. The first night backfills everything since the start date; `make status` shows how it went.")
        return 0
    except SetupStopped as stop:
        print(f"Setup stopped: {stop}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nSetup interrupted: nothing was saved unless it said so above.", file=sys.stderr)
        return 130
    except Exception as error:  # last resort: one line, never a traceback (messages carry no secret)
        print(f"Setup failed ({type(error).__name__}): {' '.join(str(error).split())[:300]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
