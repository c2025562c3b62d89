"""Opzioni Account > Dispositivi Communicator (R-V2, R-V6): the user's SIP identity and devices,
a device added shows its SIP account once (text and QR code), revoked after a confirmation;
a user without Communicator is told why."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import update_user
from centrex.accounts.models import User
from centrex.communicator.actions import create_device
from centrex.communicator.models import MAX_DEVICES_PER_USER, Device
from centrex.core.models import AuditEvent
from tests.communicator.registrations import register
from tests.support.sessions import signed_in

OPTIONS = reverse("accounts:options")
ADD = reverse("communicator:own_device_add")
PASSWORD_SHOWN = re.compile(
    r"<dt[^>]*>Password</dt>\s*<dd[^>]*>\s*<code[^>]*>([^<]+)</code>\s*</dd>"
)


def test_the_options_page_shows_the_identity_and_the_devices(bob: User) -> None:
    # given Bob (extension 202) with a device registered now and one never registered
    portatile, _password = create_device(bob, "Portatile", acting_user=bob)
    create_device(bob, "iPhone", acting_user=bob)
    register(portatile, user_agent="Linphone/5.2")

    # when
    response = signed_in(bob).get(OPTIONS)

    # then his identity, sip:202@<domain> on the registrar, and both devices
    assert response.status_code == 200
    assertContains(response, "Dispositivi Communicator")
    assert re.search(r"<dt[^>]*>Interno</dt>\s*<dd[^>]*>202</dd>", response.content.decode())
    assertContains(response, "esempio-srl.centrex.localhost")
    assertContains(response, "127.0.0.1:5060")
    assertContains(response, portatile.sip_username)
    assertContains(response, "Linphone/5.2")
    assert re.search(r'<span class="badge\b[^"]*">online</span>', response.content.decode())
    assertContains(response, "iPhone")
    assertContains(response, "mai")
    assertContains(response, 'name="name"')
    assertContains(response, reverse("communicator:own_device_revoke", args=[portatile.pk]))


def test_a_new_device_shows_its_account_once(bob: User, caplog: pytest.LogCaptureFixture) -> None:
    # given
    client = signed_in(bob)
    caplog.set_level(logging.DEBUG)

    # when Bob adds "Portatile"
    response = client.post(ADD, {"name": "Portatile"})

    # then the answer (not a redirect) gives the account as text and as a QR code
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device = Device.objects.get(user=bob, name="Portatile")
    html = response.content.decode()
    [password] = PASSWORD_SHOWN.findall(html)
    assert len(password) >= 20
    assertContains(response, device.sip_username)
    assertContains(response, "esempio-srl.centrex.localhost")
    assertContains(response, "<svg", count=1)
    # and the password is nowhere else: not the database, a log, the session, the audit trail
    assert password not in str(list(Device.objects.values()))
    assert password not in caplog.text
    assert all(password not in str(s.get_decoded()) for s in Session.objects.all())
    assert password not in str(list(AuditEvent.objects.values()))
    # nor on the page afterwards
    again = client.get(OPTIONS)
    assertContains(again, device.sip_username)
    assertNotContains(again, password)
    assertNotContains(again, "<svg")


def test_a_nameless_device_is_refused_next_to_the_field(bob: User) -> None:
    # when
    response = signed_in(bob).post(ADD, {"name": "   "})

    # then
    assert response.status_code == 200
    assertContains(response, 'id="id_name_error"')
    assert not Device.objects.filter(user=bob).exists()


def test_the_eleventh_device_is_refused(bob: User) -> None:
    # given
    for number in range(MAX_DEVICES_PER_USER):
        create_device(bob, f"Telefono {number}", acting_user=bob)

    # when
    response = signed_in(bob).post(ADD, {"name": "Uno di troppo"})

    # then the page says why, and the options page offers no form
    assertContains(response, "Revoca")
    assert Device.objects.active().of_user(bob).count() == MAX_DEVICES_PER_USER
    assertNotContains(signed_in(bob).get(OPTIONS), f'action="{ADD}"')


def test_revoking_asks_for_confirmation_then_revokes(bob: User) -> None:
    # given
    device, _password = create_device(bob, "Portatile", acting_user=bob)
    client = signed_in(bob)
    url = reverse("communicator:own_device_revoke", args=[device.pk])

    # when Bob opens the confirmation, the device is still active
    confirmation = client.get(url)
    assertContains(confirmation, "Portatile")
    assertContains(confirmation, "csrfmiddlewaretoken")
    device.refresh_from_db()
    assert device.is_active

    # and when he confirms
    response = client.post(url)

    # then it is revoked and gone from his list
    assert response.status_code == 302
    assert response["Location"] == f"{OPTIONS}#dispositivi"
    device.refresh_from_db()
    assert not device.is_active
    assertNotContains(client.get(OPTIONS), device.sip_username)


def test_a_colleagues_device_is_not_found(alice: User, bob: User) -> None:
    # given a device of Bob's
    device, _password = create_device(bob, "Portatile", acting_user=bob)

    # when Alice, his admin, uses her own revoke page on it
    response = signed_in(alice).post(reverse("communicator:own_device_revoke", args=[device.pk]))

    # then
    assert response.status_code == 404
    device.refresh_from_db()
    assert device.is_active


def test_a_user_without_communicator_is_told_why(alice: User, bob: User) -> None:
    # given Bob without an extension
    update_user(bob, acting_user=alice, extension=None)
    client = signed_in(bob)

    # when
    page = client.get(OPTIONS)
    refused = client.post(ADD, {"name": "Portatile"})

    # then the options page says the admin must associate an extension; adding is 403
    assertContains(page, "Dispositivi Communicator")
    assertContains(page, "associ un interno IP Centrex")
    assertNotContains(page, f'action="{ADD}"')
    assert refused.status_code == 403
    assert not Device.objects.filter(user=bob).exists()


def test_operators_have_no_devices_section(operator: User) -> None:
    # when
    response = signed_in(operator).get(OPTIONS)

    # then
    assert response.status_code == 200
    assertNotContains(response, "Dispositivi Communicator")
    assert signed_in(operator).get(ADD).status_code == 403
