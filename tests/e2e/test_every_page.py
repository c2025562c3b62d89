"""Every page of the portal in Chromium, at a phone's size and a desktop's (issue 14, "Done
when"): each is opened as the person who uses it, screenshotted to
test-results/screenshots/<width>/<name>.png (git-ignored; emptied at each run), and fails when
it scrolls sideways, when an element overflows the viewport, when English of the catalogues
(the portal's and Django's) shows on the Italian page, when axe-core finds a serious or critical
WCAG 2.1 AA violation, or when the Content-Security-Policy blocked something
(tests/e2e/page_checks.py says how each check decides; mark data that is no message, such as
e-mail headers, `translate="no"`).

`PAGES` names one visit for each page (a GET URL pattern answering HTML, tests/test_url_access.py's
`ROUTES`, their arguments filled with its walk's objects); `FLOWS` reach the pages only an action
shows (a device just added, the two-step set-up and its recovery codes, the sign-in's code, forms
sent with errors); `test_phone_menu` opens the shell's menu at 390 px. `test_every_page_is_walked`
fails for a new pattern until it has its visit (or a reason in `NOT_PAGES`). One live server,
one browser and one data set serve the whole module: a test's failure message lists every
problem of its page.

Run alone: `.venv/bin/pytest --db=sqlite tests/e2e/test_every_page.py` (and `--db=postgres`);
`-k 390` for the phone's size only, `-k alias` for some pages.
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connections
from django.test import modify_settings, override_settings
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.live_server_helper import LiveServer

import tests.conftest as cast
from centrex.accounts.actions import UserData, create_user
from centrex.accounts.tokens import password_link_tokens
from centrex.aliases.actions.decisions import approve_alias
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.customers.models import Customer
from centrex.verification.actions import set_own_mobile
from tests.e2e.conftest import RESULTS_DIR, CspWatch, italian_context
from tests.e2e.page_checks import EnglishCatalogue, page_problems, serve_axe
from tests.test_url_access import ROUTES, Walk, make_walk, url_patterns

# The marker makes pytest-django create the test database; `_django_db_helper` below keeps it
# from wrapping each test (one committed data set, emptied at the end of the module).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

SIZES = {390: 844, 1366: 900}
SCREENSHOTS = RESULTS_DIR / "screenshots"


@dataclass(frozen=True)
class Visit:
    """Who opens the page, and its arguments as names of the walk's objects when they are not
    ROUTES' own."""

    route: str
    person: str
    args: dict[str, str] = field(default_factory=dict)
    query: str = ""


