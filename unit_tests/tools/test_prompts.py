"""One question at a time: from the answers file first, then from the person."""

import pytest

from tools.setup import validate as v
from tools.setup.prompts import Prompter, SetupStopped


def prompter(answers, typed=(), interactive=True):
    typed, shown = list(typed), []
    p = Prompter(answers, interactive, out=shown.append, read=lambda q: (shown.append(q), typed.pop(0))[1],
                 read_secret=lambda q: (shown.append(q), typed.pop(0))[1])
    return p, shown


def test_given_an_answer_in_the_file_when_asked_then_nobody_is_asked():
    p, shown = prompter({"period": "quarter"})
    assert p.ask("period", "Period", v.period, default="month") == "quarter" and shown == []


def test_given_a_wrong_answer_in_the_file_when_interactive_then_the_person_is_told_and_asked():
    p, shown = prompter({"timezone": "Europe/Pariss"}, typed=["Europe/Paris"])
    assert p.ask("timezone", "Time zone", v.time_zone, default="UTC") == "Europe/Paris"
    assert shown[0].startswith("  ✗ Europe/Pariss is not a time zone name.") and shown[1] == "Time zone [UTC]: "


def test_given_a_wrong_answer_in_the_file_when_unattended_then_setup_stops_naming_the_key():
    p, _ = prompter({"period": "weekly"}, interactive=False)
    with pytest.raises(SetupStopped, match="period: Choose one of month, quarter, year."):
        p.ask("period", "Period", v.period, default="month")


def test_given_no_answer_and_no_default_when_unattended_then_setup_stops_saying_where_to_give_it():
    p, _ = prompter({}, interactive=False)
    with pytest.raises(SetupStopped, match="No answer for secret_key"):
        p.ask("secret_key", "Secret key", v.secret, secret=True)


def test_given_enter_when_asked_then_the_default_is_used_and_checked():
    p, _ = prompter({}, typed=[""])
    assert p.ask("period", "Period", v.period, default="month") == "month"


def test_given_a_secret_when_asked_then_the_default_is_not_shown_and_the_answer_not_echoed():
    p, shown = prompter({}, typed=["", "s3cr3t"])
    assert p.ask("secret_key", "Secret key", v.secret, secret=True) == "s3cr3t"
    assert "s3cr3t" not in "".join(shown) and shown[0] == "Secret key: "


def test_given_the_answers_run_out_when_asked_then_setup_stops_cleanly():
    def eof(_question):
        raise EOFError
    p = Prompter({}, True, out=lambda _t: None, read=eof)
    with pytest.raises(SetupStopped, match="no more answers"):
        p.ask("period", "Period", v.period, default="month")
