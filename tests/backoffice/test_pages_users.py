"""An operator manages any customer's users: Nuovo Utente and Modifica Utente through the same
actions as the customer's admin (R-U3–U7)."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from centrex.accounts.models import Role, User
from centrex.customers.models import Customer


def _edit_data(user: User, **changes: Any) -> dict[str, Any]:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "language": user.language,
        "extension": user.extension.number if user.extension else "",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_user_is_added_with_an_extension_and_invited(
    operator_client: Client,
    esempio: Customer,
    alice: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("backoffice:user_create", args=[esempio.pk]),
            {
                "email": "Dora@Esempio.example",
                "first_name": "Dora",
                "last_name": "Blu",
                "role": "user",
                "language": "en",
                "extension": "210",
                "password": "",
            },
        )

    # then
    assert response.status_code == 302
    dora = User.objects.get(email="dora@esempio.example")
    assert (dora.customer, dora.role, dora.language) == (esempio, Role.USER, "en")
    assert dora.extension is not None and dora.extension.number == "210"
    assert dora.communicator_enabled
    assert [m.to for m in mail.outbox] == [["dora@esempio.example"]]


def test_only_the_customers_free_extensions_are_offered(
    operator_client: Client, esempio: Customer, bob: User, carla: User
) -> None:
    # when
    response = operator_client.get(reverse("backoffice:user_create", args=[esempio.pk]))

    # then: 201 (Alice) and 202 (Bob) are taken; Altra's 30x are not Esempio's (R-U5)
    assert response.context["form"].extension_choices == [str(n) for n in range(203, 221)]
    assert '<option value="203">' in response.content.decode()
    assert '<option value="202">' not in response.content.decode()


def test_a_taken_extension_is_refused_on_its_field(
    operator_client: Client, esempio: Customer, bob: User
) -> None:
    # when: 202 is Bob's, offered by a stale page
    response = operator_client.post(
        reverse("backoffice:user_create", args=[esempio.pk]),
        {"email": "dora@esempio.example", "role": "user", "language": "it", "extension": "202"},
    )

    # then
    assert list(response.context["form"].errors) == ["extension"]
    assert not User.objects.filter(email="dora@esempio.example").exists()


def test_a_taken_email_is_refused_on_its_field(
    operator_client: Client, esempio: Customer, carla: User
) -> None:
    # when
    response = operator_client.post(
        reverse("backoffice:user_create", args=[esempio.pk]),
        {"email": carla.email, "role": "user", "language": "it", "extension": ""},
    )

    # then
    assert list(response.context["form"].errors) == ["email"]
    assert User.objects.filter(email=carla.email).count() == 1


def test_modifica_utente_changes_role_and_extension(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # given
    url = reverse("backoffice:user_edit", args=[esempio.pk, bob.pk])
    offered = operator_client.get(url).context["form"].extension_choices

    # when (R-U4)
    response = operator_client.post(url, _edit_data(bob, role="admin", extension="215"))

    # then
    assert "202" in offered and "201" not in offered
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.role == Role.ADMIN
    assert bob.extension is not None and bob.extension.number == "215"


def test_removing_the_extension_disables_communicator(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when (R-U4, R-U6)
    operator_client.post(
        reverse("backoffice:user_edit", args=[esempio.pk, bob.pk]), _edit_data(bob, extension="")
    )

    # then
    bob.refresh_from_db()
    assert bob.extension is None
    assert not bob.communicator_enabled


def test_the_last_admin_cannot_be_deactivated(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when (R-U7)
    response = operator_client.post(
        reverse("backoffice:user_edit", args=[esempio.pk, alice.pk]),
        _edit_data(alice, is_active=None),
    )

    # then
    assert list(response.context["form"].errors) == ["is_active"]
    alice.refresh_from_db()
    assert alice.is_active


def test_the_last_admin_cannot_lose_the_role(
    operator_client: Client, esempio: Customer, alice: User
) -> None:
    # when (R-U7)
    response = operator_client.post(
        reverse("backoffice:user_edit", args=[esempio.pk, alice.pk]), _edit_data(alice, role="user")
    )

    # then
    assert list(response.context["form"].errors) == ["role"]
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN


def test_an_invitation_is_sent_again(
    operator_client: Client,
    esempio: Customer,
    alice: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    with django_capture_on_commit_callbacks(execute=True):
        operator_client.post(
            reverse("backoffice:user_create", args=[esempio.pk]),
            {"email": "dora@esempio.example", "role": "user", "language": "it"},
        )
    dora = User.objects.get(email="dora@esempio.example")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("backoffice:user_resend_invitation", args=[esempio.pk, dora.pk])
        )

    # then
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[dora.email], [dora.email]]


def test_no_invitation_for_a_user_who_has_a_password(
    operator_client: Client,
    esempio: Customer,
    bob: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("backoffice:user_resend_invitation", args=[esempio.pk, bob.pk]), follow=True
        )

    # then
    assert mail.outbox == []
    assert len(list(response.context["messages"])) == 1