PAGES: dict[str, Visit] = {
    # signed out
    "home-signed-out": Visit("", "anonymous"),
    "login": Visit("accounts/login/", "anonymous"),
    "password-reset": Visit("accounts/password-reset/", "anonymous"),
    "password-reset-sent": Visit("accounts/password-reset/sent/", "anonymous"),
    "set-password-invitation": Visit(
        "accounts/set-password/<str:uidb64>/<str:token>/",
        "anonymous",
        {"uidb64": "invited_uid", "token": "invited_token"},
    ),
    "set-password-reset": Visit(
        "accounts/set-password/<str:uidb64>/<str:token>/", "anonymous", query="?purpose=reset"
    ),
    "privacy": Visit("privacy/", "anonymous"),
    "login-code-nobody-pending": Visit("accounts/login/codice/", "anonymous"),
    "sender-rules": Visit("communicator/regole-mittenti-sms/", "alice"),
    "dev-inbox": Visit("dev/inbox/", "anonymous"),
    "dev-inbox-email": Visit("dev/inbox/<str:name>/", "anonymous"),
    # a customer's admin
    "dashboard-admin": Visit("area-clienti/", "alice"),
    "users": Visit("impostazioni/utenti/", "alice"),
    "user-new": Visit("impostazioni/utenti/nuovo/", "alice"),
    "user-import": Visit("impostazioni/utenti/importa/", "alice"),
    "user-edit": Visit("impostazioni/utenti/<int:pk>/", "alice"),
    "user-device-revoke": Visit(
        "impostazioni/utenti/<int:pk>/dispositivi/<int:device_pk>/revoca/", "alice"
    ),
    "extensions": Visit("impostazioni/interni/", "alice"),
    "company-data": Visit("impostazioni/dati-aziendali/", "alice"),
    "security": Visit("impostazioni/sicurezza/", "alice"),
    "activity": Visit("impostazioni/registro/", "alice"),
    "communicator": Visit("communicator/", "alice"),
    "aliases": Visit("communicator/alias/", "alice"),
    "alias-new": Visit("communicator/alias/nuovo/", "alice"),
    "alias-request": Visit("communicator/alias/<int:pk>/richiesta/", "alice"),
    "sms-usage": Visit("communicator/sms/consumo/", "alice"),
    "sender-policy": Visit("communicator/mittenti-sms/", "alice"),
    # a plain user
    "dashboard-user": Visit("area-clienti/", "bob"),
    "account-options": Visit("accounts/opzioni/", "bob"),
    "two-step": Visit("accounts/opzioni/verifica-in-due-passaggi/", "bob"),
    "mobile": Visit("accounts/opzioni/cellulare/", "bob"),
    "mobile-verify": Visit("accounts/opzioni/cellulare/verifica/", "bob"),
    "mobile-remove": Visit("accounts/opzioni/cellulare/rimuovi/", "bob"),
    "devices": Visit("accounts/opzioni/dispositivi/", "bob"),
    "device-revoke": Visit("accounts/opzioni/dispositivi/<int:device_pk>/revoca/", "bob"),
    "sms-send": Visit("communicator/sms/", "bob"),
    "sms-sent": Visit("communicator/sms/inviati/", "bob"),
    "sms-message": Visit("communicator/sms/inviati/<int:pk>/", "bob"),
    "help": Visit("impostazioni/aiuto/", "bob"),
    "question-new": Visit("impostazioni/aiuto/domanda/", "bob"),
    "question": Visit("impostazioni/aiuto/domanda/<int:pk>/", "bob"),
    # the provider's operator
    "backoffice": Visit("backoffice/", "operator"),
    "bo-customers": Visit("backoffice/clienti/", "operator"),
    "bo-customer-new": Visit("backoffice/clienti/nuovo/", "operator"),
    "bo-customer": Visit("backoffice/clienti/<int:pk>/", "operator"),
    "bo-customer-edit": Visit("backoffice/clienti/<int:pk>/modifica/", "operator"),
    "bo-extensions": Visit("backoffice/clienti/<int:pk>/interni/", "operator"),
    "bo-sip-domain": Visit("backoffice/clienti/<int:pk>/dominio-sip/", "operator"),
    "bo-user-new": Visit("backoffice/clienti/<int:pk>/utenti/nuovo/", "operator"),
    "bo-user-edit": Visit("backoffice/clienti/<int:pk>/utenti/<int:user_pk>/", "operator"),
    "bo-activity": Visit("backoffice/registro/", "operator"),
    "bo-aliases": Visit("backoffice/alias/", "operator"),
    "bo-alias-pending": Visit("backoffice/alias/<int:pk>/", "operator"),
    "bo-alias-approved": Visit("backoffice/alias/<int:pk>/", "operator", {"pk": "approved_alias"}),
    "bo-alias-words": Visit("backoffice/alias/parole/", "operator"),
    "bo-alias-registry": Visit("backoffice/alias/registro/", "operator"),
    "bo-sms-tracing": Visit("backoffice/sms/tracciabilita/", "operator"),
    "bo-sms-usage": Visit("backoffice/sms/consumo/", "operator"),
    "bo-questions": Visit("backoffice/domande/", "operator"),
    "bo-question": Visit("backoffice/domande/<int:pk>/", "operator"),
    "operator-options": Visit("accounts/opzioni/", "operator"),
}

# GET patterns that answer no page of their own.
NOT_PAGES = {
    "impostazioni/registro/export.csv": "a CSV download",
    "impostazioni/utenti/importa/esempio.csv": "a CSV download (Importa da CSV's example)",
    "communicator/sms/inviati/export.csv": "a CSV download",
    "communicator/sms/inviati/<int:pk>/stato/": "a fragment of sms-message (htmx polling)",
    "backoffice/sms/tracciabilita/export.csv": "a CSV download",
    "communicator/sms/consumo/export.csv": "a CSV download",
    "backoffice/sms/consumo/export.csv": "a CSV download",
    "backoffice/alias/registro/export.csv": "a CSV download",
    "backoffice/registro/export.csv": "a CSV download",
    "metrics": "Prometheus' text",
    "^api/": "the API's problem+json",
}


