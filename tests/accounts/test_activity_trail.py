"""The activity trail (R-Z4): sign-ins and failed attempts with address and user agent,
two-step changes and device changes are recorded; a customer admin's Impostazioni > Registro
attività shows the customer's part only, filterable and exportable."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.test import Client

from centrex.accounts.actions import confirm_totp, start_totp
from centrex.accounts.models import User
from centrex.communicator.actions import create_device, revoke_device
from centrex.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/120"


def sign_in_page(email: str, password: str = PASSWORD) -> Client:
    client = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.7")
    client.post("/accounts/login/", {"email": email, "password": password})
    return client


def test_sign_ins_and_failed_attempts_are_recorded_with_address_and_browser(bob: User) -> None:
    sign_in_page(bob.email, "wrong-password")
    sign_in_page(bob.email)
    Client(HTTP_USER_AGENT="Communicator/3.1").post(
        "/api/v1/auth/token",
        {"email": bob.email, "password": PASSWORD},
        content_type="application/json",
    )
    failed, page, api = AuditEvent.objects.filter(action__startswith="user.sign").order_by("id")
    assert (failed.action, failed.reason, failed.customer_id) == (
        "user.sign_in_failed",
        "password",
        bob.customer_id,
    )
    assert failed.data == {"email": bob.email, "channel": "page", "user_agent": BROWSER}
    assert failed.ip_address == "192.0.2.7"
    assert (page.action, page.actor_id, page.data["channel"]) == ("user.signed_in", bob.pk, "page")
    assert (api.data["channel"], api.data["user_agent"]) == ("api", "Communicator/3.1")
    assert PASSWORD not in str(failed.data) + str(page.data)


def test_an_unknown_e_mail_is_only_in_the_operators_trail(client: Client) -> None:
    sign_in_page("nessuno@altrove.example")
    [event] = AuditEvent.objects.filter(action="user.sign_in_failed")
    assert event.customer_id is None and event.data["email"] == "nessuno@altrove.example"


def test_the_admins_trail_shows_the_customers_part_only(
    alice: User, bob: User, carla: User, api_client: Callable[[User | None], Client]
) -> None:
    # given: Bob signs in, sets up two-step verification, gets and loses a device; Carla of
    # Altra signs in too
    sign_in_page(bob.email)
    secret = start_totp(bob).secret
    import pyotp

    confirm_totp(bob, pyotp.TOTP(secret).now())
    device, _password = create_device(bob, "Portatile", acting_user=bob)
    revoke_device(device, acting_user=alice)
    sign_in_page(carla.email)
    admin = Client()
    admin.force_login(alice)
    # when
    page = admin.get("/impostazioni/registro/").content.decode()
    # then
    for action in (
        "user.signed_in",
        "user.mfa_enabled",
        "communicator.device_created",
        "communicator.device_revoked",
    ):
        assert f'data-action="{action}"' in page
    assert BROWSER[:40] in page
    assert carla.email not in page
    # filtered, and exported with the same filter
    only = admin.get("/impostazioni/registro/", {"action": "communicator."}).content.decode()
    assert 'data-action="user.signed_in"' not in only
    exported = admin.get("/impostazioni/registro/export.csv", {"action": "communicator."})
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert [row[4] for row in rows[1:]] == [
        "communicator.device_revoked",
        "communicator.device_created",
    ]
