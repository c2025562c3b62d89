"""Manuale amministratore §4, «Mittenti SMS», step by step in Chromium and in Italian
(R-S1–S4, R-M2, R-A11).

    Per inviare un SMS tramite Communicator è prima necessario che l'Amministratore dell'Area
    Clienti definisca i mittenti utilizzabili dagli Utenti aziendali. […] Nella sezione
    Communicator dell'Area Clienti, è possibile selezionare una di queste opzioni:
    • ogni utente usa il proprio numero di cellulare […]
    • un unico numero di cellulare per tutti gli utenti: […] Una volta inserito il numero di
      cellulare, premere il pulsante salva. Verrà inviato un SMS contenente un codice di
      verifica. Inserire il codice di verifica nel campo apposito e premere nuovamente il
      pulsante salva
    • un unico alias per tutti gli utenti: è possibile selezionare un alias […] tra quelli
      validati […]
    • a scelta del singolo utente […]

The code is read where a person running `make run` reads it: the developer inbox, which shows
what the embedded SMSC simulator received (the real dispatcher delivers it there). The manual's
words are the constants below, used literally; the other texts are the portal's own Italian
translations, looked up in its catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from centrex.accounts.models import User
from centrex.aliases.actions.decisions import revoke_alias
from centrex.aliases.models import AliasStatus
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicy
from tests.conftest import PASSWORD
from tests.e2e.steps import accedere_all_area_clienti, codice_dalla_developer_inbox, italian
from tests.plugins.policy_cast import AliasIn
from tests.plugins.smsc import SmsEngine
from tests.plugins.smtp import SmtpServer

pytestmark = pytest.mark.e2e

# The manual's words (Manuale amministratore IP Centrex, §4).
COMMUNICATOR = "Communicator"
MITTENTI_SMS = "Mittenti SMS"
PROPRIO_NUMERO = "ogni utente usa il proprio numero di cellulare"
UNICO_NUMERO = "un unico numero di cellulare per tutti gli utenti"
UNICO_ALIAS = "un unico alias per tutti gli utenti"
A_SCELTA = "a scelta del singolo utente"
# The manual's «salva» and «codice di verifica», capitalised as a button and a label (issue 14).
SALVA = "Salva"
CODICE_DI_VERIFICA = "Codice di verifica"
NUMERO_DI_CELLULARE = "Numero di cellulare"

SHARED_NUMBER = "347 123 4567"
SHARED_E164 = "+393471234567"


def mittenti_sms(page: Page) -> None:
    """«Nella sezione Communicator dell'Area Clienti»: the main menu's Communicator, then its
    page «Mittenti SMS»."""
    menu = page.get_by_role("navigation", name=italian("Main menu"))
    menu.get_by_role("link", name=COMMUNICATOR, exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/$"))
    menu.get_by_role("link", name=MITTENTI_SMS, exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/mittenti-sms/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MITTENTI_SMS)


def in_vigore(page: Page) -> Any:
    """The page's «Opzione in vigore» box."""
    return page.get_by_role("region", name=italian("Option in force"))


def scegliere(page: Page, option: str) -> None:
    page.get_by_role("radio", name=option, exact=True).check()


def premere_salva(page: Page) -> None:
    page.get_by_role("button", name=SALVA, exact=True).click()


def expect_in_force(page: Page, option: str) -> None:
    expect(page).to_have_url(re.compile(r"/communicator/mittenti-sms/$"))
    expect(page.get_by_role("status")).to_contain_text(
        italian("Saved: “%(option)s”.").split("«")[0]
    )
    expect(in_vigore(page)).to_contain_text(option)
    expect(page.get_by_role("radio", name=option, exact=True)).to_be_checked()


def one_line(header: object) -> str:
    """A header as one line (long ones arrive folded)."""
    return " ".join(str(header).split())