def test_every_page_is_walked() -> None:
    """A new page needs its visit: every GET pattern of the URL map is in PAGES or NOT_PAGES."""
    # given
    gets = {route for route in url_patterns() if "get" in ROUTES[route].methods}
    # when
    visited = {visit.route for visit in PAGES.values()}
    # then
    assert sorted(gets - visited - set(NOT_PAGES)) == [], "add a visit to PAGES"
    assert sorted((visited | set(NOT_PAGES)) - gets) == [], "these are no GET pattern any more"
    assert not visited & set(NOT_PAGES)


# --- One data set, one server, one browser context per person and size ------------------


@dataclass
class World:
    """The module's live server, the walk's objects, and a browser tab per person and size."""

    url: str
    browser: Any
    english: EnglishCatalogue
    walk: Walk = field(init=False)
    esempio: Customer = field(init=False)
    tabs: dict[tuple[str, int], tuple[Any, CspWatch]] = field(default_factory=dict)
    contexts: list[Any] = field(default_factory=list)

    def context(self, person: str | None, width: int, watch: CspWatch) -> Any:
        """A new browser context of `width`, signed in as `person` (a Django test client's
        session, as test_url_access's walk has them) unless None."""
        context = italian_context(self.browser, self.url, watch, width=width, height=SIZES[width])
        serve_axe(context)
        if person is not None:
            name = django_settings.SESSION_COOKIE_NAME
            session = self.walk.clients[person].cookies[name].value
            context.add_cookies([{"name": name, "value": session, "url": self.url}])
        self.contexts.append(context)
        return context

    def tab(self, person: str, width: int) -> tuple[Any, CspWatch]:
        """The person's tab at `width`, opened once for the module."""
        if (person, width) not in self.tabs:
            watch = CspWatch()
            signed_in = None if person == "anonymous" else person
            self.tabs[person, width] = (self.context(signed_in, width, watch).new_page(), watch)
        return self.tabs[person, width]

    def address(self, visit: Visit) -> str:
        spec = ROUTES[visit.route]
        return self.walk.url(visit.route, replace(spec, args=spec.args | visit.args)) + visit.query


def _requests_finished(timeout: float = 5.0) -> None:
    """Wait (bounded) for the live server's request threads, ending as the browser closes its
    sockets: none must use the shared database connection once the server is stopped."""
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(max(0.0, deadline - time.monotonic()))


class ModuleSettings:
    """pytest-django's `settings`, for a whole module: each setting changed until `restore()`."""

    def __init__(self) -> None:
        self.overrides: list[override_settings] = []

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "overrides":
            object.__setattr__(self, name, value)
            return
        override = override_settings(**{name: value})
        override.enable()
        self.overrides.append(override)

    def restore(self) -> None:
        for override in reversed(self.overrides):
            override.disable()


def _data_set(world: World, settings: ModuleSettings, directory: Path) -> None:
    """test_url_access's walk (the cast, Bob's SMS, device and question, a draft and a pending
    alias, an e-mail in the developer inbox), an approved alias, Bob's number waiting for its
    code, live invitation and reset links, and who sets up two-step verification."""
    operator = cast.make_operator()
    world.esempio = esempio = cast.make_esempio(operator)
    alice = cast.make_alice(esempio, operator)
    bob = cast.make_bob(esempio, operator, alice)
    carla = cast.make_carla(cast.make_altra(operator), operator)
    world.walk = make_walk(settings, directory, operator, esempio, alice, bob, carla)
    approved = submit_alias(
        create_alias(esempio, "EsempioShop", acting_user=alice),
        consent=True,
        acting_user=alice,
        ip_address="192.0.2.1",
        language="it",
    )
    world.walk.ids["approved_alias"] = approve_alias(approved, acting_user=operator).pk
    set_own_mobile(bob, "+393401234567")
    # The links of an invitation (a new user) and of a reset (Bob's: the walk's sign-ins moved
    # his last login, which the link's token covers)
    invited = create_user(
        esempio,
        UserData(email="marco.neri@esempio.example", first_name="Marco", last_name="Neri"),
        acting_user=alice,
    )
    bob.refresh_from_db()
    world.walk.ids |= {
        "invited_uid": urlsafe_base64_encode(force_bytes(invited.pk)),
        "invited_token": password_link_tokens.make_token(invited),
        "bob_link_token": password_link_tokens.make_token(bob),
    }
    for width in SIZES:  # `_two_step`
        create_user(
            esempio,
            UserData(email=_two_step_email(width), first_name="Dora", last_name="Dupré"),
            acting_user=alice,
            password=cast.PASSWORD,
        )


