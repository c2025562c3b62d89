"""Manuale amministratore §2–3, the aliases, step by step in Chromium and in Italian.

    Nella sezione Communicator dell'Area Clienti l'Amministratore può definire gli alias
    utilizzabili come mittenti degli SMS. […] Con il tasto aggiungi è possibile richiedere
    l'aggiunta di un nuovo alias. […] L'esito della richiesta di validazione sarà visibile entro
    8 ore lavorative all'interno del campo stato. Il nuovo alias sarà utilizzabile solo se in
    stato "validato". […] Per maggiori informazioni consultare la sezione Regole sull'utilizzo
    dei mittenti SMS. […] Una volta aggiunto l'alias desiderato, premere invia richiesta.
    La validazione prevede l'inserimento dei dati nel database dell'Autorità […], di
    conseguenza è necessario autorizzare […] a procedere. Se la procedura di validazione avrà
    esito positivo, verrà inviata un'email di conferma e sarà possibile utilizzare l'alias.

The manual's words are the constants below, used literally; the other texts are the portal's
own Italian translations, looked up in its catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from centrex.accounts.models import User
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.models import AliasConsent, AliasStatus, GenericWord, ReservedName, SenderAlias
from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES
from centrex.core.errors import ErrorCode
from centrex.customers.models import Customer
from tests.conftest import PASSWORD
from tests.e2e.steps import SALVA, accedere_all_area_clienti, in_italian, italian
from tests.plugins.smtp import SmtpServer

pytestmark = pytest.mark.e2e

# The manual's words (Manuale amministratore IP Centrex, §2–3).
COMMUNICATOR = "Communicator"
ALIAS = "Alias"
# The manual's «aggiungi» and «invia richiesta», capitalised as buttons (issue 14).
AGGIUNGI = "Aggiungi"
INVIA_RICHIESTA = "Invia richiesta"
VALIDATO = "validato"
REGOLE = "Regole sull'utilizzo dei mittenti SMS"
# «8 ore lavorative» of the manual, as the status field shows the due time.
ESITO_ENTRO = re.compile(
    r"esito entro (lunedì|martedì|mercoledì|giovedì|venerdì) \d\d/\d\d/\d{4} \d\d:\d\d"
)


@pytest.fixture(autouse=True)
def registry(settings: Any, tmp_path: Path) -> Path:
    """The AGCOM registry is the file spool, in a temporary folder (R-A9)."""
    spool = tmp_path / "registry"
    settings.CENTREX_ALIAS_REGISTRY = f"file://{spool}"
    return spool


@pytest.fixture(autouse=True)
def word_lists(db: None) -> None:
    """The seeded R-A4b lists (a test that flushed the database may have removed them)."""
    ReservedName.objects.bulk_create(
        [ReservedName(name=name) for name in RESERVED_NAMES], ignore_conflicts=True
    )
    GenericWord.objects.bulk_create(
        [GenericWord(word=word) for word in GENERIC_WORDS], ignore_conflicts=True
    )


def sezione_communicator(page: Page) -> None:
    """«Nella sezione Communicator dell'Area Clienti»: the main menu's Communicator."""
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("link", name=COMMUNICATOR, exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(COMMUNICATOR)


def alias_della_sezione(page: Page) -> None:
    """The section's page Alias, from the main menu."""
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("link", name=ALIAS, exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/alias/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ALIAS)


