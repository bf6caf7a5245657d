"""Pure guards: token refresh margin, what passes for a receipt, value-free config messages."""

import pytest

from source_bank_receipts.auth import refresh_margin
from source_bank_receipts.config import schema_error_text
from source_bank_receipts.downloads import body_problem, is_html_type, looks_like_html
from source_bank_receipts.pacing import too_many_requests_wait


@pytest.mark.parametrize(
    "lifetime, margin",
    [(3600, 300), (1200, 300), (20, 5), (1, 0.25), (None, 300), (0, 300)],
)
def test_given_token_lifetime_when_margin_computed_then_five_minutes_or_a_quarter(lifetime, margin):
    assert refresh_margin(lifetime) == margin


@pytest.mark.parametrize(
    "head, html",
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\xef\xbb\xbf  \n<html lang=fr>", True),
        (b'<meta http-equiv="refresh" content="0">', True),
        (b"%PDF-1.4\n<html>", False),
        (b"\x89PNG\r\n", False),
        (b"", False),
    ],
)
def test_given_first_bytes_when_sniffed_then_web_pages_recognised(head, html):
    assert looks_like_html(head) is html


@pytest.mark.parametrize(
    "announced_type, announced_size, served_type, head, size, problem",
    [
        ("application/pdf", 10, "application/pdf", b"%PDF-1.4", 10, None),
        ("application/pdf", None, "application/pdf", b"%PDF-1.4", 10, None),
        ("application/pdf", 10, "text/html; charset=utf-8", b"%PDF", 10, "web page"),
        ("image/jpeg", 10, "binary/octet-stream", b"<!doctype html>", 10, "web page"),
        ("text/html", 15, "text/html", b"<html>", 15, None),  # a receipt that is a web page
        ("application/pdf", 10, "application/pdf", b"%PDF", 9, "announced 10"),
    ],
)
def test_given_download_when_checked_against_announcement_then_only_the_receipt_passes(announced_type, announced_size, served_type, head, size, problem):
    found = body_problem(announced_type, announced_size, served_type, head, size)
    assert (found is None) if problem is None else (problem in found)


def test_given_content_types_when_classified_then_html_family_only():
    assert is_html_type("text/html; charset=utf-8") and is_html_type("application/xhtml+xml")
    assert not is_html_type("application/pdf") and not is_html_type(None)


@pytest.mark.parametrize(
    "path, validator, schema, detail, expected",
    [
        (("credentials",), "type", {"type": "object"}, None, "credentials must be an object."),
        (("credentials", "secret_key"), "pattern", {"pattern": "^\\S+$"}, None, "credentials.secret_key does not have the expected form"),
        (("start_date",), "pattern", {"pattern_descriptor": "YYYY-MM-DD"}, None, "(YYYY-MM-DD)"),
        ((), "required", {}, "staging_token", "staging_token is required for the sandbox environment"),
        ((), "required", {}, "start_date", "start_date is required."),
        (("environment",), "enum", {"enum": ["production", "sandbox"]}, None, "one of: production, sandbox"),
        (("credentials",), "oneOf", {}, None, "choose 'API key' or 'OAuth 2.0'"),
    ],
)
def test_given_schema_failure_when_described_then_field_and_rule_only(path, validator, schema, detail, expected):
    assert expected in schema_error_text(path, validator, schema, detail)


@pytest.mark.parametrize("attempt, retry_after, wait", [(0, None, 5), (1, None, 10), (3, None, 40), (9, None, 60), (2, 7.0, 7.0)])
def test_given_429_when_wait_computed_then_doubling_to_a_minute_or_the_servers_ask(attempt, retry_after, wait):
    assert too_many_requests_wait(attempt, retry_after) == wait