@pytest.fixture
def _django_db_helper() -> None:
    """pytest-django's wrapping of each test in a transaction (or a flush), not wanted here:
    the tests share one committed data set (`world`), and a test's open transaction would lock
    the live server out of a file SQLite database (the suite's, when SIP tests run). This
    overrides a fixture of pytest-django's by its name: check it when pytest-django changes."""


@pytest.fixture(scope="module")
def world(
    django_db_setup: None,
    django_db_blocker: Any,
    browser: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Generator[World, None, None]:
    """The module's data set (`_data_set`), served by a live server of its own; the database
    emptied after, as a transactional test leaves it."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)  # only this run's pages
    settings = ModuleSettings()
    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        allowed_hosts = modify_settings(ALLOWED_HOSTS={"append": "localhost"})
        world = World(server.url, browser, EnglishCatalogue())
        try:
            allowed_hosts.enable()
            settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
            settings.CENTREX_BASE_URL = server.url
            _data_set(world, settings, tmp_path_factory.mktemp("walk"))
            yield world
        finally:
            for context in world.contexts:
                context.close()
            _requests_finished()
            allowed_hosts.disable()
            server.stop()
            settings.restore()
            call_command("flush", interactive=False, verbosity=0)
            # The connections this fixture opened (Playwright's event loop gives it a context of
            # its own): PostgreSQL drops the test database only when none is left.
            connections.close_all()


# --- The checks --------------------------------------------------------------------------


def _screenshot(page: Any, width: int, name: str) -> Path:
    target = SCREENSHOTS / str(width) / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return target


def _checked(page: Any, watch: CspWatch, world: World, width: int, name: str) -> list[str]:
    """The page's problems, its screenshot taken; what the CSP blocked since the last check."""
    page.wait_for_load_state("load")
    _screenshot(page, width, name)
    problems = page_problems(page, world.english)
    problems += [f"CSP blocked: {violation}" for violation in watch.violations]
    watch.violations.clear()
    return [f"{name}: {problem}" for problem in problems]


PARAMS = [(name, width) for width in SIZES for name in PAGES]


@pytest.mark.parametrize(("name", "width"), PARAMS, ids=[f"{n}-{w}" for n, w in PARAMS])
def test_page(world: World, name: str, width: int) -> None:
    # given
    visit = PAGES[name]
    page, watch = world.tab(visit.person, width)
    watch.violations.clear()
    # when
    address = world.address(visit)
    response = page.goto(address)
    # then
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"{name}: {address} answered {response and response.status}")
    problems += _checked(page, watch, world, width, name)
    assert not problems, f"{address} as {visit.person}:\n" + "\n".join(problems)


# --- Pages an action shows ---------------------------------------------------------------


def _submit(page: Any, form: str) -> None:
    """Press the submit button of the form matching `form`, and wait for the next page."""
    with page.expect_navigation():
        page.locator(f"{form} [type=submit]").first.click()


def _device_created(world: World, width: int) -> list[str]:
    """Opzioni Account > Dispositivi Communicator: add one, its SIP account is shown once."""
    page, watch = world.tab("bob", width)
    page.goto("/accounts/opzioni/dispositivi/")
    page.locator("input[name=name]").fill(f"Portatile {width}")
    _submit(page, "form:has(input[name=name])")
    return _checked(page, watch, world, width, "device-created")


def _two_step_email(width: int) -> str:
    return f"due.passaggi.{width}@esempio.example"


