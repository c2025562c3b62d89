"""Every page of the portal walked as the wrong people (R-B1, R-C3), as
tests/test_api_tenancy.py walks the API.

`ROUTES` has one entry per URL pattern of `centrex.urls`, keyed by its route string: who the
page is for, how to fill its arguments with objects of customer Esempio, and the methods to
try. Each is requested as an anonymous visitor (→ the login page, or an answer for a public
page), as Bob (a plain user of Esempio: admin and operator pages are 403), as Carla (admin of
Altra S.p.A.: Esempio's objects are 404, as a missing id is) and, for the back office, as
Alice (Esempio's admin: 403); every refused request leaves the database as it was. The people
the page is for are let in last, which proves the arguments were filled right.

A new pattern fails `test_every_url_pattern_is_in_the_walk` until it has its entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.mail import EmailMessage, get_connection
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.fixtures import Settings

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import User
from centrex.accounts.tokens import password_link_tokens
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.actions.word_lists import add_generic_word, add_reserved_name
from centrex.communicator.actions import create_device
from centrex.customers.models import Customer, Extension
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import enqueue_sms
from centrex.support.actions import ask_question

# Patterns with rules of their own, walked elsewhere.
NOT_WALKED_HERE = {
    # Django's admin: a second tool for active operators (`User.is_staff`), with its own login
    # page and a catch-all pattern; tests/backoffice/test_admin.py.
    "admin/": "Django admin",
    # The HTTP API: tests/test_api_tenancy.py walks every endpoint of its OpenAPI.
    "api/v1/": "HTTP API",
}


class Audience(Enum):
    """Who a page is for."""

    PUBLIC = "anyone, logged in or not"
    SIGNED_IN = "anyone logged in, operators included"
    CUSTOMER_USER = "a customer's users, of any role"
    CUSTOMER_ADMIN = "a customer's admins"
    BUSINESS_ADMIN = "a business customer's admins (R-A3)"
    OPERATOR = "the provider's operators (R-B1)"
    THIS_MACHINE = "a scraper on this machine, or with the metrics token"
    NOBODY = "nobody: a 404 for every caller"


@dataclass(frozen=True)
class Route:
    """How to walk one URL pattern: its audience, its arguments as names of objects of the
    walk (`Walk.ids`), the methods to try and the POST body its audience would send."""

    audience: Audience
    args: dict[str, str] = field(default_factory=dict)
    methods: tuple[str, ...] = ("get",)
    data: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # for a regular expression: an address it matches


GET, POST, BOTH = ("get",), ("post",), ("get", "post")
USER = {"pk": "bob"}
CUSTOMER = {"pk": "esempio"}
USER_EDIT = {
    "email": "bob@esempio.example",
    "first_name": "Mallory",
    "last_name": "Bianchi",
    "role": "admin",
    "language": "it",
    "extension": "",
}

ROUTES: dict[str, Route] = {
    # The site's root sends everyone somewhere: the login page, the customer area, the back
    # office.
    "": Route(Audience.PUBLIC),
    # accounts
    "accounts/login/": Route(Audience.PUBLIC, methods=BOTH),
    "accounts/logout/": Route(Audience.PUBLIC, methods=POST),
    "accounts/password-reset/": Route(Audience.PUBLIC, methods=BOTH),
    # The sign-in's second step: nobody is pending, so everyone goes back to the login page.
    "accounts/login/codice/": Route(Audience.PUBLIC, methods=BOTH),
    "accounts/opzioni/verifica-in-due-passaggi/": Route(Audience.SIGNED_IN, methods=BOTH),
    "impostazioni/sicurezza/": Route(Audience.CUSTOMER_ADMIN, methods=BOTH),
    "impostazioni/registro/": Route(Audience.CUSTOMER_ADMIN),
    "impostazioni/registro/export.csv": Route(Audience.CUSTOMER_ADMIN),
    "impostazioni/utenti/<int:pk>/verifica/azzera/": Route(Audience.CUSTOMER_ADMIN, USER, POST),
    "accounts/password-reset/sent/": Route(Audience.PUBLIC),
    "accounts/set-password/<str:uidb64>/<str:token>/": Route(
        Audience.PUBLIC, {"uidb64": "bob_link_uid", "token": "bob_link_token"}, BOTH
    ),
    "accounts/opzioni/": Route(
        Audience.SIGNED_IN, methods=BOTH, data={"form": "account", "first_name": "Mallory"}
    ),
    "accounts/lingua/": Route(Audience.PUBLIC, methods=POST, data={"language": "en"}),
    "area-clienti/": Route(Audience.SIGNED_IN),
    "impostazioni/utenti/": Route(Audience.CUSTOMER_ADMIN),
    "impostazioni/utenti/nuovo/": Route(Audience.CUSTOMER_ADMIN, methods=BOTH),
    # Importa da CSV (issue 14): a POST without a file answers the form's error
    "impostazioni/utenti/importa/": Route(Audience.CUSTOMER_ADMIN, methods=BOTH),
    "impostazioni/utenti/importa/esempio.csv": Route(Audience.CUSTOMER_ADMIN),
    # Opzioni Account > «Revoca» of an API token (issue 14): Bob's own, nobody else's
    "accounts/opzioni/token/<int:pk>/revoca/": Route(
        Audience.CUSTOMER_USER, {"pk": "bob_token"}, POST
    ),
    "impostazioni/utenti/<int:pk>/": Route(Audience.CUSTOMER_ADMIN, USER, BOTH, USER_EDIT),
    "impostazioni/utenti/<int:pk>/disattiva/": Route(Audience.CUSTOMER_ADMIN, USER, POST),
    "impostazioni/utenti/<int:pk>/riattiva/": Route(Audience.CUSTOMER_ADMIN, USER, POST),
    "impostazioni/utenti/<int:pk>/invito/": Route(Audience.CUSTOMER_ADMIN, USER, POST),
    # customers: Impostazioni > Interni, Dati aziendali
    "impostazioni/interni/": Route(Audience.CUSTOMER_ADMIN),
    "impostazioni/dati-aziendali/": Route(
        Audience.CUSTOMER_ADMIN, methods=BOTH, data={"contact_first_name": "Mallory"}
    ),
    # support
    "impostazioni/aiuto/": Route(Audience.SIGNED_IN),
    "impostazioni/aiuto/domanda/": Route(Audience.CUSTOMER_USER, methods=BOTH),
    "impostazioni/aiuto/domanda/<int:pk>/": Route(Audience.CUSTOMER_USER, {"pk": "question"}),
    "privacy/": Route(Audience.PUBLIC),
    "backoffice/domande/": Route(Audience.OPERATOR),
    "backoffice/domande/<int:pk>/": Route(
        Audience.OPERATOR, {"pk": "question"}, BOTH, {"answer": "Mallory"}
    ),
    # aliases: the Communicator section
    "communicator/": Route(Audience.SIGNED_IN),
    "communicator/alias/": Route(Audience.BUSINESS_ADMIN),
    "communicator/alias/nuovo/": Route(Audience.BUSINESS_ADMIN, methods=BOTH),
    "communicator/alias/verifica/": Route(
        Audience.BUSINESS_ADMIN, methods=POST, data={"text": "Mallory"}
    ),
    "communicator/alias/<int:pk>/richiesta/": Route(
        Audience.BUSINESS_ADMIN, {"pk": "draft_alias"}, BOTH, {"consent": "on"}
    ),
    "communicator/alias/<int:pk>/elimina/": Route(
        Audience.BUSINESS_ADMIN, {"pk": "draft_alias"}, POST
    ),
    "communicator/regole-mittenti-sms/": Route(Audience.PUBLIC),
    # aliases: the back office
    "backoffice/alias/": Route(Audience.OPERATOR),
    "backoffice/alias/<int:pk>/": Route(Audience.OPERATOR, {"pk": "alias"}),
    "backoffice/alias/<int:pk>/approva/": Route(Audience.OPERATOR, {"pk": "alias"}, POST),
    "backoffice/alias/<int:pk>/rifiuta/": Route(
        Audience.OPERATOR, {"pk": "alias"}, POST, {"reason": "Mallory"}
    ),
    "backoffice/alias/<int:pk>/revoca/": Route(
        Audience.OPERATOR, {"pk": "alias"}, POST, {"reason": "Mallory"}
    ),
    "backoffice/alias/<int:pk>/riprova/": Route(Audience.OPERATOR, {"pk": "alias"}, POST),
    "backoffice/alias/parole/": Route(Audience.OPERATOR),
    "backoffice/alias/parole/riservati/": Route(
        Audience.OPERATOR, methods=POST, data={"name": "Mallory"}
    ),
    "backoffice/alias/parole/riservati/<int:pk>/rimuovi/": Route(
        Audience.OPERATOR, {"pk": "reserved_name"}, POST
    ),
    "backoffice/alias/parole/generiche/": Route(
        Audience.OPERATOR, methods=POST, data={"word": "mallory"}
    ),
    "backoffice/alias/parole/generiche/<int:pk>/rimuovi/": Route(
        Audience.OPERATOR, {"pk": "generic_word"}, POST
    ),
    "backoffice/alias/impostazioni/": Route(
        Audience.OPERATOR, methods=POST, data={"extended_charset": "on"}
    ),
    "backoffice/alias/registro/": Route(Audience.OPERATOR),
    "backoffice/alias/registro/export.csv": Route(Audience.OPERATOR),
    # sms: the own mobile number (operators have none)
    "accounts/opzioni/cellulare/": Route(Audience.CUSTOMER_USER, methods=BOTH),
    "accounts/opzioni/cellulare/verifica/": Route(Audience.CUSTOMER_USER, methods=BOTH),
    "accounts/opzioni/cellulare/rimuovi/": Route(Audience.CUSTOMER_USER, methods=BOTH),
    # sms: sending and the history
    "communicator/sms/": Route(Audience.CUSTOMER_USER, methods=BOTH),
    "communicator/sms/contatore/": Route(Audience.SIGNED_IN, methods=POST, data={"text": "Ciao"}),
    "communicator/sms/destinatari/": Route(
        Audience.SIGNED_IN, methods=POST, data={"recipients": "+393401112233"}
    ),
    "communicator/sms/inviati/": Route(Audience.CUSTOMER_USER),
    "communicator/sms/inviati/export.csv": Route(Audience.CUSTOMER_USER),
    "communicator/sms/inviati/<int:pk>/": Route(Audience.CUSTOMER_USER, {"pk": "sms"}),
    "communicator/sms/inviati/<int:pk>/stato/": Route(Audience.CUSTOMER_USER, {"pk": "sms"}),
    "backoffice/sms/tracciabilita/": Route(Audience.OPERATOR),
    "backoffice/sms/tracciabilita/export.csv": Route(Audience.OPERATOR),
    # sms: usage (R-R1)
    "communicator/sms/consumo/": Route(Audience.CUSTOMER_ADMIN),
    "communicator/sms/consumo/export.csv": Route(Audience.CUSTOMER_ADMIN),
    "backoffice/sms/consumo/": Route(Audience.OPERATOR),
    "backoffice/sms/consumo/export.csv": Route(Audience.OPERATOR),
    # sms: the sender policy
    "communicator/mittenti-sms/": Route(Audience.CUSTOMER_ADMIN, methods=BOTH),
    "communicator/mittenti-sms/anteprima/": Route(Audience.CUSTOMER_ADMIN, methods=POST),
    # smsc
    "metrics": Route(Audience.THIS_MACHINE),
    # backoffice
    "backoffice/": Route(Audience.OPERATOR),
    "backoffice/clienti/": Route(Audience.OPERATOR),
    "backoffice/clienti/nuovo/": Route(Audience.OPERATOR, methods=BOTH),
    "backoffice/clienti/<int:pk>/": Route(Audience.OPERATOR, CUSTOMER),
    "backoffice/clienti/<int:pk>/modifica/": Route(
        Audience.OPERATOR, CUSTOMER, BOTH, {"name": "Mallory S.r.l."}
    ),
    "backoffice/clienti/<int:pk>/stato/": Route(Audience.OPERATOR, CUSTOMER, POST, {"active": "0"}),
    "backoffice/clienti/<int:pk>/interni/": Route(Audience.OPERATOR, CUSTOMER),
    "backoffice/clienti/<int:pk>/interni/aggiungi/": Route(
        Audience.OPERATOR, CUSTOMER, POST, {"one-number": "555"}
    ),
    "backoffice/clienti/<int:pk>/interni/intervallo/": Route(
        Audience.OPERATOR, CUSTOMER, POST, {"range-range": "500-510"}
    ),
    "backoffice/clienti/<int:pk>/interni/importa/": Route(Audience.OPERATOR, CUSTOMER, POST),
    "backoffice/clienti/<int:pk>/interni/<int:extension_pk>/rimuovi/": Route(
        Audience.OPERATOR, {"pk": "esempio", "extension_pk": "extension"}, POST
    ),
    "backoffice/clienti/<int:pk>/utenti/nuovo/": Route(Audience.OPERATOR, CUSTOMER, BOTH),
    "backoffice/clienti/<int:pk>/utenti/<int:user_pk>/": Route(
        Audience.OPERATOR, {"pk": "esempio", "user_pk": "bob"}, BOTH, USER_EDIT
    ),
    "backoffice/clienti/<int:pk>/utenti/<int:user_pk>/invito/": Route(
        Audience.OPERATOR, {"pk": "esempio", "user_pk": "bob"}, POST
    ),
    "backoffice/clienti/<int:pk>/utenti/<int:user_pk>/verifica/azzera/": Route(
        Audience.OPERATOR, {"pk": "esempio", "user_pk": "bob"}, POST
    ),
    "backoffice/registro/": Route(Audience.OPERATOR),
    "backoffice/registro/export.csv": Route(Audience.OPERATOR),
    # communicator: Opzioni Account > Dispositivi Communicator (Communicator-enabled users:
    # Bob and Carla both are), Modifica Utente's devices, the back office's Dominio SIP
    "accounts/opzioni/dispositivi/": Route(
        Audience.CUSTOMER_USER, methods=BOTH, data={"name": "Portatile"}
    ),
    "accounts/opzioni/dispositivi/<int:device_pk>/revoca/": Route(
        Audience.CUSTOMER_USER, {"device_pk": "bob_device"}, BOTH
    ),
    "impostazioni/utenti/<int:pk>/dispositivi/<int:device_pk>/revoca/": Route(
        Audience.CUSTOMER_ADMIN, {"pk": "bob", "device_pk": "bob_device"}, BOTH
    ),
    "backoffice/clienti/<int:pk>/dominio-sip/": Route(
        Audience.OPERATOR, CUSTOMER, BOTH, {"sip_domain": "walk.centrex.localhost"}
    ),
    # devinbox: no login, while the setting is on (it is, in this walk)
    "dev/inbox/": Route(Audience.PUBLIC),
    "dev/inbox/<str:name>/": Route(Audience.PUBLIC, {"name": "sent_email"}),
    # Anything else under /api/ is the API's problem+json 404.
    "^api/": Route(Audience.NOBODY, methods=BOTH, path="api/v0/users"),
    # Django's language switch (the footer's is accounts/lingua/).
    "i18n/setlang/": Route(Audience.PUBLIC, methods=POST, data={"language": "en"}),
}

# Names of the walk's objects that are Esempio's: Carla must not reach them.
ESEMPIOS_OBJECTS = {
    "bob",
    "bob_device",
    "bob_token",
    "esempio",
    "extension",
    "question",
    "draft_alias",
    "alias",
    "sms",
}


def url_patterns(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """Every route string of the URL configuration, included ones joined to their prefix; the
    parts walked elsewhere (NOT_WALKED_HERE) left out."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if route in NOT_WALKED_HERE:
            continue
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route)
        else:
            yield route


