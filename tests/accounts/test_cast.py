"""The fixed cast builds through the actions, on either database."""

from __future__ import annotations

from centrex.accounts.models import User


def test_the_cast_is_communicator_enabled(alice: User, bob: User, carla: User, dario: User) -> None:
    assert [u.communicator_enabled for u in (alice, bob, carla, dario)] == [True] * 4
    assert alice.customer != carla.customer
    assert User.objects.visible_to(alice).count() == 2


def test_a_deactivated_customers_session_ends_at_once(alice: User, operator: User) -> None:
    # given Alice logged in
    from django.test import Client

    from centrex.customers.actions import set_customer_active

    client = Client()
    client.force_login(alice)
    assert client.get("/area-clienti/").status_code == 200
    # when the operator deactivates her company
    assert alice.customer is not None
    set_customer_active(alice.customer, False, acting_user=operator)
    # then her next page asks her to log in again
    response = client.get("/area-clienti/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
