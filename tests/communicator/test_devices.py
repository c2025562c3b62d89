"""Communicator devices and SIP domains in the domain layer (R-V1, R-V2, R-V4): the actions,
the digests the registrar checks, the credentials view Kamailio reads."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.db import connection

from centrex.accounts.actions import deactivate_user, update_user
from centrex.accounts.models import User
from centrex.communicator.actions import (
    change_sip_domain,
    create_device,
    revoke_device,
    sip_domain_of,
)
from centrex.communicator.models import MAX_DEVICES_PER_USER, Device, SipDomain
from centrex.core.audit import AuditEvent
from centrex.core.errors import DomainError, ErrorCode, PermissionDenied
from centrex.customers.actions import set_customer_active
from centrex.customers.models import Customer


def credentials() -> list[tuple[str, str, str, str, str]]:
    """What Kamailio's auth_db reads (migration 0003)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT username, domain, ha1, ha1b, extension FROM communicator_sip_credential "
            "ORDER BY username"
        )
        return list(cursor.fetchall())


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


# --- SIP domains (R-V1) --------------------------------------------------------------------


def test_each_customer_gets_its_own_sip_domain(esempio: Customer, altra: Customer) -> None:
    assert sip_domain_of(esempio) == "esempio-srl.centrex.localhost"
    assert sip_domain_of(altra) == "altra-spa.centrex.localhost"


def test_an_operator_changes_a_domain_and_its_devices_are_revoked(
    operator: User, alice: User, esempio: Customer
) -> None:
    # given
    device, _ = create_device(alice, "Portatile", acting_user=alice)
    # when
    change_sip_domain(esempio, "Voce.Esempio.example", acting_user=operator)
    # then
    assert sip_domain_of(esempio) == "voce.esempio.example"
    device.refresh_from_db()
    assert device.revoked_at is not None
    assert credentials() == []


def test_a_domain_taken_by_another_customer_is_refused(
    operator: User, esempio: Customer, altra: Customer
) -> None:
    with pytest.raises(DomainError) as caught:
        change_sip_domain(esempio, sip_domain_of(altra), acting_user=operator)
    assert caught.value.code == ErrorCode.VALIDATION_ERROR
    assert caught.value.field == "sip_domain"


@pytest.mark.parametrize("bad", ["", "no spaces.example", "x" * 70 + ".example", "nodot"])
def test_a_malformed_domain_is_refused(operator: User, esempio: Customer, bad: str) -> None:
    with pytest.raises(DomainError):
        change_sip_domain(esempio, bad, acting_user=operator)


def test_only_operators_change_domains(alice: User, esempio: Customer) -> None:
    with pytest.raises(PermissionDenied):
        change_sip_domain(esempio, "altro.example", acting_user=alice)


# --- devices (R-V2) ------------------------------------------------------------------------


def test_a_device_gets_a_long_password_stored_only_as_digests(
    alice: User, esempio: Customer, caplog: pytest.LogCaptureFixture
) -> None:
    # when
    with caplog.at_level(logging.DEBUG):
        device, password = create_device(alice, "  Portatile  ", acting_user=alice)
    # then
    assert len(password) >= 20
    assert device.name == "Portatile"
    realm = sip_domain_of(esempio)
    assert device.ha1 == md5(f"{device.sip_username}:{realm}:{password}")
    assert device.ha1b == md5(f"{device.sip_username}@{realm}:{realm}:{password}")
    assert credentials() == [(device.sip_username, realm, device.ha1, device.ha1b, "201")]
    # the password is nowhere but in the answer
    assert password not in caplog.text
    audit = AuditEvent.objects.get(action="communicator.device_created")
    assert password not in str(audit.__dict__)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM communicator_device")
        assert password not in str(cursor.fetchall())


def test_passwords_and_usernames_differ_per_device(alice: User) -> None:
    first, first_password = create_device(alice, "Portatile", acting_user=alice)
    second, second_password = create_device(alice, "iPhone", acting_user=alice)
    assert first.sip_username != second.sip_username
    assert first_password != second_password


