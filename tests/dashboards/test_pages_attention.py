"""What the Area Clienti shows first (issue 14): for an admin the users who cannot send SMS and
why (R-S4), the alias requests with their due time (R-A8), who is online on Communicator (R-V6)
and the quick actions; for a plain user their own latest SMS. Another customer's data never
shows (R-C3)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains
from pytest_django.fixtures import Settings

from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus
from centrex.communicator.actions import create_device
from centrex.sms.actions import send_sms
from tests.aliases.lifecycle import alias_in
from tests.communicator.registrations import register
from tests.plugins.policy_cast import give_mobile
from tests.support.sessions import signed_in

HOME = reverse("dashboards:customer_home")
CARLO = "+393401112233"


@pytest.fixture(autouse=True)
def no_send_rate_limits(settings: Settings) -> None:
    settings.CENTREX_SMS_USER_RATE = 0
    settings.CENTREX_SMS_CUSTOMER_RATE = 0


def text_of(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def test_an_admin_sees_who_cannot_send_sms_and_why(alice: User, bob: User, carla: User) -> None:
    # given Alice has a verified mobile, Bob none (the default policy: each user's own mobile)
    give_mobile(alice, "+393331234567")
    give_mobile(carla, None)

    # when
    response = signed_in(alice).get(HOME)

    # then
    assertContains(response, "Utenti che possono inviare SMS: 1 su 2.")
    assertContains(response, 'id="home-blocked-users"')
    assertContains(response, "Bob Bianchi")
    assertContains(response, "Nessun numero di cellulare")
    assertNotContains(response, "Carla")


def test_an_admin_sees_pending_aliases_with_their_due_time(
    alice: User, carla: User, operator: User
) -> None:
    # given a request of Esempio and one of Altra
    alias_in(AliasStatus.PENDING, "EsempioNet", alice, operator)
    alias_in(AliasStatus.PENDING, "AltraNet", carla, operator)

    # when
    response = signed_in(alice).get(HOME)

    # then
    assertContains(response, "EsempioNet")
    assertContains(response, "esito entro")
    assertContains(response, "/2026 ")
    assertNotContains(response, "AltraNet")


def test_an_admin_sees_who_is_online_on_communicator(alice: User, bob: User, carla: User) -> None:
    # given Bob's and Carla's devices are registered, Alice's is not
    bobs, _ = create_device(bob, "Portatile", acting_user=bob)
    carlas, _ = create_device(carla, "Portatile", acting_user=carla)
    create_device(alice, "Telefono", acting_user=alice)
    register(bobs)
    register(carlas)

    # when
    response = signed_in(alice).get(HOME)

    # then
    page = text_of(response)
    online = page[page.index('id="home-online-users"') :]
    online = online[: online.index("</ul>")]
    assert "Bob Bianchi" in online
    assert "interno 202" in online
    assert "Alice" not in online
    assert "Carla" not in page


def test_an_admin_has_quick_actions(alice: User) -> None:
    # when
    response = signed_in(alice).get(HOME)

    # then
    for name in ("sms:compose", "accounts:user_create", "aliases:alias_create"):
        assertContains(response, f'href="{reverse(name)}"')


def test_all_is_well_when_nothing_needs_attention(alice: User) -> None:
    # given Alice alone can send, nothing is pending, nobody is online
    give_mobile(alice, "+393331234567")

    # when
    response = signed_in(alice).get(HOME)

    # then (Bob, the plain user, has no mobile: he is the only one listed)
    assertContains(response, "Nessun alias è in attesa di validazione.")
    assertContains(response, "Nessuno è collegato a Communicator in questo momento.")


def test_a_plain_user_sees_their_own_state_and_latest_sms(alice: User, bob: User) -> None:
    # given Bob and Alice sent one SMS each
    give_mobile(bob, "+393201234567")
    give_mobile(alice, "+393331234567")
    send_sms(bob, to=[CARLO], text="Ciao da Bob", sender=None, idempotency_key=None)
    send_sms(alice, to=[CARLO], text="Ciao da Alice", sender=None, idempotency_key=None)

    # when
    response = signed_in(bob).get(HOME)

    # then: his Communicator, his SMS only, nothing of the admin's lists
    assertContains(response, "Communicator abilitato")
    assertContains(response, "Ciao da Bob")
    assertNotContains(response, "Ciao da Alice")
    assertNotContains(response, 'id="home-blocked-users"')
    assertNotContains(response, 'id="home-online"')
    assertNotContains(response, f'href="{reverse("accounts:user_create")}"')


def test_a_user_without_sms_is_told_how_to_send_one(bob: User) -> None:
    # when
    response = signed_in(bob).get(HOME)

    # then
    assertContains(response, "Non hai ancora inviato SMS.")
    assertContains(response, f'href="{reverse("sms:compose")}"')


def test_another_customers_admin_sees_none_of_esempio(
    alice: User, bob: User, carla: User, operator: User
) -> None:
    # given Esempio's pending alias, online user and SMS
    give_mobile(bob, "+393201234567")
    alias_in(AliasStatus.PENDING, "EsempioNet", alice, operator)
    device, _ = create_device(bob, "Portatile", acting_user=bob)
    register(device)
    send_sms(bob, to=[CARLO], text="Ciao da Bob", sender=None, idempotency_key=None)

    # when
    response = signed_in(carla).get(HOME)

    # then
    page = text_of(response)
    for esempio_data in ("EsempioNet", "Bob", "Alice", "Ciao da Bob", "Esempio S.r.l."):
        assert esempio_data not in page
    client: Client = signed_in(carla)
    assert client.get(HOME).status_code == 200
