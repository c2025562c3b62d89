"""The caller's own customer (API.md `GET /customer`): what a Communicator client needs to set
itself up, the SIP domain among it (R-V1); for any user of a customer, never another's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from centrex.accounts.models import User
from centrex.customers.models import Customer
from tests.problems import assert_problem

pytestmark = pytest.mark.django_db


def test_a_user_gets_the_companys_name_kind_and_sip_domain(
    bob: User, esempio: Customer, api_client: Callable[[User | None], Client]
) -> None:
    answer = api_client(bob).get("/api/v1/customer")
    assert answer.status_code == 200
    assert answer.json() == {
        "id": esempio.pk,
        "name": esempio.name,
        "kind": "business",
        "sip_domain": "esempio-srl.centrex.localhost",
        "mfa_required": "none",
    }


def test_an_admin_gets_their_own_customer_not_another(
    carla: User, alice: User, api_client: Callable[[User | None], Client]
) -> None:
    body = api_client(carla).get("/api/v1/customer").json()
    assert carla.customer is not None
    assert (body["id"], body["sip_domain"]) == (
        carla.customer.pk,
        "altra-spa.centrex.localhost",
    )


def test_the_sip_domain_follows_an_operators_change(
    bob: User, operator: User, api_client: Callable[[User | None], Client]
) -> None:
    from centrex.communicator.actions import change_sip_domain

    assert bob.customer is not None
    change_sip_domain(bob.customer, "voce.esempio.it", acting_user=operator)
    assert api_client(bob).get("/api/v1/customer").json()["sip_domain"] == "voce.esempio.it"


def test_operators_have_no_customer_and_anonymous_callers_must_log_in(
    operator: User, api_client: Callable[[User | None], Client]
) -> None:
    assert_problem(api_client(operator).get("/api/v1/customer"), 403, "permission_denied")
    assert_problem(api_client(None).get("/api/v1/customer"), 401, "not_authenticated")
