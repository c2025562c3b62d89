"""Another customer's objects do not exist for you (R-C3), and the back office is for operators
only (R-B1): every endpoint of the API walked as the wrong person (the pages' walk is
tests/test_url_access.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.actions import issue_api_token
from centrex.accounts.models import ApiToken, User
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.models import AliasEvent, SenderAlias
from centrex.communicator.actions import create_device
from centrex.communicator.models import Device
from centrex.customers.models import Customer, Extension
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import SmsRequest
from tests.problems import assert_problem

# Every endpoint that names an object of a customer, as Carla (admin of Altra) would call it
# with Esempio's ids: each must answer 404, exactly as for an id that does not exist.
OTHER_CUSTOMERS_OBJECTS = [
    ("get", "/api/v1/users/{alice}", None),
    ("patch", "/api/v1/users/{alice}", {"first_name": "Mallory"}),
    ("delete", "/api/v1/users/{alice}", None),
    ("get", "/api/v1/users/{bob}", None),
    ("patch", "/api/v1/users/{bob}", {"extension": "302"}),
    ("delete", "/api/v1/users/{bob}", None),
    ("get", "/api/v1/aliases/{alias}", None),
    ("post", "/api/v1/aliases/{alias}/submit", {"consent": True}),
    ("delete", "/api/v1/aliases/{alias}", None),
    # Esempio's alias as the shared alias of Altra's SMS sender policy (R-S1.3)
    ("put", "/api/v1/sms/policy", {"mode": "shared_alias", "shared_alias_id": "{alias}"}),
    # An SMS Bob sent (R-T5)
    ("get", "/api/v1/sms/messages/{sms}", None),
    # Bob's Communicator device (R-V2): neither Carla's as an admin nor as a user
    ("get", "/api/v1/users/{bob}/devices", None),
    ("delete", "/api/v1/users/{bob}/devices/{device}", None),
    ("delete", "/api/v1/communicator/devices/{device}", None),
    # Bob's API token (issue 14): a token is its owner's alone
    ("delete", "/api/v1/me/tokens/{token}", None),
]

# The back office: a customer admin (even of the customer named) is refused with 403.
OPERATOR_ONLY = [
    ("post", "/api/v1/backoffice/customers", {"name": "X"}),
    ("get", "/api/v1/backoffice/customers", None),
    ("get", "/api/v1/backoffice/customers/{esempio}", None),
    ("patch", "/api/v1/backoffice/customers/{esempio}", {"name": "Mallory S.r.l."}),
    ("post", "/api/v1/backoffice/customers/{esempio}/extensions", {"numbers": ["299"]}),
    ("get", "/api/v1/backoffice/customers/{esempio}/extensions", None),
    ("get", "/api/v1/backoffice/customers/{esempio}/users", None),
    ("get", "/api/v1/backoffice/aliases", None),
    ("get", "/api/v1/backoffice/aliases/{alias}", None),
    ("post", "/api/v1/backoffice/aliases/{alias}/approve", None),
    ("post", "/api/v1/backoffice/aliases/{alias}/retry", None),
    ("post", "/api/v1/backoffice/aliases/{alias}/reject", {"reason": "Mallory"}),
    ("post", "/api/v1/backoffice/aliases/{alias}/revoke", {"reason": "Mallory"}),
    ("get", "/api/v1/backoffice/usage", None),
    ("get", "/api/v1/backoffice/usage.csv", None),
]

# Endpoints without an object id: they answer about the caller's own customer only
# (see test_lists_show_only_the_callers_customer).
NO_OBJECT_ID = [
    ("post", "/api/v1/auth/token"),
    ("delete", "/api/v1/auth/token"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/extensions"),
    # The caller's own customer (tests/accounts/test_api_customer.py, test_mfa.py).
    ("get", "/api/v1/customer"),
    ("patch", "/api/v1/customer"),
    # The caller's own two-step verification (tests/accounts/test_mfa.py).
    ("post", "/api/v1/me/mfa/totp"),
    ("post", "/api/v1/me/mfa/totp/confirm"),
    ("delete", "/api/v1/me/mfa"),
    # The caller's own API tokens (tests/accounts/test_api_tokens.py: a colleague's is 404).
    ("get", "/api/v1/me/tokens"),
    ("post", "/api/v1/aliases/check"),
    ("get", "/api/v1/aliases"),
    ("post", "/api/v1/aliases"),
    # The caller's own mobile number (tests/verification/test_api.py: another user's code never
    # verifies it, operators are 403).
    ("put", "/api/v1/me/mobile"),
    ("post", "/api/v1/me/mobile/verify"),
    ("delete", "/api/v1/me/mobile"),
    # The caller's own customer's SMS sender policy (tests/senders/test_api.py).
    ("get", "/api/v1/sms/policy"),
    ("put", "/api/v1/sms/policy/shared-mobile"),
    ("post", "/api/v1/sms/policy/shared-mobile/verify"),
    # Sending and the history: the caller's own (tests/sms/test_send.py, test_history.py).
    ("get", "/api/v1/sms/senders"),
    ("post", "/api/v1/sms/messages"),
    ("get", "/api/v1/sms/messages"),
    # The company's SMS usage (tests/sms/test_usage.py: another customer's never counts).
    ("get", "/api/v1/sms/usage"),
    # The caller's own Communicator identity and devices (tests/communicator/test_api.py).
    ("get", "/api/v1/communicator"),
    ("get", "/api/v1/communicator/devices"),
    ("post", "/api/v1/communicator/devices"),
]


def call(
    client: Client, method: str, path: str, body: dict[str, Any] | None, ids: dict[str, int]
) -> Any:
    """The request, with the `{name}` placeholders of the path and of the body's values
    replaced by those ids."""
    if body is not None:
        body = {
            key: ids[value[1:-1]]
            if isinstance(value, str) and value[:1] + value[-1:] == "{}"
            else value
            for key, value in body.items()
        }
    return getattr(client, method)(path.format(**ids), body, content_type="application/json")


@pytest.fixture
def esempio_alias(esempio: Customer, alice: User) -> SenderAlias:
    """Esempio's request for "EsempioNet", awaiting validation (R-A6)."""
    draft = create_alias(esempio, "EsempioNet", acting_user=alice)
    return submit_alias(
        draft, consent=True, acting_user=alice, ip_address="192.0.2.1", language="it"
    )


