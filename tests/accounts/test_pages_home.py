"""The customer user's home page (Area Clienti) and the customer menu (R-U6, R-U8)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import update_own_account, update_user
from centrex.accounts.models import User
from tests.sidebar import current_page, read_sidebar, sidebar_links

DASHBOARD = reverse("accounts:dashboard")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_home_sends_a_customer_user_to_the_customer_area(bob: User) -> None:
    # when
    response = _logged_in(bob).get(reverse("home"))

    # then
    assert response["Location"] == DASHBOARD


def test_dashboard_shows_company_extension_and_communicator_in_italian(bob: User) -> None:
    # when
    response = _logged_in(bob).get(DASHBOARD)

    # then (R-U6)
    assert response.status_code == 200
    assertContains(response, "<h1>Area Clienti</h1>", html=True)
    assertContains(response, "<dd>Esempio S.r.l.</dd>", html=True)
    assertContains(response, "<dd>202</dd>", html=True)
    assertContains(response, '<span class="badge ok">Communicator abilitato</span>', html=True)
    assertContains(response, "Chiamate e SMS sull'interno IP Centrex 202.")


def test_dashboard_is_in_english_for_an_english_user(bob: User) -> None:
    # given
    update_own_account(bob, language="en")

    # when
    response = _logged_in(bob).get(DASHBOARD)

    # then
    assertContains(response, '<html lang="en">')
    assertContains(response, "<h1>Customer area</h1>", html=True)
    assertContains(response, '<span class="badge ok">Communicator enabled</span>', html=True)


def test_dashboard_says_why_communicator_is_not_enabled(alice: User, bob: User) -> None:
    # given
    update_user(bob, acting_user=alice, extension=None)

    # when
    response = _logged_in(bob).get(DASHBOARD)

    # then (R-U6: a clear reason and what to do)
    assertContains(
        response, '<span class="badge muted">Communicator non abilitato</span>', html=True
    )
    assertContains(response, "Nessun interno IP Centrex associato.")
    assertContains(response, "chiedi a un amministratore della tua azienda")


def test_dashboard_tells_an_admin_where_to_associate_an_extension(alice: User, bob: User) -> None:
    # given
    update_user(alice, acting_user=alice, extension=None)

    # when
    response = _logged_in(alice).get(DASHBOARD)

    # then
    assertContains(response, "associa un interno IP Centrex al tuo utente in Impostazioni > Utenti")


def test_dashboard_links_settings_by_role(alice: User, bob: User) -> None:
    # when
    admin_page = _logged_in(alice).get(DASHBOARD)
    user_page = _logged_in(bob).get(DASHBOARD)

    # then
    for page in (admin_page, user_page):
        assertContains(page, f'href="{reverse("support:help")}"')
        assertContains(page, f'href="{reverse("accounts:options")}"')
    assertContains(admin_page, f'href="{reverse("accounts:user_list")}"')
    assertNotContains(user_page, f'href="{reverse("accounts:user_list")}"')


def test_an_operator_visiting_the_dashboard_goes_home(operator: User) -> None:
    # when
    response = _logged_in(operator).get(DASHBOARD)

    # then
    assert response["Location"] == reverse("home")


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client, db: None) -> None:
    # when
    response = client.get(DASHBOARD)

    # then
    assert response["Location"].startswith(reverse("accounts:login"))


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