def test_every_url_pattern_is_in_the_walk() -> None:
    """A new page must join ROUTES, saying who it is for."""
    # when
    patterns = list(url_patterns())
    # then
    assert len(patterns) == len(set(patterns))
    assert sorted(set(patterns) - set(ROUTES)) == [], "add these patterns to ROUTES"
    assert sorted(set(ROUTES) - set(patterns)) == [], "these ROUTES are no pattern any more"


# --- The objects the walk names ------------------------------------------------------------


@dataclass
class Walk:
    """The ids of the walk's objects, and a browser for each person."""

    ids: dict[str, Any]
    clients: dict[str, Client]

    def url(self, route: str, spec: Route, ids: dict[str, Any] | None = None) -> str:
        values = self.ids if ids is None else ids
        path = spec.path or re.sub(
            r"<(?:\w+:)?(\w+)>", lambda match: str(values[spec.args[match[1]]]), route
        )
        return "/" + path


OUTBOX_BACKEND = "centrex.core.mail.OutboxEmailBackend"


def make_walk(
    settings: Any,
    tmp_path: Path,
    operator: User,
    esempio: Customer,
    alice: User,
    bob: User,
    carla: User,
) -> Walk:
    """Objects of Esempio made through the actions, as its people would: Bob's SMS, device and
    support question, a draft and a pending alias; an e-mail in the developer inbox."""
    settings.CENTREX_OUTBOX_DIR = tmp_path / "outbox"
    settings.CENTREX_DEV_INBOX = True
    settings.CENTREX_METRICS_TOKEN = ""
    draft = create_alias(esempio, "Esempio", acting_user=alice)
    pending = submit_alias(
        create_alias(esempio, "EsempioNet", acting_user=alice),
        consent=True,
        acting_user=alice,
        ip_address="192.0.2.1",
        language="it",
    )
    sms = enqueue_sms(
        customer=esempio,
        user=bob,
        sender=Sender(SenderType.MOBILE, "+393337654321"),
        text="Ciao",
        destinations=["+393401112233"],
    )
    question = ask_question(
        bob, subject="Come aggiungo un alias?", body="Testo.", privacy_acknowledged=True
    )
    bob_device, _password = create_device(bob, "iPhone", acting_user=bob)
    reserved_name = add_reserved_name("Walkname", acting_user=operator)
    generic_word = add_generic_word("walkword", acting_user=operator)
    get_connection(OUTBOX_BACKEND).send_messages([EmailMessage("Invito", "Testo", to=[bob.email])])
    [sent] = (tmp_path / "outbox").glob("*.eml")
    ids = {
        "bob": bob.pk,
        "esempio": esempio.pk,
        "extension": Extension.objects.get(customer=esempio, number="220").pk,
        "question": question.pk,
        "draft_alias": draft.pk,
        "alias": pending.pk,
        "sms": sms.pk,
        "bob_device": bob_device.pk,
        "bob_token": issue_api_token(bob)[1].pk,
        "reserved_name": reserved_name.pk,
        "generic_word": generic_word.pk,
        "bob_link_uid": urlsafe_base64_encode(force_bytes(bob.pk)),
        "bob_link_token": password_link_tokens.make_token(bob),
        "sent_email": sent.name,
    }
    clients = {"anonymous": Client()}
    for name, person in (("bob", bob), ("carla", carla), ("alice", alice), ("operator", operator)):
        clients[name] = Client()
        clients[name].force_login(person)
    return Walk(ids, clients)


