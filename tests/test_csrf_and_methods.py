"""Every page walked for its methods and CSRF (issue 13, security pass), as
tests/test_url_access.py walks them for their people.

For each URL pattern of `centrex.urls`, as each person the page is for (its `ROUTES` entry
there says who, and fills the arguments):
- a GET changes nothing in the database; a pattern whose entry tries only POST answers GET
  with 405 (pages that act show a form or a confirmation to GET, and act on POST only);
- a POST without the CSRF token, from a browser that sends the session cookie, is refused
  (403) and changes nothing.

Not walked here, with the reason:
- `api/v1/` — the HTTP API authenticates API clients by bearer token, which a browser never
  sends on its own, so ninja's views are exempt from Django's CSRF middleware; a caller using
  the browser's session instead goes through ninja's own CSRF check
  (`test_the_api_with_the_session_needs_the_csrf_token`).
- `^api/` — the API's catch-all 404 (problem+json, `core.views.api_not_found`) is
  `csrf_exempt` for the same reason: it answers API clients, and changes nothing.
- `admin/` — Django's admin, CSRF-protected by Django (`test_the_django_admin_needs_the_csrf_token`).

A new pattern fails here until test_url_access.py's ROUTES has its entry.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import User
from centrex.aliases.models import AliasSettings
from tests import test_url_access
from tests.test_url_access import (
    ROUTES,
    Answer,
    Walk,
    database_state,
    people_and_answers,
    url_patterns,
)

# The walk's objects and ids, as test_url_access.py makes them.
walk = test_url_access.walk

# Patterns exempt from the CSRF middleware, and why (see the module's docstring).
CSRF_EXEMPT = {
    "^api/": "the API's catch-all 404: API clients use bearer tokens; it changes nothing",
}

# Patterns whose entry tries only POST but whose GET is no 405, and why: a GET must still change
# nothing.
GET_NOT_REFUSED = {
    "i18n/setlang/": "Django's set_language: a GET only redirects, the language changes on POST",
}

PATTERNS = sorted(url_patterns())


def _browser_of(person: str, people: dict[str, User]) -> Client:
    """A browser that checks CSRF as real ones are checked, logged in as `person`."""
    client = Client(enforce_csrf_checks=True)
    if person != "anonymous":
        client.force_login(people[person])
    return client


@pytest.fixture
def people(operator: User, alice: User, bob: User, carla: User) -> dict[str, User]:
    return {"operator": operator, "alice": alice, "bob": bob, "carla": carla}


def test_the_walk_covers_every_pattern() -> None:
    assert [route for route in PATTERNS if route not in ROUTES] == [], (
        "add these patterns to tests/test_url_access.py's ROUTES"
    )
    assert set(CSRF_EXEMPT) | set(GET_NOT_REFUSED) <= set(PATTERNS)


@pytest.mark.parametrize("route", PATTERNS, ids=[f"/{route}" for route in PATTERNS])
def test_a_get_changes_nothing_and_a_post_needs_the_csrf_token(
    walk: Walk, people: dict[str, User], route: str
) -> None:
    # given
    spec = ROUTES[route]
    url = walk.url(route, spec)
    # The one-row alias settings are made, with their defaults, by the first page that reads
    # them: bookkeeping, not a change a GET made.
    AliasSettings.current()
    own_people = [person for person, answer in people_and_answers(spec) if answer == Answer.SERVED]
    wrong: list[str] = []
    for person in own_people:
        browser = _browser_of(person, people)
        before = database_state()

        # when
        got = browser.get(url)
        posted = browser.post(url, spec.data)

        # then
        refuses_get = "get" not in spec.methods and route not in GET_NOT_REFUSED
        if refuses_get and got.status_code != 405:
            wrong.append(f"{person}: GET answered {got.status_code}, not 405")
        if route in CSRF_EXEMPT:
            assert posted.status_code < 500
        elif posted.status_code != 403:
            wrong.append(f"{person}: POST without the CSRF token answered {posted.status_code}")
        if database_state() != before:
            wrong.append(f"{person}: the database changed")
    assert not wrong, f"/{route}: " + "; ".join(wrong)


def test_the_csrf_refusal_is_the_portals_page(people: dict[str, User]) -> None:
    # when
    response = _browser_of("alice", people).post(reverse("accounts:user_create"), {})

    # then
    assert response.status_code == 403
    assert [template.name for template in response.templates][:1] == ["403_csrf.html"]


def test_a_post_with_the_token_goes_through(people: dict[str, User]) -> None:
    """The check refuses only what lacks the token: the same POST with it is served."""
    # given
    browser = _browser_of("bob", people)
    browser.get(reverse("accounts:options"))
    token = browser.cookies["csrftoken"].value

    # when
    response = browser.post(
        reverse("accounts:options"),
        {
            "form": "account",
            "first_name": "Roberto",
            "language": "it",
            "csrfmiddlewaretoken": token,
        },
    )

    # then
    assert response.status_code == 302
    people["bob"].refresh_from_db()
    assert people["bob"].first_name == "Roberto"


def test_the_api_with_the_session_needs_the_csrf_token(people: dict[str, User]) -> None:
    # given
    browser = _browser_of("bob", people)
    raw, _token = issue_api_token(people["bob"])

    # when: the browser's session without the token, then a bearer client (no cookie, no CSRF)
    by_session = browser.patch("/api/v1/me", {"first_name": "Mallory"}, "application/json")
    by_bearer = Client(enforce_csrf_checks=True).patch(
        "/api/v1/me",
        {"first_name": "Roberto"},
        "application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )

    # then
    assert by_session.status_code in (401, 403)
    assert by_bearer.status_code == 200
    people["bob"].refresh_from_db()
    assert people["bob"].first_name == "Roberto"


def test_the_django_admin_needs_the_csrf_token(people: dict[str, User]) -> None:
    # given
    browser = _browser_of("operator", people)
    before = database_state()

    # when
    response = browser.post(reverse("admin:logout"))
    added = browser.post("/admin/accounts/user/add/", {"email": "mallory@example.com"})

    # then
    assert response.status_code == added.status_code == 403
    assert database_state() == before
