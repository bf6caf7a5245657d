"""A real headless Chromium (the distribution's package) pressing Allow on the consent page.

Driven through Playwright's Python API with the system browser as executable, so no browser is
downloaded; tests skip, saying why, where either is missing.
"""
from __future__ import annotations

import os
import shutil

import pytest

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    explicit = os.environ.get("SETUP_TEST_CHROMIUM")
    return explicit or next(filter(None, (shutil.which(name) for name in _CANDIDATES)), None)


def require_browser() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium on this machine (apt-get install chromium); the browser sign-in cannot run")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright is not installed (pip install playwright; the system Chromium is used)")
    return path


def approve(url: str, *, intercept_redirect: bool = False, timeout_ms: int = 60_000) -> str:
    """Open the consent URL, press Allow; return the address the browser was sent back to.

    intercept_redirect: nothing listens on this machine (the headless case), so the loopback
    address is caught instead of loaded, as a person copies it from the address bar."""
    from playwright.sync_api import sync_playwright

    caught: list[str] = []
    with sync_playwright() as playwright:
        # --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start
        browser = playwright.chromium.launch(executable_path=require_browser(), headless=True,
                                             args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_default_timeout(timeout_ms)
            if intercept_redirect:
                def catch(route):
                    caught.append(route.request.url)
                    route.fulfill(status=200, body="caught")
                page.route("http://localhost:*/**", catch)
            page.goto(url)
            page.click("#submit_approve_access")
            page.wait_for_url("http://localhost:*/**")
            if not intercept_redirect:
                page.wait_for_selector("text=Signed in")
            return caught[0] if caught else page.url
        finally:
            browser.close()