@pytest.fixture
def esempio_sms(esempio: Customer, bob: User) -> SmsRequest:
    """An SMS Bob sent from his verified number (R-T1)."""
    return enqueue_sms(
        customer=esempio,
        user=bob,
        sender=Sender(SenderType.MOBILE, "+393337654321"),
        text="Ciao",
        destinations=["+393401112233"],
    )


@pytest.fixture
def bob_device(bob: User) -> Device:
    """Bob's softphone (R-V2)."""
    return create_device(bob, "Portatile", acting_user=bob)[0]


@pytest.fixture
def bob_token(bob: User) -> ApiToken:
    """An API token of Bob's (issue 14: listed and revocable by Bob only)."""
    return issue_api_token(bob)[1]


@pytest.fixture
def esempio_ids(
    esempio: Customer,
    alice: User,
    bob: User,
    esempio_alias: SenderAlias,
    esempio_sms: SmsRequest,
    bob_device: Device,
    bob_token: ApiToken,
) -> dict[str, int]:
    return {
        "esempio": esempio.pk,
        "alice": alice.pk,
        "bob": bob.pk,
        "alias": esempio_alias.pk,
        "sms": esempio_sms.pk,
        "device": bob_device.pk,
        "token": bob_token.pk,
    }


def assert_alias_untouched(alias: SenderAlias) -> None:
    """Still pending, undecided and unapproved, with no step after the request."""
    alias.refresh_from_db()
    assert (alias.status, alias.reason, alias.approved_at) == ("pending", "", None)
    assert not AliasEvent.objects.filter(alias=alias).exclude(
        action__in=["created", "submitted", "consent_given"]
    )


@pytest.mark.parametrize(("method", "path", "body"), OTHER_CUSTOMERS_OBJECTS)
def test_another_customers_objects_are_404_for_carla(
    carla: User,
    esempio_ids: dict[str, int],
    esempio_alias: SenderAlias,
    alice: User,
    bob: User,
    api_client: Callable[[User | None], Client],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # when
    response = call(api_client(carla), method, path, body, esempio_ids)
    # then: the same answer as for an id that does not exist, and nothing changed
    assert_problem(response, 404, "not_found")
    missing_ids = {
        "alice": 987654,
        "bob": 987655,
        "alias": 987656,
        "sms": 987657,
        "device": 987658,
        "token": 987659,
    }
    missing = call(api_client(carla), method, path, body, missing_ids)
    assert missing.json() == response.json()
    assert_alias_untouched(esempio_alias)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.first_name, alice.is_active, bob.is_active) == ("Alice", True, True)
    assert bob.extension is not None and bob.extension.number == "202"
    assert Device.objects.active().filter(pk=esempio_ids["device"]).exists()
    assert ApiToken.objects.filter(pk=esempio_ids["token"]).exists()


