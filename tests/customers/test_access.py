"""Fetching customers and extensions (R-C3): operators reach any, a customer's user only their
own; a foreign, missing or malformed id is the same NotFound."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from centrex.accounts.models import User
from centrex.core.errors import NotFound
from centrex.customers.access import access_customer, access_extension
from centrex.customers.models import Customer, Extension


def test_an_operator_reaches_any_customer(
    operator: User, esempio: Customer, altra: Customer
) -> None:
    assert [access_customer(operator, c.pk) for c in (esempio, altra)] == [esempio, altra]


@pytest.mark.parametrize("customer_id", ["altra", 987654, "12abc", 2**70])
def test_a_customers_user_reaches_only_their_own_customer(
    bob: User, esempio: Customer, altra: Customer, customer_id: int | str
) -> None:
    # given
    wanted = altra.pk if customer_id == "altra" else customer_id
    # when / then
    assert access_customer(bob, esempio.pk) == esempio
    with pytest.raises(NotFound):
        access_customer(bob, wanted)


def test_nobody_reaches_a_customer_when_anonymous(esempio: Customer) -> None:
    with pytest.raises(NotFound):
        access_customer(AnonymousUser(), esempio.pk)


def test_an_extension_under_another_customer_is_not_there(
    operator: User, esempio: Customer, altra: Customer
) -> None:
    # given
    altras = Extension.objects.get(customer=altra, number="303")
    esempios = Extension.objects.get(customer=esempio, number="220")
    # when / then
    assert access_extension(operator, esempios.pk, customer=esempio) == esempios
    assert access_extension(operator, altras.pk) == altras
    with pytest.raises(NotFound):
        access_extension(operator, altras.pk, customer=esempio)


def test_a_customers_user_reaches_only_their_own_extensions(
    bob: User, esempio: Customer, altra: Customer
) -> None:
    # given
    altras = Extension.objects.get(customer=altra, number="303")
    esempios = Extension.objects.get(customer=esempio, number="220")
    # when / then
    assert access_extension(bob, esempios.pk) == esempios
    for wanted in (altras.pk, "x", 2**70):
        with pytest.raises(NotFound):
            access_extension(bob, wanted)