@pytest.fixture
def walk(
    settings: Settings,
    tmp_path: Path,
    operator: User,
    esempio: Customer,
    alice: User,
    bob: User,
    carla: User,
) -> Walk:
    return make_walk(settings, tmp_path, operator, esempio, alice, bob, carla)


# --- What each person must get -------------------------------------------------------------


class Answer(Enum):
    LOGIN = "the login page, to come back here"
    REFUSED = "403"
    NOT_FOUND = "404"
    SERVED = "the page (a success, a redirect or the form's errors)"


def people_and_answers(spec: Route) -> list[tuple[str, Answer]]:
    """Who asks, and what they must get: the refused first, the page's own people last."""
    foreign = bool(ESEMPIOS_OBJECTS & set(spec.args.values()))
    carla = Answer.NOT_FOUND if foreign else Answer.SERVED
    answers: dict[Audience, list[tuple[str, Answer]]] = {
        Audience.PUBLIC: [
            ("anonymous", Answer.SERVED),
            ("bob", Answer.SERVED),
            ("carla", Answer.SERVED),
            ("operator", Answer.SERVED),
        ],
        Audience.SIGNED_IN: [
            ("anonymous", Answer.LOGIN),
            ("bob", Answer.SERVED),
            ("carla", Answer.SERVED),
            ("operator", Answer.SERVED),
        ],
        Audience.CUSTOMER_USER: [
            ("anonymous", Answer.LOGIN),
            ("carla", carla),
            ("bob", Answer.SERVED),
        ],
        Audience.CUSTOMER_ADMIN: [
            ("anonymous", Answer.LOGIN),
            ("bob", Answer.REFUSED),
            ("operator", Answer.REFUSED),
            ("carla", carla),
            ("alice", Answer.SERVED),
        ],
        Audience.OPERATOR: [
            ("anonymous", Answer.LOGIN),
            ("bob", Answer.REFUSED),
            ("carla", Answer.REFUSED),
            ("alice", Answer.REFUSED),
            ("operator", Answer.SERVED),
        ],
        Audience.THIS_MACHINE: [("anonymous", Answer.SERVED), ("carla", Answer.SERVED)],
        Audience.NOBODY: [("anonymous", Answer.NOT_FOUND), ("carla", Answer.NOT_FOUND)],
    }
    answers[Audience.BUSINESS_ADMIN] = answers[Audience.CUSTOMER_ADMIN]
    ordered = answers[spec.audience]
    return sorted(ordered, key=lambda item: item[1] == Answer.SERVED)


