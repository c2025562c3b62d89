"""Manuale amministratore §1, "abilitare un utente", to its end: the user then "can use
Communicator" — in Chromium and in Italian, against the real Kamailio of `centrex sip`.

    Per utilizzare Communicator è necessario che l'Amministratore dell'Area Clienti associ
    l'interno telefonico ad un Utente.
    Se l'Utente Area Clienti è già attivo:
      • accedere all'Area Clienti
      • selezionare l'Utente desiderato nella sezione Impostazioni > Utenti
      • all'interno della pagina Modifica Utente, indicare il numero di interno IP Centrex da
        associare nella sezione Informazioni personali e premere il tasto Salva

Then (R-V2, R-V4, R-V6) Chiara adds a device in Opzioni Account and sees its SIP account once,
as text and as a QR code; a softphone registers with what the page showed; Alice sees Chiara
online in Impostazioni > Utenti, her device in Modifica Utente, and revokes it: the softphone
is disconnected and refused. The manual's words are the constants of `steps.py`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.communicator.models import Registration
from centrex.customers.models import Customer
from tests.conftest import PASSWORD
from tests.e2e.steps import (
    INTERNO_IP_CENTREX,
    MODIFICA_UTENTE,
    accedere_all_area_clienti,
    cell,
    impostazioni_utenti,
    informazioni_personali,
    italian,
    premere_salva,
    row_of,
)
from tests.plugins.sip import SipServer
from tests.sip.agent import Agent, Credentials

pytestmark = [pytest.mark.e2e, pytest.mark.sip]

# R-V4: registrations are removed within 5 seconds.
REVOCATION_BOUND = 5.0
SOFTPHONE = "Linphone/5.2.5 (belle-sip/5.2.0)"


@pytest.fixture
def chiara(esempio: Customer, operator: User) -> User:
    """Chiara Neri, an active user of Esempio S.r.l. without an extension (R-U6: no
    Communicator yet)."""
    return create_user(
        esempio,
        UserData(
            email="chiara@esempio.example",
            first_name="Chiara",
            last_name="Neri",
            role=Role.USER,
            extension=None,
        ),
        acting_user=operator,
        password=PASSWORD,
    )


def fact(page: Page, term: str) -> str:
    """The value beside `term` in the page's SIP account (a <dt>/<dd> list)."""
    value = page.locator("#sip-account dt").filter(has_text=re.compile(rf"^{term}$"))
    expect(value).to_have_count(1)
    return value.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def unregistered_within(extension: str, timeout: float = REVOCATION_BOUND) -> None:
    deadline = time.monotonic() + timeout
    while Registration.objects.current().filter(username=extension).exists():
        if time.monotonic() > deadline:
            pytest.fail(f"still registered after {timeout} s")
        time.sleep(0.05)


