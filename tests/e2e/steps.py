"""The steps of the manual as a person does them in the browser, shared by the e2e tests.

The manual's words are written here literally (the constants), so a page that renames "Salva"
or moves the extension out of "Informazioni personali" fails the tests. The other texts are the
portal's own Italian translations, looked up in its catalogues (`italian`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

if TYPE_CHECKING:
    from tests.plugins.smsc import SmsEngine

# The manual's words (Manuale amministratore IP Centrex, §1).
AREA_CLIENTI = "Area Clienti"
IMPOSTAZIONI = "Impostazioni"
UTENTI = "Utenti"
AGGIUNGI = "aggiungi"
NUOVO_UTENTE = "Nuovo Utente"
MODIFICA_UTENTE = "Modifica Utente"
INFORMAZIONI_PERSONALI = "Informazioni personali"
INTERNO_IP_CENTREX = "Interno IP Centrex"
SALVA = "Salva"

# Texts that read the same in Italian and English, so an identical "translation" is right.
SAME_IN_BOTH = {"E-mail", "Password", "Communicator"}


def italian(msgid: str, *, context: str | None = None) -> str:
    """The portal's Italian for `msgid`; fails if the catalogue has no translation for it."""
    with translation.override("it"):
        text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    if text == msgid and msgid not in SAME_IN_BOTH:
        pytest.fail(f"the Italian catalogue does not translate {msgid!r}")
    return text


def in_italian(message: object) -> str:
    """A lazily translated message (a DomainError's) as the portal shows it in Italian;
    fails if it reads the same in English (no translation)."""
    with translation.override("en"):
        english = str(message)
    with translation.override("it"):
        text = str(message)
    if text == english:
        pytest.fail(f"the Italian catalogue does not translate {english!r}")
    return text


def accedere_all_area_clienti(page: Page, email: str, password: str) -> None:
    """«accedere all'Area Clienti»: the login page, then the customer area's home."""
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        italian("Log in to the customer area")
    )
    page.get_by_label(italian("E-mail"), exact=True).fill(email)
    page.get_by_label(italian("Password"), exact=True).fill(password)
    page.get_by_role("button", name=italian("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/area-clienti/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(AREA_CLIENTI, ignore_case=True)


def esci(page: Page) -> None:
    """«Esci»: from the user menu, top right (the application shell, issue 14)."""
    page.locator("#user-menu").click()
    page.get_by_role("button", name=italian("Log out"), exact=True).click()


def menu_sviluppo(page: Page, label: str) -> None:
    """A link of the top bar's developer menu (only while the developer inbox is on)."""
    page.locator("#developer-menu").click()
    page.get_by_role("link", name=italian(label), exact=True).click()


def impostazioni_utenti(page: Page) -> None:
    """The menu path «Impostazioni > Utenti»."""
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("list", name=IMPOSTAZIONI).get_by_role("link", name=UTENTI, exact=True).click()
    expect(page).to_have_url(re.compile(r"/impostazioni/utenti/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(rf"^\s*{IMPOSTAZIONI}\s*>\s*{UTENTI}\s*$")
    )


def row_of(page: Page, name: str) -> Locator:
    """The list's row of the user called `name`."""
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def cell(page: Page, row: Locator, header: str) -> Locator:
    """The cell of `row` in the column headed `header`."""
    headers = [text.strip() for text in page.get_by_role("columnheader").all_inner_texts()]
    return row.get_by_role("cell").nth(headers.index(header))


def expect_communicator_state(page: Page, name: str, *, extension: str | None) -> None:
    """R-U2, R-U6: the list shows the user's extension and Communicator state."""
    row = row_of(page, name)
    expect(row).to_have_count(1)
    expect(cell(page, row, italian("Extension"))).to_have_text(extension or "—")
    state = "Communicator enabled" if extension else "Communicator not enabled"
    expect(cell(page, row, italian("Communicator"))).to_have_text(italian(state))


def informazioni_personali(page: Page) -> Locator:
    """The «Informazioni personali» section of Nuovo Utente / Modifica Utente."""
    section = page.get_by_role("group", name=INFORMAZIONI_PERSONALI, exact=True)
    expect(section).to_be_visible()
    return section


def premere_salva(page: Page) -> None:
    page.get_by_role("button", name=SALVA, exact=True).click()


def expect_own_communicator(page: Page, *, extension: str) -> None:
    """The customer area's home shows the user's own extension and Communicator state."""
    expect(page).to_have_url(re.compile(r"/area-clienti/$"))
    own = page.get_by_role("region", name=italian("Your Communicator"))
    expect(own).to_contain_text(extension)
    expect(own).to_contain_text(italian("Communicator enabled"))
    expect(own).to_contain_text(
        italian("Calls and SMS on IP Centrex extension %(number)s.") % {"number": extension}
    )


# The verification code's SMS as the portal writes it in Italian (R-M2).
CODE_IN_SMS = re.compile(r"Il tuo codice di verifica Centrex è (\d{6})\.")


def codice_dalla_developer_inbox(inbox: Page, engine: SmsEngine, e164: str) -> str:
    """The code sent to `e164`, read where a person running `make run` reads it: the SMS
    reaches the simulator through the dispatcher, and the developer inbox shows it."""
    engine.drain()
    inbox.goto("/dev/inbox/")
    expect(inbox.get_by_role("heading", level=1)).to_have_text(italian("Developer inbox"))
    newest = inbox.locator("#sms").get_by_role("row").filter(has_text=e164).first
    expect(newest).to_be_visible()
    # R-T6: from the provider's alias CENTREX_OTP_SENDER, alphanumeric (TON 5 / NPI 0)
    expect(newest).to_contain_text("Centrex")
    expect(newest).to_contain_text("TON 5, NPI 0")
    found = CODE_IN_SMS.search(newest.inner_text())
    assert found, newest.inner_text()
    return found.group(1)