def answer_of(response: HttpResponse) -> Answer | int:
    """What a response is, as an Answer (or its status when it is none of them)."""
    status = response.status_code
    if status == 302 and response["Location"].startswith(reverse("accounts:login") + "?next="):
        return Answer.LOGIN
    if status == 403:
        return Answer.REFUSED
    if status == 404:
        return Answer.NOT_FOUND
    if status < 400 or status in (409, 422, 429):
        return Answer.SERVED
    return status


# Bookkeeping a request may write: a refused one's failed attempts count against the
# throttles; reading SMS usage keeps the counts of past, final days in the roll-up (a cache of
# what the messages say, sms/usage.py).
NOT_STATE = {"core.ThrottleEvent", "sms.UsageDay", "sms.UsageCount"}


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the portal's tables (and its task queue), to compare before and after."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label
        module = model.__module__
        if label in NOT_STATE or not module.startswith(("centrex.", "django_tasks_db.")):
            continue
        manager: models.Manager[Any] = model._default_manager
        state[label] = list(manager.order_by("pk").values())
    return state


WALKED = [(route, method) for route, spec in ROUTES.items() for method in spec.methods]


@pytest.mark.parametrize(("route", "method"), WALKED, ids=[f"{m} /{r}" for r, m in WALKED])
def test_each_page_answers_only_its_own_people(walk: Walk, route: str, method: str) -> None:
    # given
    spec = ROUTES[route]
    url = walk.url(route, spec)
    before = database_state()
    wrong: list[str] = []
    for person, expected in people_and_answers(spec):
        # when
        client = walk.clients[person]
        response = client.post(url, spec.data) if method == "post" else client.get(url)
        # then
        got = answer_of(response)
        if got != expected:
            wrong.append(f"{person}: {got} instead of {expected} ({response.status_code})")
        elif expected != Answer.SERVED and database_state() != before:
            wrong.append(f"{person}: refused, but the database changed")
    assert not wrong, f"{method.upper()} {url}: " + "; ".join(wrong)