@pytest.mark.parametrize(("method", "path", "body"), OPERATOR_ONLY)
@pytest.mark.parametrize("who", ["alice", "carla", "bob"])
def test_the_back_office_is_403_for_customers_users(
    who: str,
    request: pytest.FixtureRequest,
    esempio_ids: dict[str, int],
    esempio: Customer,
    esempio_alias: SenderAlias,
    api_client: Callable[[User | None], Client],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    # given
    caller: User = request.getfixturevalue(who)
    # when
    response = call(api_client(caller), method, path, body, esempio_ids)
    # then
    assert_problem(response, 403, "permission_denied")
    esempio.refresh_from_db()
    assert esempio.name == "Esempio S.r.l."
    assert not Extension.objects.filter(number="299").exists()
    assert_alias_untouched(esempio_alias)


def test_lists_show_only_the_callers_customer(
    carla: User, esempio_ids: dict[str, int], api_client: Callable[[User | None], Client]
) -> None:
    # given
    client = api_client(carla)
    # when
    users = client.get("/api/v1/users", {"search": "esempio"}).json()
    everyone = client.get("/api/v1/users").json()
    extensions = client.get("/api/v1/extensions").json()
    aliases = client.get("/api/v1/aliases").json()
    check = client.post(
        "/api/v1/aliases/check", {"text": "EsempioNet"}, content_type="application/json"
    ).json()
    me = client.get("/api/v1/me").json()
    sms = client.get("/api/v1/sms/messages").json()
    # then
    assert users == {"count": 0, "items": []}
    assert [u["email"] for u in everyone["items"]] == ["carla@altra.example"]
    assert [e["number"] for e in extensions["items"]] == ["301", "302", "303"]
    assert aliases == {"count": 0, "items": []}
    # Esempio's pending request claims the name (R-A4) without saying whose it is
    assert [e["code"] for e in check["errors"]] == ["alias_taken"]
    assert "Esempio S.r.l." not in check["errors"][0]["message"]
    assert me["customer"]["name"] == "Altra S.p.A."
    assert sms == {"count": 0, "items": []}


def test_another_customers_extension_cannot_be_taken_by_carla(
    carla: User, alice: User, api_client: Callable[[User | None], Client]
) -> None:
    # when: 201 is Esempio's (Alice's); 210 is Esempio's and free
    taken = api_client(carla).patch(
        f"/api/v1/users/{carla.pk}", {"extension": "201"}, content_type="application/json"
    )
    free = api_client(carla).post(
        "/api/v1/users",
        {"email": "x@altra.example", "extension": "210"},
        content_type="application/json",
    )
    # then: the same answer as for a number that does not exist
    assert_problem(taken, 409, "extension_unavailable")
    assert_problem(free, 409, "extension_unavailable")
    assert not User.objects.filter(email="x@altra.example").exists()


def test_every_endpoint_of_the_api_is_walked(client: Client) -> None:
    """A new endpoint, on any router, must join one of the lists above."""
    # given
    walked = {(method, path) for method, path, _body in OTHER_CUSTOMERS_OBJECTS + OPERATOR_ONLY}
    walked |= set(NO_OBJECT_ID)
    normalise = {
        "{alice}": "{user_id}",
        "{bob}": "{user_id}",
        "{esempio}": "{customer_id}",
        "{alias}": "{alias_id}",
        "{sms}": "{request_id}",
        "{device}": "{device_id}",
        "{token}": "{token_id}",
    }

    def documented(path: str) -> str:
        for placeholder, name in normalise.items():
            path = path.replace(placeholder, name)
        return path

    walked = {(method, documented(path)) for method, path in walked}
    # when
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    ours = {(method, path) for path, operations in paths.items() for method in operations}
    # then
    assert ours == walked