def alias_row(page: Page, text: str) -> Locator:
    """The list's row of the alias `text`."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=text, exact=True))


def campo_stato(page: Page, text: str) -> Locator:
    """«il campo stato» of the alias `text`: its cell in the Stato column."""
    headers = [header.strip() for header in page.get_by_role("columnheader").all_inner_texts()]
    return alias_row(page, text).get_by_role("cell").nth(headers.index(italian("Status")))


def rule_message(customer: Customer, text: str, code: ErrorCode) -> str:
    """What the rule `code` says about `text`, as the page shows it in Italian."""
    [error] = [e for e in check_alias_text(customer, text).errors if e.code == code]
    return in_italian(error.message)


def operator_logs_in(page: Page, operator: User) -> None:
    page.goto("/")
    page.get_by_label(italian("E-mail"), exact=True).fill(operator.email)
    page.get_by_label(italian("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=italian("Log in"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/backoffice/$"))


def test_admin_requests_an_alias_and_the_operator_validates_it(
    page: Page,
    new_page: Callable[[], Page],
    alice: User,
    operator: User,
    esempio: Customer,
    smtp_server: SmtpServer,
    registry: Path,
) -> None:
    # given Alice, administrator of Esempio S.r.l., in the Communicator section
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    sezione_communicator(page)
    alias_della_sezione(page)

    # when she presses «aggiungi»
    page.get_by_role("link", name=AGGIUNGI, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("New alias"))
    # the manual's three conditions stand beside the field, with the rules page
    conditions = page.locator("#alias-conditions")
    expect(conditions).to_contain_text(italian("phone numbers cannot be entered"))
    expect(conditions.get_by_role("link", name=REGOLE, exact=True)).to_be_visible()

    # and types a generic word: the live check says what is wrong while she types
    field = page.get_by_label(ALIAS, exact=True)
    live_check = page.locator("#alias-check")
    field.press_sequentially("INFO")
    expect(live_check).to_contain_text(rule_message(esempio, "INFO", ErrorCode.ALIAS_GENERIC))
    expect(live_check).not_to_contain_text("✓")

    # then the company's own name: ✓ and how much it relates to the ragione sociale (R-A5)
    field.fill("")
    field.press_sequentially("Esempio")
    expect(live_check).to_contain_text("✓")
    expect(live_check).to_contain_text(
        italian("Relatedness to “%(name)s”: %(percent)s%%")
        % {"name": "Esempio S.r.l.", "percent": 100}
    )

    # and saves: the list shows the draft
    page.get_by_role("button", name=SALVA, exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/alias/$"))
    expect(campo_stato(page, "Esempio")).to_contain_text(italian("draft"))

    # when she presses «invia richiesta» without giving the authorisation
    alias_row(page, "Esempio").get_by_role("link", name=INVIA_RICHIESTA, exact=True).click()
    authorisation = page.get_by_label(
        italian(
            "I authorise the insertion of my company's data in the AGCOM database, as written "
            "above."
        )
    )
    expect(authorisation).not_to_be_checked()
    page.get_by_role("button", name=INVIA_RICHIESTA, exact=True).click()
    # then the request does not leave (R-A7)
    expect(page.locator("#id_consent_error")).to_have_text(
        italian(
            "To send the request, authorise the provider to insert your company's data into "
            "the AGCOM database: AGCOM requires it before an alias can be used."
        )
    )
    assert SenderAlias.objects.get(text="Esempio").status == AliasStatus.DRAFT

    # when she gives the authorisation and sends the request
    authorisation.check()
    page.get_by_role("button", name=INVIA_RICHIESTA, exact=True).click()

    # then the status field says it awaits validation, with the due time (R-A8)
    expect(page).to_have_url(re.compile(r"/communicator/alias/$"))
    stato = campo_stato(page, "Esempio")
    expect(stato).to_contain_text(italian("awaiting validation"))
    expect(stato).to_contain_text(ESITO_ENTRO)
    consent = AliasConsent.objects.get(alias_text="Esempio")
    assert consent.given_by_id == alice.pk and consent.ip_address == "127.0.0.1"

    # when the operator opens the alias queue and approves the request
    operator_page = new_page()
    operator_logs_in(operator_page, operator)
    menu = operator_page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("link", name=ALIAS, exact=True).click()
    expect(operator_page.get_by_role("heading", level=1)).to_have_text(ALIAS)
    alias_row(operator_page, "Esempio").get_by_role("link", name="Esempio", exact=True).click()
    expect(operator_page.get_by_role("heading", level=1)).to_contain_text("Esempio")
    expect(operator_page.get_by_text("alice@esempio.example").first).to_be_visible()
    operator_page.get_by_role("button", name=italian("Approve"), exact=True).click()
    expect(operator_page.get_by_role("status")).to_contain_text(
        italian("“%(alias)s” is validated: registered with AGCOM, the customer is told by e-mail.")
        % {"alias": "Esempio"}
    )

    # then Alice sees «validato» in the status field (R-A6, R-A9)
    page.reload()
    expect(campo_stato(page, "Esempio")).to_have_text(VALIDATO)
    alias = SenderAlias.objects.get(text="Esempio")
    assert (registry / f"alias-{alias.pk}.json").exists()

    # and the confirmation e-mail arrives over SMTP, in Italian (R-A10)
    received = smtp_server.wait_for(2)  # the operators' notice of the request, then this
    [confirmation] = [mail for mail in received if mail.rcpt_tos == [alice.email]]
    assert confirmation.message["Subject"] == italian("Alias “%(text)s” validated") % {
        "text": "Esempio"
    }
    assert "Esempio" in confirmation.text


def test_the_rules_page_is_linked_from_aggiungi(page: Page, alice: User) -> None:
    # given Alice on «aggiungi»
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    sezione_communicator(page)
    alias_della_sezione(page)
    page.get_by_role("link", name=AGGIUNGI, exact=True).click()

    # when she follows «Regole sull'utilizzo dei mittenti SMS»
    page.locator("#alias-conditions").get_by_role("link", name=REGOLE, exact=True).click()

    # then the rules are there, citing both deliberations (R-A12)
    expect(page.get_by_role("heading", level=1)).to_have_text(REGOLE)
    expect(page.get_by_text("Delibera 42/13/CIR").first).to_be_visible()
    expect(page.get_by_text("Delibera 12/23/CIR").first).to_be_visible()


def test_a_consumer_reads_why_aliases_are_not_available(page: Page, dario: User) -> None:
    # given Dario, administrator of a consumer customer (R-A3)
    accedere_all_area_clienti(page, dario.email, PASSWORD)
    sezione_communicator(page)

    # when he opens Alias
    alias_della_sezione(page)

    # then the page explains why, and there is no «aggiungi»
    expect(page.get_by_text("Delibera 42/13/CIR").first).to_be_visible()
    expect(page.get_by_role("link", name=AGGIUNGI, exact=True)).to_have_count(0)
