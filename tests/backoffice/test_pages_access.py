"""Every back office page is for operators only (R-B1): anonymous → login, a customer's admin
or user → 403, and ids that do not belong together → 404 (R-C3)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from centrex.accounts.models import User
from centrex.customers.models import Customer, Extension
from tests.sidebar import sidebar_links

PAGES = [
    ("backoffice:dashboard", {}),
    ("backoffice:customer_list", {}),
    ("backoffice:customer_create", {}),
    ("backoffice:customer_detail", {"pk": "esempio"}),
    ("backoffice:customer_edit", {"pk": "esempio"}),
    ("backoffice:extension_list", {"pk": "esempio"}),
    ("backoffice:user_create", {"pk": "esempio"}),
    ("backoffice:user_edit", {"pk": "esempio", "user_pk": "bob"}),
    ("backoffice:audit_list", {}),
    ("backoffice:audit_export", {}),
]
ACTIONS = [
    ("backoffice:customer_set_active", {"pk": "esempio"}),
    ("backoffice:extension_add", {"pk": "esempio"}),
    ("backoffice:extension_add_range", {"pk": "esempio"}),
    ("backoffice:extension_import", {"pk": "esempio"}),
    ("backoffice:extension_remove", {"pk": "esempio", "extension_pk": "extension"}),
    ("backoffice:user_resend_invitation", {"pk": "esempio", "user_pk": "bob"}),
]


def _url(name: str, kwargs: dict[str, str], esempio: Customer, bob: User) -> str:
    ids = {
        "esempio": esempio.pk,
        "bob": bob.pk,
        "extension": Extension.objects.get(customer=esempio, number="220").pk,
    }
    return reverse(name, kwargs={key: ids[value] for key, value in kwargs.items()})


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_page_works_for_an_operator(
    operator_client: Client, esempio: Customer, bob: User, name: str, kwargs: dict[str, str]
) -> None:
    # when
    response = operator_client.get(_url(name, kwargs, esempio, bob))

    # then
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_every_page_is_forbidden_to_a_customer_admin(
    alice_client: Client, esempio: Customer, bob: User, name: str, kwargs: dict[str, str]
) -> None:
    # when: Alice is the admin of Esempio itself (R-B1: operators only)
    response = alice_client.get(_url(name, kwargs, esempio, bob))

    # then
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), ACTIONS)
def test_every_action_is_forbidden_to_a_customer_admin_and_changes_nothing(
    alice_client: Client, esempio: Customer, bob: User, name: str, kwargs: dict[str, str]
) -> None:
    # given
    extensions = Extension.objects.filter(customer=esempio).count()

    # when
    response = alice_client.post(
        _url(name, kwargs, esempio, bob),
        {"active": "0", "one-number": "555", "range-range": "500-510"},
    )

    # then
    assert response.status_code == 403
    esempio.refresh_from_db()
    assert esempio.is_active
    assert Extension.objects.filter(customer=esempio).count() == extensions


def test_a_user_without_admin_role_is_forbidden_too(bob: User) -> None:
    # given
    client = Client()
    client.force_login(bob)

    # when
    response = client.get(reverse("backoffice:dashboard"))

    # then
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kwargs"), PAGES + ACTIONS)
def test_anonymous_visitors_are_sent_to_the_login(
    client: Client, esempio: Customer, bob: User, name: str, kwargs: dict[str, str]
) -> None:
    # when
    url = _url(name, kwargs, esempio, bob)
    response = client.post(url) if (name, kwargs) in ACTIONS else client.get(url)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_missing_customer_is_404(operator_client: Client, esempio: Customer) -> None:
    # when
    response = operator_client.get(reverse("backoffice:customer_detail", args=[esempio.pk + 999]))

    # then
    assert response.status_code == 404


def test_another_customers_user_under_this_customer_is_404(
    operator_client: Client, esempio: Customer, carla: User
) -> None:
    # when: Carla belongs to Altra, not Esempio (R-C3)
    response = operator_client.get(
        reverse("backoffice:user_edit", kwargs={"pk": esempio.pk, "user_pk": carla.pk})
    )

    # then
    assert response.status_code == 404


def test_an_operator_is_not_a_customer_user_to_edit(
    operator_client: Client, esempio: Customer, operator: User
) -> None:
    # when
    response = operator_client.get(
        reverse("backoffice:user_edit", kwargs={"pk": esempio.pk, "user_pk": operator.pk})
    )

    # then
    assert response.status_code == 404


def test_another_customers_extension_under_this_customer_is_404_and_stays(
    operator_client: Client, esempio: Customer, altra: Customer
) -> None:
    # given
    foreign = Extension.objects.get(customer=altra, number="303")

    # when
    response = operator_client.post(
        reverse(
            "backoffice:extension_remove", kwargs={"pk": esempio.pk, "extension_pk": foreign.pk}
        )
    )

    # then
    assert response.status_code == 404
    assert Extension.objects.filter(pk=foreign.pk).exists()


def test_the_operator_menu_links_every_section(operator_client: Client) -> None:
    # when
    response = operator_client.get(reverse("backoffice:dashboard"))

    # then
    content = response.content.decode()
    for name in (
        "backoffice:dashboard",
        "backoffice:customer_list",
        "backoffice:question_list",
        "backoffice:audit_list",
    ):
        assert f'href="{reverse(name)}"' in content


def test_the_pages_speak_italian_with_the_manuals_words(
    operator_client: Client, esempio: Customer
) -> None:
    # when
    dashboard = operator_client.get(reverse("backoffice:dashboard")).content.decode()
    new_user = operator_client.get(reverse("backoffice:user_create", args=[esempio.pk]))

    # then
    assert {"Dashboard", "Clienti", "Domande di supporto", "Registro attività"} <= set(
        sidebar_links(dashboard)
    )
    assertContains(new_user, "<h1>Nuovo Utente</h1>", html=True)
    assertContains(new_user, "<legend>Informazioni personali</legend>", html=True)
    assertContains(new_user, '<label for="id_extension">Interno IP Centrex</label>', html=True)
    assertContains(new_user, '<button type="submit">Salva</button>', html=True)
