"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Without chromium the tests are skipped with a visible reason, except on CI (CI set), where a
missing browser is a failure: a green CI run must mean the browser tests actually ran.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.factories import PASSWORD

# Playwright's sync API keeps an asyncio event loop running in this thread; Django would otherwise
# refuse ORM calls made from it (factories, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Every element these screens need is there within a fraction of a second; the bound is ten seconds because CI
# machines are shared and a stalled second or two must not fail a run (a real hang still fails quickly).
TIMEOUT_MS = 10_000

# base.html links its own favicon, so no console noise is expected at all.
IGNORED_CONSOLE_URL_SUFFIXES: tuple[str, ...] = ()

# Runs in every document before the page's own scripts: forwards CSP violations to Python.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  if (window.__clinicdeskReportCsp) {
    window.__clinicdeskReportCsp({directive: e.violatedDirective, blocked: e.blockedURI,
                                  source: e.sourceFile, line: e.lineNumber, sample: e.sample});
  }
});
"""


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium not installed, but CI is set: browser tests must run on CI "
                        "(install Debian's chromium package).", pytrace=False)
        pytest.skip("chromium not installed: browser tests skipped")

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageProblems:
    """What the browser complained about while a test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[dict[str, Any]] = field(default_factory=list)

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if url.endswith(IGNORED_CONSOLE_URL_SUFFIXES):
            return
        self.console_errors.append(f"{message.text} @ {url}")

    def all(self) -> list[Any]:
        return [*self.console_errors, *self.page_errors, *self.csp_violations]

    def assert_none(self) -> None:
        assert not self.all(), (
            f"console errors: {self.console_errors}\n"
            f"uncaught page errors: {self.page_errors}\n"
            f"CSP violations: {self.csp_violations}"
        )


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser, live_server, page_problems):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", page_problems.on_console)
    page.on("pageerror", lambda error: page_problems.page_errors.append(str(error)))
    page.expose_function("__clinicdeskReportCsp", lambda violation: page_problems.csp_violations.append(violation))
    page.add_init_script(_CSP_LISTENER)
    try:
        yield page
    finally:
        context.close()


WIDE_SCREEN = {"width": 1400, "height": 900}  # a desktop screen: wide tables and side panels, for screenshots


@pytest.fixture
def sign_in_as(live_server):
    """Sign in through the real form, the way a person does; waits for the home screen.

    `wide`: a 1400 x 900 desktop viewport first. `slow_server`: page loads may take 60 s and other waits 30 s
    (the first page of a cold live server on a loaded machine); both last for the rest of the page's test."""

    def sign_in(page, user, password: str = PASSWORD, *, wide: bool = False, slow_server: bool = False) -> None:
        if slow_server:
            page.set_default_navigation_timeout(60_000)
            page.set_default_timeout(30_000)
        if wide:
            page.set_viewport_size(WIDE_SCREEN)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in

