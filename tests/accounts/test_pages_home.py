"""The customer menu (R-U6, R-U8); the Area Clienti itself: tests/dashboards/."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from centrex.accounts.models import User
from tests.sidebar import current_page, read_sidebar, sidebar_links

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
    admin_html, user_html = admin_page.content.decode(), user_page.content.decode()
    assert current_page(admin_html) == [("Utenti", reverse("accounts:user_list"))]
    assert sidebar_links(admin_html)["Aiuto"] == reverse("support:help")
    assert "Impostazioni" in read_sidebar(admin_html).headings
    assert "Utenti" not in sidebar_links(user_html)
    assert sidebar_links(user_html)["Aiuto"] == reverse("support:help")


def test_menu_marks_modifica_utente_under_utenti(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(reverse("accounts:user_edit", args=[bob.pk]))

    # then
    assert current_page(response.content.decode()) == [("Utenti", reverse("accounts:user_list"))]
