"""Manuale amministratore §1, "abilitare un utente", step by step in Chromium and in Italian.

    Se l'Utente Area Clienti è già attivo:
      • accedere all'Area Clienti
      • selezionare l'Utente desiderato nella sezione Impostazioni > Utenti
      • all'interno della pagina Modifica Utente, indicare il numero di interno IP Centrex da
        associare nella sezione Informazioni personali e premere il tasto Salva
    Nel caso di un nuovo Utente Area Clienti:
      • accedere all'Area Clienti
      • cliccare il tasto aggiungi nella sezione Impostazioni > Utenti
      • all'interno della pagina Nuovo Utente, indicare il numero di interno IP Centrex da
        associare nella sezione Informazioni personali
      • completare la configurazione dell'Utente e premere il tasto Salva

The manual's words are the constants of `steps.py`, used literally.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from centrex.accounts.actions import update_user
from centrex.accounts.models import User
from centrex.core.errors import DomainError, ErrorCode, PermissionDenied
from tests.conftest import PASSWORD
from tests.e2e.steps import (
    AGGIUNGI,
    INTERNO_IP_CENTREX,
    MODIFICA_UTENTE,
    NUOVO_UTENTE,
    UTENTI,
    accedere_all_area_clienti,
    cell,
    esci,
    expect_communicator_state,
    expect_own_communicator,
    impostazioni_utenti,
    in_italian,
    informazioni_personali,
    italian,
    premere_salva,
    row_of,
)
from tests.plugins.smtp import SmtpServer

pytestmark = pytest.mark.e2e

SET_PASSWORD_LINK = re.compile(r"https?://\S+/accounts/set-password/\S+/\S+/\S*")
NEW_PASSWORD = "Giulia-Verdi-2026!"


def test_admin_enables_an_existing_user_for_communicator(
    page: Page, alice: User, bob: User
) -> None:
    # given Bob, an active user of Esempio S.r.l. without an extension (R-U6: not enabled)
    update_user(bob, acting_user=alice, extension=None)

    # when Alice logs in and selects Bob in Impostazioni > Utenti
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    impostazioni_utenti(page)
    expect_communicator_state(page, "Bob Bianchi", extension=None)
    row_of(page, "Bob Bianchi").get_by_role("link", name="Bob Bianchi", exact=True).click()

    # and, in Modifica Utente, enters extension 205 under Informazioni personali and saves
    expect(page.get_by_role("heading", level=1)).to_have_text(MODIFICA_UTENTE)
    interno = informazioni_personali(page).get_by_label(INTERNO_IP_CENTREX, exact=True)
    expect(interno).to_have_value("")
    interno.fill("205")
    premere_salva(page)

    # then the list shows Bob Communicator-enabled on 205 (R-U4, R-U6)
    expect(page).to_have_url(re.compile(r"/impostazioni/utenti/$"))
    expect(
        page.get_by_text(
            italian("User saved: Communicator enabled on extension %(number)s.") % {"number": "205"}
        )
    ).to_be_visible()
    expect_communicator_state(page, "Bob Bianchi", extension="205")
    # and so does the database
    bob.refresh_from_db()
    assert bob.extension is not None and bob.extension.number == "205"
    assert bob.communicator_enabled


def test_admin_adds_a_new_user_who_accepts_the_invitation(
    page: Page, new_page: Callable[[], Page], alice: User, smtp_server: SmtpServer
) -> None:
    # given Alice logged in, in Impostazioni > Utenti
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    impostazioni_utenti(page)

    # when she clicks «aggiungi»
    page.get_by_role("link", name=AGGIUNGI, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NUOVO_UTENTE)
    # enters the extension in Informazioni personali
    informazioni_personali(page).get_by_label(INTERNO_IP_CENTREX, exact=True).fill("207")
    # completes the user and presses «Salva»
    account = page.get_by_role("group", name=italian("Account data"), exact=True)
    account.get_by_label(italian("E-mail"), exact=True).fill("giulia.verdi@esempio.example")
    account.get_by_label(italian("First name"), exact=True).fill("Giulia")
    account.get_by_label(italian("Last name"), exact=True).fill("Verdi")
    premere_salva(page)

    # then the list shows Giulia Communicator-enabled on 207, invitation sent (R-U3, R-U6)
    expect(page).to_have_url(re.compile(r"/impostazioni/utenti/$"))
    expect_communicator_state(page, "Giulia Verdi", extension="207")
    expect(cell(page, row_of(page, "Giulia Verdi"), italian("Status"))).to_have_text(
        italian("invitation sent")
    )
    giulia = User.objects.get(email="giulia.verdi@esempio.example")
    assert giulia.customer_id == alice.customer_id
    assert giulia.communicator_enabled and not giulia.has_usable_password()

    # and the invitation went out over SMTP, in Italian, with the set-password link
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["giulia.verdi@esempio.example"]
    assert italian("Choose your password with this link (valid for 3 days):") in mail.text
    link = SET_PASSWORD_LINK.search(mail.text)
    assert link is not None, mail.text

    # when Giulia opens the link in her own browser and chooses a password
    giulia_page = new_page()
    giulia_page.goto(link.group(0))
    heading = giulia_page.get_by_role("heading", level=1)
    expect(heading).to_have_text(italian("Choose your password"))
    giulia_page.get_by_label(italian("New password"), exact=True).fill(NEW_PASSWORD)
    giulia_page.get_by_label(italian("Confirm the new password"), exact=True).fill(NEW_PASSWORD)
    giulia_page.get_by_role("button", name=italian("Save the password"), exact=True).click()

    # then she is in the customer area and sees her Communicator enabled on 207
    expect_own_communicator(giulia_page, extension="207")
    # and after logging out she logs in with the new password
    esci(giulia_page)
    accedere_all_area_clienti(giulia_page, "giulia.verdi@esempio.example", NEW_PASSWORD)
    expect_own_communicator(giulia_page, extension="207")
    # and the link, used once, does not work again
    giulia_page.goto(link.group(0))
    expect(giulia_page.get_by_label(italian("New password"), exact=True)).to_have_count(0)


def extension_refusal(user: User, admin: User, number: str) -> str:
    """The reason the rule (R-U5) gives in Italian for associating `number` with `user`, as the
    page must show it; checked to differ from the English one."""
    reasons = {}
    for language in ("it", "en"):
        with translation.override(language), pytest.raises(DomainError) as refused:
            update_user(user, acting_user=admin, extension=number)
        assert refused.value.code == ErrorCode.EXTENSION_UNAVAILABLE
        [error] = refused.value.errors
        assert error.field == "extension"
        reasons[language] = str(error.message)
    assert reasons["it"] != reasons["en"], "the refusal is not translated"
    return reasons["it"]


def test_a_taken_or_foreign_extension_is_refused_next_to_the_field(
    page: Page, alice: User, bob: User, carla: User
) -> None:
    # given Alice in Modifica Utente for Bob (who has 202)
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    impostazioni_utenti(page)
    row_of(page, "Bob Bianchi").get_by_role("link", name="Bob Bianchi", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(MODIFICA_UTENTE)

    for number in ("201", "301"):  # Alice's own (R-U5: taken), Altra S.p.A.'s (foreign)
        reason = extension_refusal(bob, alice, number)

        # when she enters it in Informazioni personali and presses «Salva»
        interno = informazioni_personali(page).get_by_label(INTERNO_IP_CENTREX, exact=True)
        interno.fill(number)
        premere_salva(page)

        # then the page stays, with the reason in Italian next to the field
        expect(page.get_by_role("heading", level=1)).to_have_text(MODIFICA_UTENTE)
        expect(page.locator("#id_extension_error")).to_have_text(reason)
        expect(interno).to_have_attribute("aria-invalid", "true")
        expect(interno).to_have_value(number)

    # and nothing changed (R-U5)
    bob.refresh_from_db()
    assert bob.extension is not None and bob.extension.number == "202"


def test_a_plain_user_gets_the_forbidden_page_for_impostazioni_utenti(
    page: Page, bob: User
) -> None:
    # given Bob, a user (not an admin), logged in: his menu has no «Utenti»
    accedere_all_area_clienti(page, bob.email, PASSWORD)
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    expect(menu.get_by_role("link", name=UTENTI, exact=True)).to_have_count(0)

    # when he opens the address of Impostazioni > Utenti
    response = page.goto("/impostazioni/utenti/")

    # then the forbidden page answers, in Italian, and lists nobody
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Not allowed"))
    expect(page.get_by_text(in_italian(PermissionDenied().message))).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)


def test_another_customers_user_is_not_found(page: Page, bob: User, carla: User) -> None:
    # given Carla, admin of Altra S.p.A., logged in (R-C3)
    accedere_all_area_clienti(page, carla.email, PASSWORD)

    # when she opens the Modifica Utente address of Bob, a user of Esempio S.r.l.
    response = page.goto(f"/impostazioni/utenti/{bob.pk}/")

    # then it does not exist for her: 404, and nothing of Bob's shows
    assert response is not None and response.status == 404
    expect(page.get_by_text("Bob")).to_have_count(0)
    expect(page.get_by_text(bob.email)).to_have_count(0)
