"""The customer menu (R-U6, R-U8); the Area Clienti itself: tests/dashboards/."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.models import User

DASHBOARD = reverse("dashboards:customer_home")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_menu_offers_utenti_to_admins_only_and_marks_the_current_page(
    alice: User, bob: User
) -> None:
    # when
    admin_page = _logged_in(alice).get(reverse("accounts:user_list"))
    user_page = _logged_in(bob).get(DASHBOARD)

    # then
    assertContains(
        admin_page,
        f'<a href="{reverse("accounts:user_list")}" aria-current="page">Utenti</a>',
        html=True,
    )
    assertContains(admin_page, f'<a href="{reverse("support:help")}">Aiuto</a>', html=True)
    assertContains(admin_page, '<span id="nav-settings">Impostazioni</span>', html=True)
    assertNotContains(user_page, ">Utenti</a>")
    assertContains(user_page, f'<a href="{reverse("support:help")}">Aiuto</a>', html=True)


def test_menu_marks_modifica_utente_under_utenti(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(reverse("accounts:user_edit", args=[bob.pk]))

    # then
    assertContains(
        response,
        f'<a href="{reverse("accounts:user_list")}" aria-current="page">Utenti</a>',
        html=True,
    )
