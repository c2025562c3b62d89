"""SIP against the real Kamailio that `centrex sip` starts (issue 12, R-V1–R-V6): devices
register with the credentials the API gives, only as their own user's extension in their own
domain; calls ring every registered device of the callee; losing Communicator takes effect at
once. Loopback only; every wait is bounded."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.models import User
from tests.plugins.sip import SipServer
from tests.sip.agent import Agent, Credentials

pytestmark = [pytest.mark.sip, pytest.mark.django_db(transaction=True)]

ESEMPIO = "esempio-srl.centrex.localhost"
ALTRA = "altra-spa.centrex.localhost"
# R-V4: registrations are removed within 5 seconds.
REVOCATION_BOUND = 5.0


def eventually(check: Callable[[], bool], timeout: float = REVOCATION_BOUND) -> float:
    """Seconds until `check()` held; fails past `timeout`."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            pytest.fail(f"not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.fixture
def agents(sip_registrar: SipServer) -> Generator[Callable[..., Agent], None, None]:
    made: list[Agent] = []

    def make(extension: str, domain: str, device: dict[str, Any] | None, **kw: Any) -> Agent:
        credentials = None
        if device is not None:
            credentials = Credentials(device["sip_username"], device["sip_password"])
        agent = Agent(sip_registrar.address, extension, domain, credentials, **kw)
        made.append(agent)
        return agent

    yield make
    for agent in made:
        agent.close()


