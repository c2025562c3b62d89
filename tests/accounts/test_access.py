"""The access layer's roles (R-B1, R-U2) and its fetching of users (R-C3): every predicate
is false for anonymous and deactivated people, and a foreign user is as missing as none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from centrex.accounts.access import (
    access_user,
    is_admin_of,
    is_business_admin,
    is_customer_admin,
    is_customer_user,
    is_operator,
    is_signed_in,
    require_customer_admin,
    require_customer_user,
    require_operator,
    require_signed_in,
    user_from_link,
)
from centrex.accounts.actions import update_user
from centrex.accounts.models import User
from centrex.accounts.tokens import password_link_tokens
from centrex.core.errors import NotFound, PermissionDenied
from centrex.customers.models import Customer

PREDICATES: list[Callable[[object], bool]] = [
    is_signed_in,
    is_operator,
    is_customer_user,
    is_customer_admin,
    is_business_admin,
]

# Which predicates hold for each person of the cast, in PREDICATES' order.
ROLES = {
    "operator": [True, True, False, False, False],
    "alice": [True, False, True, True, True],  # admin of Esempio, a business
    "bob": [True, False, True, False, False],  # plain user of Esempio
    "carla": [True, False, True, True, True],  # admin of Altra, a business
    "dario": [True, False, True, True, False],  # admin of a consumer customer
}


@pytest.mark.parametrize("who", ROLES)
def test_each_predicate_holds_for_its_people_only(who: str, request: pytest.FixtureRequest) -> None:
    # given
    person: User = request.getfixturevalue(who)
    # when
    held = [predicate(person) for predicate in PREDICATES]
    # then
    assert held == ROLES[who]


@pytest.mark.parametrize("who", [None, "anonymous", "deactivated bob", "deactivated operator"])
def test_no_predicate_holds_for_anonymous_or_deactivated_people(
    who: str | None, request: pytest.FixtureRequest
) -> None:
    # given
    person: Any = None
    if who == "anonymous":
        person = AnonymousUser()
    elif who is not None:
        person = request.getfixturevalue(who.split()[1])
        User.objects.filter(pk=person.pk).update(is_active=False)
        person.refresh_from_db()
    # when
    held = [predicate(person) for predicate in PREDICATES]
    # then
    assert held == [False] * len(PREDICATES)
    assert not is_admin_of(person, Customer(pk=1))


def test_admins_of_a_customer_are_its_admins_and_the_operators(
    operator: User, alice: User, bob: User, carla: User, esempio: Customer
) -> None:
    assert [is_admin_of(p, esempio) for p in (operator, alice, bob, carla)] == [
        True,
        True,
        False,
        False,
    ]


def test_each_requirement_returns_its_people_and_refuses_the_others_with_403(
    operator: User, alice: User, bob: User
) -> None:
    # when / then
    assert require_signed_in(bob) is bob
    assert require_operator(operator) is operator
    assert require_customer_user(bob) is bob
    assert require_customer_admin(alice) is alice
    for requirement, refused in (
        (require_signed_in, AnonymousUser()),
        (require_operator, alice),
        (require_customer_user, operator),
        (require_customer_admin, bob),
        (require_customer_admin, operator),
    ):
        with pytest.raises(PermissionDenied) as refusal:
            requirement(refused)
        assert refusal.value.http_status == 403


def test_a_requirement_says_why_when_asked_to(operator: User) -> None:
    with pytest.raises(PermissionDenied) as refusal:
        require_customer_user(operator, "Operators have no mobile number here.")
    assert refusal.value.message == "Operators have no mobile number here."


def test_an_admin_reaches_the_users_of_their_own_customer(alice: User, bob: User) -> None:
    found = access_user(alice, bob.pk)
    assert found == bob
    assert found.extension is not None and found.extension.number == "202"


@pytest.mark.parametrize("user_id", ["carla", "operator", 987654, "12abc", 2**70, None])
def test_another_customers_user_an_operator_or_a_bad_id_is_not_found(
    alice: User, carla: User, operator: User, user_id: object
) -> None:
    # given
    ids = {"carla": carla.pk, "operator": operator.pk}
    wanted = ids.get(user_id, user_id) if isinstance(user_id, str) else user_id
    # when / then
    with pytest.raises(NotFound):
        access_user(alice, wanted)


def test_an_operator_reaches_a_user_under_their_own_customer_only(
    operator: User, bob: User, carla: User, esempio: Customer
) -> None:
    assert access_user(operator, bob.pk, customer=esempio) == bob
    assert access_user(operator, carla.pk) == carla
    with pytest.raises(NotFound):
        access_user(operator, carla.pk, customer=esempio)


def test_nobody_reaches_anyone_when_anonymous(bob: User) -> None:
    with pytest.raises(NotFound):
        access_user(AnonymousUser(), bob.pk)


def test_a_link_names_its_active_user_while_its_token_holds(alice: User, bob: User) -> None:
    # given
    uid = urlsafe_base64_encode(force_bytes(bob.pk))
    token = password_link_tokens.make_token(bob)
    # when / then
    assert user_from_link(uid, token) == bob
    assert user_from_link(uid, "forged-token") is None
    assert user_from_link("not-base64!", token) is None
    update_user(bob, acting_user=alice, is_active=False)
    assert user_from_link(uid, token) is None
