"""Manuale amministratore §4, sending an SMS from Communicator, step by step in Chromium and in
Italian (R-T1–T6, R-S1, R-S4, R-U6).

    Per inviare un SMS tramite Communicator è prima necessario che l'Amministratore dell'Area
    Clienti definisca i mittenti utilizzabili dagli Utenti aziendali. […]
      • ogni utente usa il proprio numero di cellulare: se un utente ha impostato nella propria
        sezione Opzioni Account il proprio numero di cellulare, questo verrà utilizzato come
        mittente degli SMS da lui inviati. […]
      • a scelta del singolo utente: ogni utente sarà libero di selezionare il mittente da
        utilizzare prima dell'invio di ogni SMS, a scelta tra il proprio numero di cellulare
        (se impostato in Opzioni Account) e tutti gli alias validati

The SMS goes through the real dispatcher to the SMSC simulator, whose delivery receipt the page
shows as it arrives; what the simulator received is checked (sender, TON/NPI). The manual's
words are the constants below; the other texts are the portal's own Italian translations,
looked up in its catalogues.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.aliases.models import AliasStatus, GenericWord, ReservedName
from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicyMode
from centrex.sms.encoding import count_sms
from tests.conftest import PASSWORD
from tests.e2e.steps import accedere_all_area_clienti, italian
from tests.plugins.policy_cast import AliasIn, give_mobile, policy_of
from tests.plugins.smsc import SmsEngine

pytestmark = pytest.mark.e2e

# The manual's words (Manuale amministratore IP Centrex, §4).
COMMUNICATOR = "Communicator"
OPZIONI_ACCOUNT = "Opzioni Account"

BOBS_E164 = "+393337654321"
CARLOS_NUMBER = "340 111 2233"
CARLOS_DIGITS = "393401112233"
TEXT = "Ciao Carlo, il preventivo è di 120 € + IVA."
ALIAS = "EsempioNet"


@pytest.fixture
def alias_registry(settings: Any, tmp_path: Path) -> Path:
    """The AGCOM registry is a spool folder of this test (R-A9); the word lists as seeded
    (the live server's test flushed them)."""
    spool = tmp_path / "registry"
    settings.CENTREX_ALIAS_REGISTRY = f"file://{spool}"
    ReservedName.objects.bulk_create(
        [ReservedName(name=name) for name in RESERVED_NAMES], ignore_conflicts=True
    )
    GenericWord.objects.bulk_create(
        [GenericWord(word=word) for word in GENERIC_WORDS], ignore_conflicts=True
    )
    return spool


@pytest.fixture
def bob_with_his_number(bob: User) -> User:
    """Bob (extension 202) whose own mobile number is verified (Opzioni Account, R-M2)."""
    return give_mobile(bob, BOBS_E164)


@pytest.fixture
def chiara(esempio: Customer, operator: User) -> User:
    """A user of Esempio with no IP Centrex extension (R-U6)."""
    return create_user(
        esempio,
        UserData(
            email="chiara@esempio.example",
            first_name="Chiara",
            last_name="Gialli",
            role=Role.USER,
            extension=None,
        ),
        acting_user=operator,
        password=PASSWORD,
    )


def invia_sms(page: Page) -> None:
    """«Communicator > Invia SMS»: the sidebar's group Communicator, its «Invia SMS»."""
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("list", name=COMMUNICATOR).get_by_role(
        "link", name=italian("Send SMS"), exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/communicator/sms/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Send SMS"))
    breadcrumbs = page.get_by_role("navigation", name=italian("You are here"))
    expect(breadcrumbs).to_contain_text(COMMUNICATOR)


def scrivere_l_sms(page: Page, recipients: str, text: str) -> None:
    """The recipients and the text; the live counter follows the text (R-T3)."""
    page.get_by_label(italian("Recipients"), exact=True).fill(recipients)
    page.get_by_label(italian("Text"), exact=True).fill(text)
    count = count_sms(text)
    counter = page.locator("#sms-counter")
    expect(counter).to_contain_text(f"{italian('Characters')}: {count.characters}")
    expect(counter).to_contain_text(f"{italian('Encoding')}: GSM 7-bit")
    expect(counter).to_contain_text(f"{italian('SMS parts')}: {count.parts}")
    expect(counter).to_contain_text(f"{italian('Remaining in the last part')}: {count.remaining}")


def premere_invia(page: Page) -> None:
    page.get_by_role("button", name=italian("Send", context="send SMS button"), exact=True).click()


def expect_delivered(page: Page, engine: SmsEngine) -> None:
    """The page of the SMS shows it queued, then — the dispatcher sent it and the receipt
    came back — delivered, without reloading (R-T5)."""
    expect(page).to_have_url(re.compile(r"/communicator/sms/inviati/\d+/$"))
    status = page.locator("#sms-recipients").get_by_role("row").filter(has_text=CARLOS_DIGITS)
    expect(status).to_contain_text(italian("queued"))
    engine.drain()
    expect(status).to_contain_text(italian("delivered"), timeout=10_000)


def test_bob_sends_an_sms_from_his_own_number(
    page: Page, sms_engine: SmsEngine, bob_with_his_number: User
) -> None:
    # given the default option «ogni utente usa il proprio numero di cellulare» (R-S2)
    accedere_all_area_clienti(page, bob_with_his_number.email, PASSWORD)

    # when Bob opens Communicator > Invia SMS
    invia_sms(page)

    # then his own number is the sender, shown and not to be picked (R-S1, R-T2)
    expect(page.get_by_label(italian("Sender"))).to_have_count(0)
    expect(page.locator("#sms-sender")).to_contain_text(BOBS_E164)

    # when he types a recipient and a text with «€», sees the counter and presses «Invia»
    scrivere_l_sms(page, CARLOS_NUMBER, TEXT)
    # and the counter says that «€» counts as two (issue 14's words), for it holds one
    expect(page.locator("#sms-counter")).to_contain_text("(€ vale 2)")
    premere_invia(page)

    # then the SMS is delivered, and the SMSC received it from his number, TON 1 / NPI 1
    expect_delivered(page, sms_engine)
    [received] = sms_engine.received
    assert received.source_addr == BOBS_E164.removeprefix("+")
    assert (received.source_addr_ton, received.source_addr_npi) == (1, 1)
    assert received.destination_addr == CARLOS_DIGITS
    assert received.text == TEXT

    # and «SMS inviati» lists it as delivered
    page.get_by_role("link", name=italian("Sent SMS"), exact=True).first.click()
    row = page.get_by_role("row").filter(has_text=f"+{CARLOS_DIGITS}")
    expect(row).to_contain_text(italian("delivered"))


def test_in_user_choice_bob_picks_the_alias(
    page: Page,
    sms_engine: SmsEngine,
    bob_with_his_number: User,
    esempio: Customer,
    alias_registry: Path,
    alias_in: AliasIn,
) -> None:
    # given «a scelta del singolo utente» and the validated alias EsempioNet
    alias_in(AliasStatus.VALIDATED, text=ALIAS)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    accedere_all_area_clienti(page, bob_with_his_number.email, PASSWORD)

    # when Bob opens Invia SMS
    invia_sms(page)

    # then he picks among his own number and the validated aliases (R-S1)
    picker = page.get_by_label(italian("Sender"), exact=True)
    expect(picker.locator("option")).to_have_count(2)
    picker.select_option(label=italian("Alias “%(alias)s”") % {"alias": ALIAS})

    # when he writes the SMS and presses «Invia»
    scrivere_l_sms(page, CARLOS_NUMBER, TEXT)
    premere_invia(page)

    # then it is delivered with the alias as sender, TON 5 / NPI 0 (R-T6)
    expect_delivered(page, sms_engine)
    [received] = sms_engine.received
    assert received.source_addr == ALIAS
    assert (received.source_addr_ton, received.source_addr_npi) == (5, 0)
    assert received.text == TEXT


def test_a_user_without_an_extension_is_told_communicator_is_not_enabled(
    page: Page, chiara: User
) -> None:
    # given Chiara, who has no IP Centrex extension
    accedere_all_area_clienti(page, chiara.email, PASSWORD)

    # when she opens Communicator > Invia SMS
    invia_sms(page)

    # then she is told why she cannot, instead of the form (R-U6)
    expect(page.get_by_role("alert")).to_contain_text(italian("Communicator is not enabled:"))
    expect(page.get_by_label(italian("Recipients"))).to_have_count(0)
    expect(
        page.get_by_role("button", name=italian("Send", context="send SMS button"))
    ).to_have_count(0)