def test_at_most_ten_active_devices(alice: User) -> None:
    # given
    devices = [
        create_device(alice, f"Telefono {n}", acting_user=alice)[0]
        for n in range(MAX_DEVICES_PER_USER)
    ]
    # when / then
    with pytest.raises(DomainError) as caught:
        create_device(alice, "Uno di troppo", acting_user=alice)
    assert caught.value.code == ErrorCode.DEVICE_LIMIT
    assert caught.value.http_status == 409
    # a revoked one makes room
    revoke_device(devices[0], acting_user=alice)
    create_device(alice, "Nuovo", acting_user=alice)
    assert Device.objects.active().of_user(alice).count() == MAX_DEVICES_PER_USER


def test_a_user_without_extension_cannot_add_devices(alice: User, bob: User) -> None:
    update_user(bob, acting_user=alice, extension=None)
    bob.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        create_device(bob, "Portatile", acting_user=bob)
    assert caught.value.code == ErrorCode.COMMUNICATOR_NOT_ENABLED
    assert caught.value.http_status == 403


def test_devices_are_added_by_their_own_user(alice: User, bob: User) -> None:
    with pytest.raises(PermissionDenied):
        create_device(bob, "Portatile", acting_user=alice)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\x00name"])
def test_a_bad_device_name_is_refused(alice: User, name: str) -> None:
    with pytest.raises(DomainError) as caught:
        create_device(alice, name, acting_user=alice)
    assert caught.value.code == ErrorCode.VALIDATION_ERROR
    assert caught.value.field == "name"


# --- revocation and lost identities (R-V4): the view refuses at once ------------------------


def test_a_revoked_device_leaves_the_credentials(alice: User, bob: User) -> None:
    device, _ = create_device(bob, "Portatile", acting_user=bob)
    revoke_device(device, acting_user=alice)  # an admin of the customer may
    assert credentials() == []
    assert AuditEvent.objects.filter(action="communicator.device_revoked").count() == 1


def test_a_colleague_cannot_revoke(alice: User, bob: User) -> None:
    device, _ = create_device(alice, "Portatile", acting_user=alice)
    with pytest.raises(PermissionDenied):
        revoke_device(device, acting_user=bob)


def test_another_customers_admin_cannot_revoke(bob: User, carla: User) -> None:
    device, _ = create_device(bob, "Portatile", acting_user=bob)
    with pytest.raises(PermissionDenied):
        revoke_device(device, acting_user=carla)


def test_removing_the_extension_or_deactivating_leaves_the_credentials(
    alice: User, bob: User
) -> None:
    create_device(bob, "Portatile", acting_user=bob)
    update_user(bob, acting_user=alice, extension=None)
    assert credentials() == []
    update_user(bob, acting_user=alice, extension="209")
    assert [row[4] for row in credentials()] == ["209"]  # the identity moved (R-V4)
    deactivate_user(bob, acting_user=alice)
    assert credentials() == []


def test_a_suspended_customer_has_no_credentials(operator: User, bob: User) -> None:
    create_device(bob, "Portatile", acting_user=bob)
    assert bob.customer is not None
    set_customer_active(bob.customer, False, acting_user=operator)
    assert credentials() == []
    set_customer_active(bob.customer, True, acting_user=operator)
    assert len(credentials()) == 1


def test_the_same_extension_number_in_two_customers_is_two_identities(
    operator: User, bob: User, carla: User, altra: Customer
) -> None:
    from centrex.customers.actions import provision_extensions

    provision_extensions(altra, ["202"], acting_user=operator)
    update_user(carla, acting_user=operator, extension="202")
    create_device(bob, "Bob", acting_user=bob)
    create_device(carla, "Carla", acting_user=carla)
    domains = {(row[4], row[1]) for row in credentials()}
    assert domains == {
        ("202", "esempio-srl.centrex.localhost"),
        ("202", "altra-spa.centrex.localhost"),
    }
    assert SipDomain.objects.count() >= 2
