"""Asking one question at a time: from an answers file / flags first, else from the person.

A wrong answer prints why and asks again (interactive), or stops with that message and exit code 2
(scripted: there is nobody to ask). Secrets are read without echo and never printed back.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from typing import Any, Callable

from tools.setup.validate import Invalid


class SetupStopped(Exception):
    """Setup cannot go on; the message says what to fix (printed without traceback, exit 2)."""


@dataclass
class Prompter:
    answers: dict[str, Any]
    interactive: bool
    out: Callable[[str], None] = print
    read: Callable[[str], str] = input
    read_secret: Callable[[str], str] = getpass.getpass
    used: set = field(default_factory=set)

    def say(self, text: str = "") -> None:
        self.out(text)

    def ask(self, key: str, question: str, check: Callable[[str], Any], default: str | None = None,
            secret: bool = False, help: str | None = None) -> Any:
        """The checked answer to `question`; `key` names it in the answers file."""
        if key in self.answers and key not in self.used:
            self.used.add(key)  # a given answer is tried once: when wrong, the person is asked
            try:
                return check(str(self.answers[key]))
            except Invalid as problem:
                if not self.interactive:
                    raise SetupStopped(f"{key}: {problem}") from None
                self.say(f"  ✗ {problem}")
        if not self.interactive:
            if default is None:
                raise SetupStopped(f"No answer for {key}: give it in the answers file (or run make setup in a terminal).")
            return check(default)
        if help:
            self.say(help)
        shown = "" if default is None or secret else f" [{default}]"
        while True:
            try:
                text = (self.read_secret if secret else self.read)(f"{question}{shown}: ")
            except EOFError:
                raise SetupStopped("Setup stopped: no more answers.") from None
            text = text if text.strip() or default is None else default
            try:
                return check(text)
            except Invalid as problem:
                self.say(f"  ✗ {problem}")