def test_chiara_uses_communicator_on_a_device_the_admin_revokes(
    page: Page,
    new_page: Callable[[], Page],
    alice: User,
    chiara: User,
    sip_registrar: SipServer,
) -> None:
    # given Alice, in Impostazioni > Utenti, selects Chiara
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    impostazioni_utenti(page)
    row_of(page, "Chiara Neri").get_by_role("link", name="Chiara Neri", exact=True).click()
    # and in Modifica Utente enters extension 206 under Informazioni personali and saves
    expect(page.get_by_role("heading", level=1)).to_have_text(MODIFICA_UTENTE)
    informazioni_personali(page).get_by_label(INTERNO_IP_CENTREX, exact=True).fill("206")
    premere_salva(page)
    expect(
        page.get_by_text(
            italian("User saved: Communicator enabled on extension %(number)s.") % {"number": "206"}
        )
    ).to_be_visible()

    # when Chiara opens Opzioni Account
    chiara_page = new_page()
    accedere_all_area_clienti(chiara_page, chiara.email, PASSWORD)
    menu = chiara_page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("link", name=italian("Account Options"), exact=True).click()
    devices = chiara_page.get_by_role(
        "region", name=italian("Communicator devices", context="page")
    )
    # then her section shows her SIP identity, and no device yet
    expect(devices).to_contain_text("206")
    expect(devices).to_contain_text("esempio-srl.centrex.localhost")
    expect(devices).to_contain_text(italian("No devices yet."))

    # when she names a device and adds it
    devices.get_by_label(italian("Device name"), exact=True).fill("Portatile")
    devices.get_by_role("button", name=italian("Add device"), exact=True).click()

    # then the page shows, once, the device's SIP account as text and as a QR code
    expect(chiara_page.get_by_role("heading", level=1)).to_have_text(
        italian("Device “%(name)s” added") % {"name": "Portatile"}
    )
    expect(
        chiara_page.get_by_role("img", name=italian("QR code of the SIP account"))
    ).to_be_visible()
    expect(
        chiara_page.get_by_role("img", name=italian("QR code of the SIP account")).locator("svg")
    ).to_be_visible()
    username = fact(chiara_page, italian("Username"))
    password = fact(chiara_page, italian("Password"))
    domain = fact(chiara_page, italian("SIP domain", context="page"))
    registrar = fact(chiara_page, "Registrar")
    assert len(password) >= 20
    assert domain == "esempio-srl.centrex.localhost"
    assert registrar == f"{sip_registrar.host}:{sip_registrar.port}"

    # and a softphone configured with exactly those registers on 206
    host, port = registrar.rsplit(":", 1)
    softphone = Agent(
        (host, int(port)), "206", domain, Credentials(username, password), user_agent=SOFTPHONE
    )
    try:
        assert softphone.register() == 200

        # when she is done, her Opzioni Account lists the device online, without the password
        chiara_page.get_by_role("link", name=italian("Done"), exact=True).click()
        expect(devices).to_contain_text(username)
        expect(devices).to_contain_text(SOFTPHONE)
        expect(chiara_page.locator("body")).not_to_contain_text(password)
        expect(
            chiara_page.get_by_role("img", name=italian("QR code of the SIP account"))
        ).to_have_count(0)
        # nor does the address of the page that showed it give it again
        chiara_page.goto("/accounts/opzioni/dispositivi/")
        expect(chiara_page.locator("body")).not_to_contain_text(password)
        expect(
            chiara_page.get_by_role("img", name=italian("QR code of the SIP account"))
        ).to_have_count(0)

        # when Alice looks at Impostazioni > Utenti, Chiara is online (R-V6)
        impostazioni_utenti(page)
        chiara_row = row_of(page, "Chiara Neri")
        expect(cell(page, chiara_row, italian("Communicator"))).to_contain_text("online")
        # and in Modifica Utente she sees the device, its registration and user agent
        chiara_row.get_by_role("link", name="Chiara Neri", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(MODIFICA_UTENTE)
        her_devices = page.get_by_role(
            "region", name=italian("Communicator devices", context="page")
        )
        device_row = her_devices.get_by_role("row").filter(has_text="Portatile")
        expect(device_row).to_contain_text(username)
        expect(device_row).to_contain_text(SOFTPHONE)
        expect(device_row).to_contain_text("online")

        # when she revokes it and confirms
        revoke = italian("Revoke %(name)s") % {"name": "Portatile"}
        device_row.get_by_role("link", name=revoke, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(italian("Revoke device"))
        page.get_by_role("button", name=italian("Revoke the device"), exact=True).click()

        # then Modifica Utente no longer lists it
        expect(page.get_by_role("heading", level=1)).to_have_text(MODIFICA_UTENTE)
        expect(her_devices).to_contain_text(italian("No devices yet."))
        # and the softphone is disconnected within 5 s and refused afterwards (R-V4)
        unregistered_within("206")
        assert softphone.register() == 401
    finally:
        softphone.close()