FOREIGN = [
    (route, method)
    for route, method in WALKED
    if ESEMPIOS_OBJECTS & set(ROUTES[route].args.values())
    and ROUTES[route].audience not in (Audience.OPERATOR, Audience.PUBLIC)
]


@pytest.mark.parametrize(("route", "method"), FOREIGN, ids=[f"{m} /{r}" for r, m in FOREIGN])
def test_another_customers_object_is_as_missing_as_no_object(
    walk: Walk, route: str, method: str
) -> None:
    # given: ids that do not exist
    spec = ROUTES[route]
    missing = {name: 987_654 + n for n, name in enumerate(walk.ids)}
    # when
    client = walk.clients["carla"]
    foreign, absent = (
        (client.post(url, spec.data) if method == "post" else client.get(url))
        for url in (walk.url(route, spec), walk.url(route, spec, missing))
    )
    # then
    assert foreign.status_code == absent.status_code == 404
    assert foreign.templates[0].name == absent.templates[0].name


ADMIN_PAGES = ["/admin/", "/admin/accounts/user/", "/admin/customers/customer/{esempio}/change/"]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_the_django_admin_is_for_operators_only(walk: Walk, page: str) -> None:
    """Left out of the table: its own login page, and staff is an active operator."""
    # given
    url = page.format(**walk.ids)
    # when
    answers = {person: walk.clients[person].get(url) for person in walk.clients}
    # then
    for person in ("anonymous", "bob", "carla", "alice"):
        assert answers[person].status_code == 302, person
        assert answers[person]["Location"].startswith("/admin/login/"), person
    assert answers["operator"].status_code == 200
