"""The admin's side of Communicator devices (R-V2, R-V4, R-V6): Impostazioni > Utenti shows
who is online (one query for the page), Modifica Utente lists a user's devices with their last
registration and revokes one; another customer's users and devices are 404, a plain user 403."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import update_user
from centrex.accounts.models import User
from centrex.communicator.actions import create_device
from centrex.communicator.models import Device
from centrex.customers.models import Customer
from tests.communicator.registrations import register
from tests.support.sessions import signed_in

USERS = reverse("accounts:user_list")
# A status badge by its words (its colour class is the design system's business).
ONLINE = re.compile(r'<span class="badge\b[^"]*"[^>]*>online</span>')


def badges(response: Any, pattern: re.Pattern[str]) -> int:
    return len(pattern.findall(response.content.decode()))


def _edit(user: User) -> str:
    return reverse("accounts:user_edit", args=[user.pk])


def _revoke(user: User, device: Device) -> str:
    return reverse("communicator:user_device_revoke", args=[user.pk, device.pk])


def test_the_users_list_shows_who_is_online(alice: User, bob: User) -> None:
    # given Bob registered now, Alice's only registration expired
    register(create_device(bob, "Portatile", acting_user=bob)[0])
    register(create_device(alice, "iPhone", acting_user=alice)[0], expires_in=timedelta(-1))

    # when
    response = signed_in(alice).get(USERS)

    # then only Bob's row says online
    assert badges(response, ONLINE) == 1
    row = response.content.decode().split("Bob Bianchi</a>")[1].split("</tr>")[0]
    assert "online" in row


def test_the_users_list_costs_the_same_queries_with_users_online(
    alice: User, bob: User, esempio: Customer
) -> None:
    # given the page with nobody online
    client = signed_in(alice)
    client.get(USERS)
    with CaptureQueriesContext(connection) as nobody:
        client.get(USERS)

    # when both users have devices registered
    for user in (alice, bob):
        for name in ("Portatile", "iPhone"):
            register(create_device(user, name, acting_user=user)[0])
    with CaptureQueriesContext(connection) as everybody:
        response = client.get(USERS)

    # then the online state came in the same queries (no query per row)
    assert badges(response, ONLINE) == 2
    assert len(everybody.captured_queries) == len(nobody.captured_queries)


def test_modifica_utente_lists_the_users_devices(alice: User, bob: User) -> None:
    # given Bob's two devices, one registered now by Zoiper
    portatile, _password = create_device(bob, "Portatile", acting_user=bob)
    iphone, _password = create_device(bob, "iPhone", acting_user=bob)
    register(iphone, user_agent="Zoiper rv2.10")

    # when Alice opens Modifica Utente of Bob
    response = signed_in(alice).get(_edit(bob))

    # then she sees both, with the registration and a Revoca each
    assert response.status_code == 200
    assertContains(response, "Dispositivi Communicator")
    for device in (portatile, iphone):
        assertContains(response, device.sip_username)
        assertContains(response, _revoke(bob, device))
    assertContains(response, "Zoiper rv2.10")
    assert badges(response, ONLINE) == 2
    assert badges(response, re.compile(r'<span class="badge\b[^"]*">non connesso</span>')) == 1


def test_modifica_utente_of_a_user_without_communicator_says_so(alice: User, bob: User) -> None:
    # given
    update_user(bob, acting_user=alice, extension=None)

    # when
    response = signed_in(alice).get(_edit(bob))

    # then
    assertContains(response, "Communicator non è abilitato per questo Utente")
    assertContains(response, "Ancora nessun dispositivo.")


def test_the_admin_revokes_a_device_after_confirming(alice: User, bob: User) -> None:
    # given
    device, _password = create_device(bob, "Portatile", acting_user=bob)
    client = signed_in(alice)

    # when Alice opens the confirmation
    confirmation = client.get(_revoke(bob, device))

    # then it names the device and its user, and nothing is revoked yet
    assertContains(confirmation, "Revocare il dispositivo «Portatile» di Bob Bianchi?")
    device.refresh_from_db()
    assert device.is_active

    # and when she confirms
    response = client.post(_revoke(bob, device))

    # then it is revoked, and Modifica Utente no longer lists it
    assert response.status_code == 302
    assert response["Location"] == f"{_edit(bob)}#dispositivi"
    device.refresh_from_db()
    assert not device.is_active
    page = client.get(_edit(bob))
    assertContains(page, "Il dispositivo «Portatile» è revocato")
    assertNotContains(page, device.sip_username)


def test_another_customers_admin_gets_404(bob: User, carla: User) -> None:
    # given a device of Bob's (Esempio) and one of Carla's own (Altra)
    device, _password = create_device(bob, "Portatile", acting_user=bob)
    own, _password = create_device(carla, "iPhone", acting_user=carla)
    client = signed_in(carla)

    # when Carla tries Bob's device, and her own device under Bob's address
    answers = [
        client.get(_edit(bob)).status_code,
        client.get(_revoke(bob, device)).status_code,
        client.post(_revoke(bob, device)).status_code,
        client.post(_revoke(bob, own)).status_code,
        client.post(_revoke(carla, device)).status_code,
    ]

    # then every one is 404 and nothing is revoked
    assert answers == [404] * 5
    assert Device.objects.active().count() == 2


def test_a_plain_user_gets_403(alice: User, bob: User) -> None:
    # given a device of Alice's
    device, _password = create_device(alice, "iPhone", acting_user=alice)

    # when Bob, a plain user, tries the admin's revocation
    response = signed_in(bob).post(_revoke(alice, device))

    # then
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.is_active