def new_device(client: Client, name: str = "Portatile") -> dict[str, Any]:
    answer = client.post("/api/v1/communicator/devices", {"name": name}, "application/json")
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.fixture
def as_bob(bob: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(bob)


@pytest.fixture
def as_alice(alice: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(alice)


@pytest.fixture
def caller(as_alice: Client, agents: Callable[..., Agent]) -> Agent:
    """Alice's registered softphone on 201."""
    agent = agents("201", ESEMPIO, new_device(as_alice, "Alice"))
    assert agent.register() == 200
    return agent


# --- registering (R-V1, R-V3, R-V6) ---------------------------------------------------------


def test_a_device_registers_with_the_apis_credentials_and_is_online(
    as_bob: Client, as_alice: Client, agents: Callable[..., Agent]
) -> None:
    # given
    device = new_device(as_bob)
    assert device["registrar"].startswith("sip:127.0.0.1:")
    # when
    status = agents("202", device["sip_domain"], device).register()
    # then
    assert status == 200
    mine = as_bob.get("/api/v1/communicator").json()
    assert mine["online"] is True
    [listed] = mine["devices"]
    assert (listed["online"], listed["user_agent"]) == (True, "centrex-tests/1.0")
    assert listed["last_registered_at"] is not None
    users = as_alice.get("/api/v1/users").json()["items"]
    assert {u["email"]: u["communicator_online"] for u in users} == {
        "alice@esempio.example": False,
        "bob@esempio.example": True,
    }


def test_a_wrong_password_is_refused(as_bob: Client, agents: Callable[..., Agent]) -> None:
    device = {**new_device(as_bob), "sip_password": "not-the-password-at-all"}
    assert agents("202", ESEMPIO, device).register() == 401
    assert as_bob.get("/api/v1/communicator").json()["online"] is False


def test_a_colleagues_extension_is_refused(
    as_bob: Client, alice: User, agents: Callable[..., Agent]
) -> None:
    assert agents("201", ESEMPIO, new_device(as_bob)).register() == 403


def test_another_customers_domain_is_refused(
    as_bob: Client, carla: User, agents: Callable[..., Agent]
) -> None:
    # Bob's credentials exist only in Esempio's domain (the realm); 202 of Altra is not his
    assert agents("202", ALTRA, new_device(as_bob)).register() == 401


def test_nothing_registers_without_credentials(bob: User, agents: Callable[..., Agent]) -> None:
    assert agents("202", ESEMPIO, None).register() == 401


# --- calls (R-V5) ---------------------------------------------------------------------------


def test_a_call_rings_every_registered_device_of_the_callee(
    as_bob: Client, caller: Agent, agents: Callable[..., Agent]
) -> None:
    # given: Bob on two devices
    laptop = agents("202", ESEMPIO, new_device(as_bob, "Portatile"))
    phone = agents("202", ESEMPIO, new_device(as_bob, "iPhone"))
    assert (laptop.register(), phone.register()) == (200, 200)
    # when
    status = caller.call("202")
    # then: both rang (each answered busy), and the caller heard the answer
    assert laptop.wait_for_invite() and phone.wait_for_invite()
    assert status == 486
    invite = laptop.invites[0]
    assert invite.header("Record-Route"), "the registrar stays on the path (record-route)"


def test_an_extension_without_devices_answers_480(caller: Agent) -> None:
    assert caller.call("203") == 480


def test_a_number_that_is_not_an_extension_answers_404(caller: Agent, carla: User) -> None:
    assert caller.call("999") == 404
    # Carla's 301 belongs to Altra: a short number always means one's own customer
    assert caller.call("301") == 404
    assert caller.call("301", domain=ALTRA) == 404
    assert caller.call("not-a-number") == 404


def test_an_unauthenticated_or_foreign_invite_reaches_nobody(
    as_bob: Client,
    carla: User,
    api_client: Callable[[User | None], Client],
    agents: Callable[..., Agent],
) -> None:
    # given: Bob registered
    bob_phone = agents("202", ESEMPIO, new_device(as_bob))
    assert bob_phone.register() == 200
    # when: a stranger without credentials, and Carla (Altra) with her own, call 202@Esempio
    stranger = agents("201", ESEMPIO, None)
    carla_phone = agents("301", ALTRA, new_device(api_client(carla), "Carla"))
    # then
    assert stranger.call("202") == 407
    assert carla_phone.call("202", domain=ESEMPIO) in (403, 404, 407)
    assert not bob_phone.invites


# --- losing Communicator (R-V4) -------------------------------------------------------------


@pytest.fixture
def bob_phone(as_bob: Client, agents: Callable[..., Agent]) -> Agent:
    phone = agents("202", ESEMPIO, new_device(as_bob))
    assert phone.register() == 200
    return phone


def unreachable(caller: Agent, number: str) -> Callable[[], bool]:
    return lambda: caller.call(number) in (404, 480)


def test_a_revoked_device_is_unreachable_at_once_and_refused(
    as_bob: Client, caller: Agent, bob_phone: Agent
) -> None:
    # given
    [device] = as_bob.get("/api/v1/communicator/devices").json()["items"]
    # when
    assert as_bob.delete(f"/api/v1/communicator/devices/{device['id']}").status_code == 204
    # then
    eventually(unreachable(caller, "202"))
    assert bob_phone.register() == 401
    assert as_bob.get("/api/v1/communicator").json()["online"] is False


def test_revoking_one_device_leaves_the_others_registered(
    as_bob: Client, caller: Agent, bob_phone: Agent, agents: Callable[..., Agent]
) -> None:
    other = agents("202", ESEMPIO, new_device(as_bob, "iPhone"))
    assert other.register() == 200
    first = as_bob.get("/api/v1/communicator/devices").json()["items"][0]
    as_bob.delete(f"/api/v1/communicator/devices/{first['id']}")
    bob_phone.invites.clear()
    assert caller.call("202") == 486
    assert other.wait_for_invite()
    assert not bob_phone.invites


def test_removing_the_extension_makes_the_devices_unreachable_and_refused(
    as_alice: Client, bob: User, caller: Agent, bob_phone: Agent
) -> None:
    answer = as_alice.patch(f"/api/v1/users/{bob.pk}", {"extension": None}, "application/json")
    assert answer.status_code == 200
    eventually(unreachable(caller, "202"))
    assert bob_phone.register() == 401


def test_a_deactivated_user_is_unreachable_and_refused(
    as_alice: Client, bob: User, caller: Agent, bob_phone: Agent
) -> None:
    assert as_alice.delete(f"/api/v1/users/{bob.pk}").status_code == 204
    eventually(unreachable(caller, "202"))
    assert bob_phone.register() == 401


def test_a_changed_extension_moves_the_device(
    as_alice: Client, bob: User, caller: Agent, bob_phone: Agent
) -> None:
    # when
    answer = as_alice.patch(f"/api/v1/users/{bob.pk}", {"extension": "209"}, "application/json")
    assert answer.status_code == 200
    # then: nobody on 202 any more, and the same device registers on 209 only
    eventually(lambda: caller.call("202") == 480)
    assert bob_phone.register() == 403
    bob_phone.extension = "209"
    assert bob_phone.register() == 200
    assert caller.call("209") == 486
    assert bob_phone.wait_for_invite()


def test_a_suspended_customers_devices_are_unreachable_and_refused(
    operator: User,
    bob: User,
    caller: Agent,
    bob_phone: Agent,
    carla: User,
    api_client: Callable[[User | None], Client],
    agents: Callable[..., Agent],
) -> None:
    from centrex.customers.actions import set_customer_active

    # given: Carla of Altra registered too
    carla_phone = agents("301", ALTRA, new_device(api_client(carla), "Carla"))
    assert carla_phone.register() == 200
    # when: an operator suspends Esempio
    assert bob.customer is not None
    set_customer_active(bob.customer, False, acting_user=operator)
    # then: nobody of Esempio is registered or registers; Altra is untouched
    eventually(lambda: bob_phone.register() == 401)
    from centrex.communicator.models import Registration

    eventually(lambda: not Registration.objects.filter(domain=ESEMPIO).exists())
    assert Registration.objects.filter(domain=ALTRA).exists()
    assert caller.register() == 401


# --- the embedded database (SQLite) ---------------------------------------------------------


@pytest.mark.skipif("config.getoption('db') != 'sqlite'", reason="SQLite's writers' lock")
def test_a_register_waits_for_a_portal_write_instead_of_failing(
    as_bob: Client, agents: Callable[..., Agent]
) -> None:
    """Kamailio's db_sqlite has no busy timeout of its own: without the one the configuration
    sets, a REGISTER that meets a portal write answers 500 "database is locked"."""
    import sqlite3
    import threading

    from django.db import connection

    phone = agents("202", ESEMPIO, new_device(as_bob))
    assert phone.register() == 200  # the child has set up its connection
    # given: the portal holds the writers' lock
    writer = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    answers: list[int] = []
    registering = threading.Thread(target=lambda: answers.append(phone.register()))
    # when: the phone registers again meanwhile, and the portal commits half a second later
    registering.start()
    registering.join(timeout=0.5)
    writer.execute("COMMIT")
    writer.close()
    registering.join(timeout=10)
    # then: the REGISTER waited for the lock and succeeded
    assert answers == [200]
