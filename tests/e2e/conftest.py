"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

No browser is downloaded (`playwright install` is never run): the tests launch
/usr/bin/chromium, which `make test` installs from Debian, and skip with that hint when it is
missing (under `make test`, which sets CENTREX_REQUIRE_BROWSER, they fail instead). Pages open in Italian (it-IT), as a customer's administrator sees them. When a test
fails, a screenshot and the page's HTML go to `test-results/` for the post-mortem.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.smsc import SmsEngine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
# Fail fast: every page of the portal answers in well under a second on the live server.
ACTION_TIMEOUT_MS = 10_000

_call_report = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_call_report] = report
    return report


@pytest.fixture(scope="package")
def browser() -> Generator[Any, None, None]:
    """One Chromium for the e2e tests (each test gets fresh contexts)."""
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
        if os.environ.get("CENTREX_REQUIRE_BROWSER"):
            pytest.fail(missing)  # `make test`: the pages are part of the suite
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls from
    # a thread with a running loop unless told that this use (tests only) is fine. Only while
    # the browser lives, so the rest of the suite keeps Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def portal_url(live_server: Any, settings: Any) -> str:
    """The live server's address; links in e-mails (invitations) point at it."""
    url = str(live_server.url)
    settings.CENTREX_BASE_URL = url
    return url


# Every frame reports what the Content-Security-Policy blocked (issue 13) on the console, where
# `CspWatch` reads it; Chromium also logs its own "Refused to …" errors there.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""
CSP_MESSAGE = re.compile(r"CSP violation|Content Security Policy", re.IGNORECASE)


class CspWatch:
    """What the policy blocked on the pages of one test, each with the page's address."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def watch(self, page: Any) -> None:
        def on_console(message: Any) -> None:
            if message.type == "error" and CSP_MESSAGE.search(message.text):
                self.violations.append(f"{page.url}: {message.text}")

        page.on("console", on_console)


@pytest.fixture
def csp_watch() -> CspWatch:
    return CspWatch()


def italian_context(
    browser: Any, base_url: str, csp_watch: CspWatch, *, width: int = 1280, height: int = 900
) -> Any:
    """A fresh browser context (its own cookies: one person) as the e2e tests open pages: in
    Italian, in Rome's time zone, every wait bounded, and what the Content-Security-Policy
    blocks reported to `csp_watch`."""
    context = browser.new_context(
        base_url=base_url,
        locale="it-IT",
        timezone_id="Europe/Rome",
        viewport={"width": width, "height": height},
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("page", csp_watch.watch)
    return context


@pytest.fixture
def new_page(
    browser: Any, portal_url: str, request: pytest.FixtureRequest, csp_watch: CspWatch
) -> Generator[Callable[[], Any], None, None]:
    """`new_page()`: a page in a fresh browser context (its own cookies: one person), in
    Italian. Every page opened is captured to test-results/ if the test fails, and the test
    fails if the Content-Security-Policy blocked anything on them (issue 13)."""
    contexts: list[Any] = []

    def open_page() -> Any:
        context = italian_context(browser, portal_url, csp_watch)
        contexts.append(context)
        return context.new_page()

    yield open_page

    report = request.node.stash.get(_call_report, None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                target = RESULTS_DIR / f"{stem}-{n}{m}"
                try:
                    page.screenshot(path=f"{target}.png", full_page=True)
                    Path(f"{target}.html").write_text(page.content(), encoding="utf-8")
                except Exception as error:  # a crashed page must not hide the test's failure
                    print(f"could not capture {target}: {error}")
    for context in contexts:
        context.close()
    if csp_watch.violations and not (report is not None and report.failed):
        pytest.fail("the Content-Security-Policy blocked:\n" + "\n".join(csp_watch.violations))


@pytest.fixture
def page(new_page: Callable[[], Any]) -> Any:
    """The first person's page (the administrator in most tests)."""
    return new_page()


@pytest.fixture
def builtin_smsc(sms_engine: SmsEngine, settings: Any) -> SmsEngine:
    """As `centrex run` has it: CENTREX_SMSC_URL=builtin (here the test's simulator) and the
    developer inbox on, showing what the simulator received."""
    settings.CENTREX_SMSC_URL = "builtin"
    settings.CENTREX_BUILTIN_SMSC_PORT = sms_engine.simulator.port
    settings.CENTREX_DEV_INBOX = True
    return sms_engine