def _two_step(world: World, width: int) -> list[str]:
    """A new user sets up two-step verification (the QR code, then the recovery codes), then
    signs in again: the sign-in's second step asks for the code."""
    email = _two_step_email(width)
    watch = CspWatch()
    page = world.context(None, width, watch).new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(cast.PASSWORD)
    _submit(page, "form:has(input[name=password])")
    page.goto("/accounts/opzioni/verifica-in-due-passaggi/")
    _submit(page, "form:has(input[name=action][value=start])")
    problems = _checked(page, watch, world, width, "two-step-setup")
    secret = page.locator("code[data-secret]").inner_text().strip()
    page.locator("input[name=code]").fill(pyotp.TOTP(secret).now())
    _submit(page, "form:has(input[name=action][value=confirm])")
    problems += _checked(page, watch, world, width, "two-step-recovery-codes")
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(cast.PASSWORD)
    _submit(page, "form:has(input[name=password])")
    assert re.search(r"/accounts/login/codice/", page.url), page.url
    problems += _checked(page, watch, world, width, "login-code")
    return problems


# Forms sent as a hurried person sends them (empty, a short password, a wrong one): the page
# with the errors, each said in Italian next to its field.
FORMS_WITH_ERRORS: dict[str, tuple[str, dict[str, str]]] = {
    "login-errors": (
        "login",
        {"input[name=email]": "alice@esempio.example", "input[name=password]": "sbagliata"},
    ),
    "set-password-errors": ("set-password-invitation", {"input[type=password]": "abc"}),
    "user-new-errors": ("user-new", {}),
    "question-new-errors": ("question-new", {}),
    "alias-new-errors": ("alias-new", {}),
    "sender-policy-errors": ("sender-policy", {}),
    "company-data-errors": (
        "company-data",
        {"input[name=pec]": "non-una-pec", "input[name=phone]": "12"},
    ),
    "mobile-errors": ("mobile", {"input[name=number]": "123"}),
    "bo-customer-new-errors": ("bo-customer-new", {}),
    "bo-user-new-errors": ("bo-user-new", {}),
}
FORM = "main form:has(:is(input:not([type=hidden]), textarea, select))"


def _form_with_errors(name: str) -> Callable[[World, int], list[str]]:
    """The flow of FORMS_WITH_ERRORS[name]: open the page, fill the fields given, send its form
    (the first in `<main>` with a field)."""
    page_name, fields = FORMS_WITH_ERRORS[name]

    def send(world: World, width: int) -> list[str]:
        visit = PAGES[page_name]
        page, watch = world.tab(visit.person, width)
        page.goto(world.address(visit))
        form = page.locator(FORM).first
        for selector, value in fields.items():
            for field_ in form.locator(selector).all():
                field_.fill(value)
        # The server's errors, not the browser's own bubbles for `required` fields
        form.evaluate("(form) => { form.noValidate = true; }")
        with page.expect_navigation():
            form.locator("[type=submit]").first.click()
        return _checked(page, watch, world, width, name)

    return send


FLOWS: dict[str, Callable[[World, int], list[str]]] = {
    "device-created": _device_created,
    "two-step": _two_step,
    **{name: _form_with_errors(name) for name in FORMS_WITH_ERRORS},
}
FLOW_PARAMS = [(name, width) for width in SIZES for name in FLOWS]


@pytest.mark.parametrize(("name", "width"), FLOW_PARAMS, ids=[f"{n}-{w}" for n, w in FLOW_PARAMS])
def test_page_after_action(world: World, name: str, width: int) -> None:
    # when
    problems = FLOWS[name](world, width)
    # then
    assert not problems, "\n".join(problems)


def test_phone_menu(world: World) -> None:
    """Below 768 px the menu is a button (the shell's navbar-toggler) opening the sidebar as an
    offcanvas: the opened menu passes the checks too."""
    # given
    page, watch = world.tab("alice", 390)
    page.goto("/area-clienti/")
    toggler = page.locator("button.navbar-toggler[aria-controls=sidebar]")
    if toggler.count() == 0:
        pytest.skip("no menu button (button.navbar-toggler[aria-controls=sidebar]) yet: the shell")
    # when
    toggler.first.click()
    page.locator("#sidebar.show").wait_for(state="visible")
    # Bootstrap's slide-in is over when `showing` goes (bounded by the context's timeout)
    page.wait_for_function("() => !document.querySelector('#sidebar.showing')")
    # then
    problems = _checked(page, watch, world, 390, "menu-open")
    assert not problems, "\n".join(problems)
