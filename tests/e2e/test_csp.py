"""The pages satisfy their Content-Security-Policy (issue 13, core/security.py): Chromium opens
every page a person can reach by following links — anonymous, a customer's admin and user, an
operator — and nothing is blocked. The interactive flows of the other e2e tests are watched
the same way (`CspWatch` in conftest.py fails any test whose pages had something blocked).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from centrex.accounts.models import User
from tests import test_url_access
from tests.e2e.conftest import CspWatch
from tests.e2e.steps import italian
from tests.test_url_access import Walk

pytestmark = pytest.mark.e2e

# The walk's objects (Bob's SMS, device and question, aliases, an e-mail in the developer
# inbox), so the detail pages have something to show.
walk = test_url_access.walk

# Not followed: leaving (logout is a form anyway), downloads, Django's admin (its own pages),
# the API's JSON; a page's numbered pages and searches are followed once per pattern.
NOT_FOLLOWED = re.compile(r"^/(admin/|api/(?!v1/docs$)|i18n/|accounts/logout/)|\.csv$")
PAGES_PER_PERSON = 60


def _sign_in(page: Page, user: User, portal_url: str) -> None:
    """The browser gets a logged-in session of `user` (the login page has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": portal_url}]
    )


def _pattern_of(path: str, query: str) -> str:
    """Pages that differ only by ids or query values are one page for the walk."""
    return re.sub(r"\d+", "N", path) + ("?" + re.sub(r"=[^&]*", "=", query) if query else "")


def _crawl(page: Page, portal_url: str) -> list[str]:
    """Open "/" and every same-site page linked from what was opened (breadth first, bounded);
    the addresses opened."""
    origin = urlsplit(portal_url).netloc
    queue, seen, opened = deque(["/"]), {_pattern_of("/", "")}, []
    while queue and len(opened) < PAGES_PER_PERSON:
        address = queue.popleft()
        response = page.goto(address)
        assert response is not None and response.status < 500, address
        opened.append(address)
        links = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
        for link in links:
            parts = urlsplit(urldefrag(link)[0])
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            pattern = _pattern_of(parts.path, parts.query)
            if parts.netloc != origin or NOT_FOLLOWED.search(parts.path) or pattern in seen:
                continue
            seen.add(pattern)
            queue.append(target)
    return opened


@pytest.mark.parametrize("person", ["anonymous", "alice", "bob", "operator"])
def test_every_linked_page_satisfies_the_policy(
    new_page: Callable[[], Page],
    csp_watch: CspWatch,
    portal_url: str,
    walk: Walk,
    person: str,
    operator: User,
    alice: User,
    bob: User,
) -> None:
    # given
    page = new_page()
    people = {"operator": operator, "alice": alice, "bob": bob}
    if person in people:
        _sign_in(page, people[person], portal_url)

    # when
    opened = _crawl(page, portal_url)

    # then
    assert len(opened) > (3 if person == "anonymous" else 8), opened
    assert csp_watch.violations == [], "\n".join(csp_watch.violations)


def test_the_sip_account_and_its_qr_code_satisfy_the_policy(
    new_page: Callable[[], Page], csp_watch: CspWatch, portal_url: str, bob: User
) -> None:
    """A new device's page, shown once after «Aggiungi»: the QR code is inline SVG."""
    # given
    page = new_page()
    _sign_in(page, bob, portal_url)
    page.goto("/accounts/opzioni/dispositivi/")

    # when
    page.locator("input[name=name]").fill("Portatile")
    page.locator("form:has(input[name=name]) button[type=submit]").click()

    # then
    expect(page.get_by_role("img", name=italian("QR code of the SIP account"))).to_be_visible()
    assert csp_watch.violations == [], "\n".join(csp_watch.violations)


@pytest.mark.parametrize(
    "address", ["/admin/", "/admin/accounts/user/", "/admin/customers/customer/{esempio}/change/"]
)
def test_the_django_admin_satisfies_the_policy(
    new_page: Callable[[], Page],
    csp_watch: CspWatch,
    portal_url: str,
    walk: Walk,
    operator: User,
    address: str,
) -> None:
    # given
    page = new_page()
    _sign_in(page, operator, portal_url)

    # when
    response = page.goto(address.format(**walk.ids))
    page.wait_for_load_state("networkidle")

    # then
    assert response is not None and response.status == 200
    assert csp_watch.violations == [], "\n".join(csp_watch.violations)


def test_a_blocked_inline_script_is_caught(
    new_page: Callable[[], Page], csp_watch: CspWatch, portal_url: str, db: Any
) -> None:
    """The watch itself: an inline script put into a page is blocked and reported."""
    # given
    page = new_page()
    page.goto("/accounts/login/")

    # when
    with page.expect_console_message(lambda message: "CSP violation" in message.text) as seen:
        page.evaluate(
            """() => { const script = document.createElement("script");
                       script.textContent = "window.ran = true"; document.body.append(script); }"""
        )

    # then
    assert "script-src" in seen.value.text
    assert page.evaluate("() => window.ran") is None
    assert csp_watch.violations
    csp_watch.violations.clear()  # what this test caused on purpose