def test_alice_chooses_each_of_the_four_options(
    page: Page,
    new_page: Callable[[], Page],
    builtin_smsc: SmsEngine,
    smtp_server: SmtpServer,
    alice: User,
    bob: User,
    operator: User,
    esempio: Customer,
    alias_in: AliasIn,
) -> None:
    # given Esempio's validated alias "EsempioNet", and Alice, its administrator
    alias = alias_in(AliasStatus.VALIDATED)
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    mittenti_sms(page)
    for option in (PROPRIO_NUMERO, UNICO_NUMERO, UNICO_ALIAS, A_SCELTA):
        expect(page.get_by_role("radio", name=option, exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name=PROPRIO_NUMERO, exact=True)).to_be_checked()

    # when she keeps «ogni utente usa il proprio numero di cellulare» and presses salva
    scegliere(page, PROPRIO_NUMERO)
    premere_salva(page)
    # then it is the option in force
    expect_in_force(page, PROPRIO_NUMERO)

    # when she chooses «un unico numero di cellulare per tutti gli utenti», enters the number
    # and presses salva
    scegliere(page, UNICO_NUMERO)
    page.get_by_label(NUMERO_DI_CELLULARE, exact=True).fill(SHARED_NUMBER)
    premere_salva(page)
    # then an SMS with the code was sent, the «codice di verifica» field appears, and until
    # the number is verified the option in force stays the previous one (R-S1.2)
    expect(page.get_by_role("radio", name=UNICO_NUMERO, exact=True)).to_be_checked()
    code_field = page.get_by_label(CODICE_DI_VERIFICA, exact=True)
    expect(code_field).to_be_visible()
    expect(page.locator("#shared-mobile-state")).to_contain_text(
        italian("Until the number is verified, the option in force stays “%(option)s”.")
        % {"option": PROPRIO_NUMERO}
    )
    expect(in_vigore(page)).to_contain_text(PROPRIO_NUMERO)

    # when she reads the code in the developer inbox, enters it and presses salva again
    code = codice_dalla_developer_inbox(new_page(), builtin_smsc, SHARED_E164)
    expect(page.locator("body")).not_to_contain_text(code)
    code_field.fill(code)
    premere_salva(page)
    # then the number is verified and the option is in force
    expect(page.get_by_role("status")).to_contain_text(
        italian("%(number)s is verified, and it is now the sender of the SMS of all users.")
        % {"number": SHARED_E164}
    )
    expect(in_vigore(page)).to_contain_text(UNICO_NUMERO)
    expect(in_vigore(page)).to_contain_text(SHARED_E164)
    expect(page.locator("#shared-mobile-state")).to_contain_text(italian("verified"))

    # when she chooses «a scelta del singolo utente» and presses salva
    scegliere(page, A_SCELTA)
    premere_salva(page)
    expect_in_force(page, A_SCELTA)

    # when she chooses «un unico alias per tutti gli utenti»: the preview says, before
    # saving, that Bob and she could send with it (R-S4)
    scegliere(page, UNICO_ALIAS)
    page.get_by_label("Alias", exact=True).select_option(label="EsempioNet")
    preview = page.locator("#policy-preview")
    expect(preview).to_contain_text(
        italian("every SMS is sent with the alias “%(alias)s”.") % {"alias": "EsempioNet"}
    )
    expect(preview).to_contain_text(
        italian("Users who can send SMS: %(can)s of %(total)s.") % {"can": 2, "total": 2}
    )
    # and presses salva
    premere_salva(page)
    expect_in_force(page, UNICO_ALIAS)
    expect(in_vigore(page)).to_contain_text("EsempioNet")
    saved = SenderPolicy.for_customer(esempio)
    assert (saved.mode, saved.shared_alias_id) == ("shared_alias", alias.pk)
    warning = page.locator("#sms-policy-warning")
    expect(warning).to_have_count(0)

    # when the operator revokes "EsempioNet"
    mails_before = len(smtp_server.messages)
    revoke_alias(alias, "Uso ingannevole segnalato.", acting_user=operator)

    # then Alice sees the warning on every page, linking to Mittenti SMS (R-S2)
    page.goto("/area-clienti/")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("EsempioNet")
    warning.get_by_role("link", name=MITTENTI_SMS, exact=True).click()
    expect(page).to_have_url(re.compile(r"/communicator/mittenti-sms/$"))
    expect(in_vigore(page)).to_contain_text(italian("SMS cannot be sent"))

    # and the e-mail telling her that nobody can send SMS arrives, in Italian
    received = smtp_server.wait_for(mails_before + 2)  # R-A10's revocation notice, and this
    subject = italian("SMS cannot be sent: the alias “%(text)s” can no longer be used") % {
        "text": "EsempioNet"
    }
    [notice] = [mail for mail in received if one_line(mail.message["Subject"]) == subject]
    assert notice.rcpt_tos == [alice.email]
    assert "/communicator/mittenti-sms/" in notice.text
    assert "Uso ingannevole segnalato." in notice.text

    # when she chooses another option, the warning goes away
    scegliere(page, A_SCELTA)
    premere_salva(page)
    expect_in_force(page, A_SCELTA)
    expect(warning).to_have_count(0)


def test_a_consumer_is_offered_only_the_mobile_options(page: Page, dario: User) -> None:
    # given Dario, administrator of a consumer customer (R-S3)
    accedere_all_area_clienti(page, dario.email, PASSWORD)

    # when he opens Mittenti SMS
    mittenti_sms(page)

    # then only the two mobile options, and why
    expect(page.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_role("radio", name=PROPRIO_NUMERO, exact=True)).to_be_visible()
    expect(page.get_by_role("radio", name=UNICO_NUMERO, exact=True)).to_be_visible()
    expect(page.get_by_text("Delibera 42/13/CIR").first).to_be_visible()
