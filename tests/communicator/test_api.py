"""Communicator devices through the API (API.md "Communicator devices"; R-V2, R-V4, R-V6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.actions import update_user
from centrex.accounts.models import User
from centrex.communicator.models import MAX_DEVICES_PER_USER, Device
from tests.problems import assert_problem

DEVICE_FIELDS = {
    "id",
    "name",
    "sip_username",
    "sip_domain",
    "registrar",
    "created_at",
    "last_registered_at",
    "user_agent",
    "online",
}


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.fixture
def as_bob(bob: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(bob)


def test_a_user_adds_a_device_and_sees_the_password_once(as_bob: Client) -> None:
    # when
    created = post(as_bob, "/api/v1/communicator/devices", {"name": "Portatile"})
    # then
    assert created.status_code == 201
    body = created.json()
    assert set(body) == DEVICE_FIELDS | {"sip_password"}
    assert len(body["sip_password"]) >= 20
    assert body["sip_domain"] == "esempio-srl.centrex.localhost"
    assert body["registrar"] == "sip:127.0.0.1:5060"
    assert (body["online"], body["last_registered_at"], body["user_agent"]) == (False, None, None)
    listed = as_bob.get("/api/v1/communicator/devices").json()
    assert listed["count"] == 1
    assert set(listed["items"][0]) == DEVICE_FIELDS
    assert body["sip_password"] not in str(listed)
    communicator = as_bob.get("/api/v1/communicator").json()
    assert communicator["extension"] == "202"
    assert communicator["sip_domain"] == "esempio-srl.centrex.localhost"
    assert communicator["online"] is False
    assert [d["name"] for d in communicator["devices"]] == ["Portatile"]
    assert body["sip_password"] not in str(communicator)


def test_the_eleventh_device_is_refused(as_bob: Client) -> None:
    for n in range(MAX_DEVICES_PER_USER):
        assert post(as_bob, "/api/v1/communicator/devices", {"name": f"T{n}"}).status_code == 201
    refused = post(as_bob, "/api/v1/communicator/devices", {"name": "Troppo"})
    assert_problem(refused, 409, "device_limit")


def test_without_an_extension_communicator_is_refused(
    alice: User, bob: User, as_bob: Client, operator: User, api_client: Any
) -> None:
    update_user(bob, acting_user=alice, extension=None)
    assert_problem(as_bob.get("/api/v1/communicator"), 403, "communicator_not_enabled")
    refused = post(as_bob, "/api/v1/communicator/devices", {"name": "Portatile"})
    assert_problem(refused, 403, "communicator_not_enabled")
    assert_problem(
        api_client(operator).get("/api/v1/communicator"), 403, "communicator_not_enabled"
    )


@pytest.mark.parametrize(
    "body", [{}, {"name": None}, {"name": 3}, [], {"name": "a\x00b"}, {"name": ""}]
)
def test_a_bad_body_is_422(as_bob: Client, body: Any) -> None:
    assert_problem(post(as_bob, "/api/v1/communicator/devices", body), 422, "validation_error")
    assert not Device.objects.exists()


def test_a_user_revokes_a_device(as_bob: Client) -> None:
    device = post(as_bob, "/api/v1/communicator/devices", {"name": "Portatile"}).json()
    assert as_bob.delete(f"/api/v1/communicator/devices/{device['id']}").status_code == 204
    assert as_bob.get("/api/v1/communicator/devices").json()["count"] == 0
    again = as_bob.delete(f"/api/v1/communicator/devices/{device['id']}")
    assert_problem(again, 404, "not_found")


def test_a_colleagues_device_is_404(
    alice: User, as_bob: Client, api_client: Callable[[User | None], Client]
) -> None:
    device = post(api_client(alice), "/api/v1/communicator/devices", {"name": "Alice"}).json()
    assert_problem(as_bob.delete(f"/api/v1/communicator/devices/{device['id']}"), 404, "not_found")
    assert Device.objects.active().count() == 1


def test_an_admin_lists_and_revokes_a_users_devices(
    alice: User, bob: User, as_bob: Client, api_client: Callable[[User | None], Client]
) -> None:
    device = post(as_bob, "/api/v1/communicator/devices", {"name": "Portatile"}).json()
    as_alice = api_client(alice)
    listed = as_alice.get(f"/api/v1/users/{bob.pk}/devices").json()
    assert [d["sip_username"] for d in listed["items"]] == [device["sip_username"]]
    gone = as_alice.delete(f"/api/v1/users/{bob.pk}/devices/{device['id']}")
    assert gone.status_code == 204
    assert as_alice.get(f"/api/v1/users/{bob.pk}/devices").json()["count"] == 0
    # not through another user's path
    other = post(as_bob, "/api/v1/communicator/devices", {"name": "Altro"}).json()
    wrong_user = as_alice.delete(f"/api/v1/users/{alice.pk}/devices/{other['id']}")
    assert_problem(wrong_user, 404, "not_found")


def test_a_plain_user_cannot_see_a_colleagues_devices(alice: User, as_bob: Client) -> None:
    assert_problem(as_bob.get(f"/api/v1/users/{alice.pk}/devices"), 403, "permission_denied")


def test_users_carry_communicator_online(
    alice: User, bob: User, api_client: Callable[[User | None], Client]
) -> None:
    users = api_client(alice).get("/api/v1/users").json()["items"]
    assert {u["email"]: u["communicator_online"] for u in users} == {
        "alice@esempio.example": False,
        "bob@esempio.example": False,
    }
    assert api_client(bob).get("/api/v1/me").json()["communicator_online"] is False
