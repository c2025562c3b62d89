"""The back office's customer page shows the customer's SIP domain and the operator changes it
there (R-V1): errors next to the field; the devices of the customer are revoked."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from centrex.accounts.models import User
from centrex.communicator.actions import create_device, sip_domain_of
from centrex.communicator.models import Device
from centrex.customers.models import Customer
from tests.support.sessions import signed_in

TAKEN = "Another customer has this SIP domain. Choose another."
MALFORMED = (
    "Enter a domain name such as esempio.centrex.example: letters, digits, hyphens and dots, "
    "at most 64 characters."
)


def _italian(message: str) -> str:
    """An action's message as the Italian page shows it."""
    with translation.override("it"):
        text = translation.gettext(message)
    assert text != message
    return text


def _detail(customer: Customer) -> str:
    return reverse("backoffice:customer_detail", args=[customer.pk])


def _domain(customer: Customer) -> str:
    return reverse("communicator:customer_sip_domain", args=[customer.pk])


def test_the_customer_page_shows_the_sip_domain_and_its_form(
    operator: User, esempio: Customer
) -> None:
    # when
    response = signed_in(operator).get(_detail(esempio))

    # then
    assertContains(response, "Dominio SIP")
    assertContains(response, "<code>esempio-srl.centrex.localhost</code>", html=True)
    assertContains(response, f'action="{_domain(esempio)}"')
    assertContains(response, 'value="esempio-srl.centrex.localhost"')


def test_the_operator_changes_the_domain(operator: User, esempio: Customer, bob: User) -> None:
    # given a device of Bob's
    create_device(bob, "Portatile", acting_user=bob)
    client = signed_in(operator)

    # when
    response = client.post(_domain(esempio), {"sip_domain": "Esempio.Voce.Example"})

    # then the domain is changed, the page says so, the devices are revoked (new realm)
    assert response.status_code == 302
    assert response["Location"] == _detail(esempio)
    assert sip_domain_of(esempio) == "esempio.voce.example"
    assertContains(client.get(_detail(esempio)), "ora è esempio.voce.example")
    assert not Device.objects.active().exists()


def test_a_taken_or_malformed_domain_is_refused_next_to_the_field(
    operator: User, esempio: Customer, altra: Customer
) -> None:
    # given
    client = signed_in(operator)
    taken = sip_domain_of(altra)

    for value, message in (
        (taken, _italian(TAKEN)),
        ("non un dominio", _italian(MALFORMED)),
    ):
        # when
        response = client.post(_domain(esempio), {"sip_domain": value})

        # then
        assert response.status_code == 200
        assertContains(response, 'id="id_sip_domain_error"')
        assertContains(response, message)
    assert sip_domain_of(esempio) == "esempio-srl.centrex.localhost"


def test_customers_people_cannot_change_it(alice: User, esempio: Customer) -> None:
    # when
    response = signed_in(alice).post(_domain(esempio), {"sip_domain": "mio.example"})

    # then
    assert response.status_code == 403
    assert sip_domain_of(esempio) == "esempio-srl.centrex.localhost"
