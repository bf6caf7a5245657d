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
import os
import sys
from pathlib import Path

from tools.setup import answers as given, validate as v
from tools.setup.prompts import Prompter, SetupStopped
from tools.setup.schedule_step import choose_and_install, sync_command
from tools.setup.scheduler import Scheduler
from tools.setup.google import can_open_browser, shorten
from tools.setup.wizard import Setup

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make setup", description=__doc__.split("\n\n")[0], epilog=given.ANSWER_KEYS,
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
    for name in given.FLAG_ANSWERS:  # the non-secret answers, as flags too
        parser.add_argument("--" + name.replace("_", "-"), dest=name,
                            help="systemd, cron or none (default: systemd where it runs)" if name == "schedule" else None)
    return parser.parse_args(argv)


def machine_zone() -> str:
    def read(path: str) -> str | None:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError:
            return None
    link = os.path.realpath("/etc/localtime") if os.path.islink("/etc/localtime") else None
    return v.machine_time_zone(os.environ.get("TZ"), link, read("/etc/timezone"))


def schedule_step(setup: Setup, args: argparse.Namespace, scheduler: Scheduler) -> bool:
    setup.say("Step 5/5 · The nightly sync at 23:30.")
    sync = sync_command(Path.cwd(), args.secrets, args.state_dir)
    return choose_and_install(setup.prompter, scheduler, setup.destination["timezone"], sync, machine_zone(),
                              dry_run=args.dry_run_schedule)


def check_before_network(answers: dict, args: argparse.Namespace, interactive: bool) -> None:
    """Every answer that needs no network checked before the bank is called: unattended, all must be
    right and present; in a terminal, the wrong ones are listed now and asked when their turn comes."""
    if interactive:
        for problem in given.problems(answers, dt.date.today(), unattended=False):
            print(f"  ✗ answers file: {problem} (you will be asked for it)")
        return
    found = given.problems(answers, dt.date.today(), unattended=True)
    forms = [key for key in ("destination_file", "service_account_key_file", "google_refresh_token") if key in answers]
    mode = args.sign_in or answers.get("sign_in") or ("browser" if can_open_browser() else "paste")
    if not forms and mode == "paste" and not any(text.startswith("sign_in:") for text in found):
        found.append("sign_in: no browser here and nobody to paste the address the browser ends on (it changes at "
                     "every attempt): give google_refresh_token, destination_file or service_account_key_file, "
                     "or run make setup in a terminal.")
    if found:
        raise SetupStopped("nothing was checked with the bank or Google yet, nothing saved; fix the answers:\n  "
                           + "\n  ".join(found))


def finish(setup: Setup, args: argparse.Namespace, scheduled: bool) -> int:
    """The last words, true to what happened; 3 when an unattended setup was told to schedule and could not."""
    if scheduled and not args.dry_run_schedule:
        setup.say("Done. The first night backfills everything since the start date; `make status` shows how it went.")
        return 0
    what = "the schedule above was only printed (--dry-run-schedule)" if scheduled else "nothing is scheduled"
    setup.say(f"Done: the configs are saved in {args.secrets}/; {what}. `make sync` runs a sync now, "
              "`make schedule` installs the nightly one.")
    asked = str(setup.prompter.answers.get("schedule", "auto")).lower()
    return 3 if not scheduled and not setup.prompter.interactive and asked in ("systemd", "cron") else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    saved = ""
    try:
        answers = given.load_answers(args.answers, {name: getattr(args, name) for name in given.FLAG_ANSWERS})
        interactive = not args.non_interactive and sys.stdin.isatty()
        check_before_network(answers, args, interactive)
        prompter = Prompter(answers, interactive)
        setup = Setup(prompter, args.secrets, dt.date.today(), machine_zone(), args.bank_api_url, args.drive_api_url)
        setup.bank()
        setup.google(args.sign_in)
        setup.choices()
        if not setup.preview():
            setup.say("Nothing saved. Run `make setup` again when you are ready.")
            return 0
        setup.save()
        saved = f" (the configs in {args.secrets}/ are saved: `make schedule` installs the nightly sync)"
        scheduler = Scheduler(repo=Path.cwd().resolve(), state_dir=args.state_dir, home=Path.home())
        return finish(setup, args, schedule_step(setup, args, scheduler))
    except SetupStopped as stop:
        print(f"Setup stopped: {stop}{saved}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nSetup interrupted: nothing was saved unless it said so above.", file=sys.stderr)
        return 130
    except Exception as error:  # last resort: one line, never a traceback (messages carry no secret)
        print(f"Setup failed ({type(error).__name__}): {shorten(str(error), 300)}{saved}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
