"""Manuale amministratore §4, the user's own mobile number, step by step in Chromium and in
Italian (R-U9, R-M1–M3).

    ogni utente usa il proprio numero di cellulare: se un utente ha impostato nella propria
    sezione Opzioni Account il proprio numero di cellulare, questo verrà utilizzato come
    mittente degli SMS da lui inviati. […] Una volta inserito il numero di cellulare, premere
    il pulsante salva. Verrà inviato un SMS contenente un codice di verifica. Inserire il
    codice di verifica nel campo apposito e premere nuovamente il pulsante salva.

The code is read where a person running `make run` reads it: the developer inbox, which shows
what the embedded SMSC simulator received (the real dispatcher delivers it there). The manual's
words are the constants below, used literally; the other texts are the portal's own Italian
translations, looked up in its catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from centrex.accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.steps import accedere_all_area_clienti, codice_dalla_developer_inbox, italian
from tests.plugins.smsc import SmsEngine

pytestmark = pytest.mark.e2e

# The manual's words (Manuale amministratore IP Centrex, §4).
OPZIONI_ACCOUNT = "Opzioni Account"
NUMERO_DI_CELLULARE = "numero di cellulare"
SALVA = "salva"
# The manual's «salva» as the button reads it, capitalised like every button (issue 14).
SALVA_BUTTON = re.compile(f"^{SALVA}$", re.I)
CODICE_DI_VERIFICA = "codice di verifica"

BOBS_NUMBER = "333 123 4567"
BOBS_E164 = "+393331234567"


def opzioni_account(page: Page) -> Locator:
    """The menu's «Opzioni Account», and its «numero di cellulare» section."""
    page.get_by_role("navigation", name=italian("Main menu")).get_by_role(
        "link", name=OPZIONI_ACCOUNT, exact=True
    ).click()
    expect(page).to_have_url(re.compile(r"/accounts/opzioni/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(OPZIONI_ACCOUNT)
    section = page.get_by_role("group", name=re.compile(f"^{NUMERO_DI_CELLULARE}$", re.I))
    expect(section).to_be_visible()
    return section


def inserire_il_numero(page: Page, number: str) -> None:
    """«Una volta inserito il numero di cellulare, premere il pulsante salva»."""
    section = opzioni_account(page)
    section.get_by_label(re.compile(f"^{NUMERO_DI_CELLULARE}$", re.I)).fill(number)
    section.get_by_role("button", name=SALVA_BUTTON).click()


def inserire_il_codice(page: Page, code: str) -> None:
    """«Inserire il codice di verifica nel campo apposito e premere nuovamente salva»."""
    page.get_by_label(re.compile(f"^{CODICE_DI_VERIFICA}$", re.I)).fill(code)
    page.get_by_role("button", name=SALVA_BUTTON).click()


def expect_code_sent(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/opzioni/cellulare/verifica/$"))
    expect(
        page.get_by_text(
            italian("We sent an SMS with the verification code to the number %(number)s.")
            % {"number": BOBS_NUMBER}
        )
    ).to_be_visible()


def test_bob_sets_his_mobile_number_and_verifies_it_with_the_code_of_the_sms(
    page: Page, new_page: Callable[[], Page], builtin_smsc: SmsEngine, bob: User
) -> None:
    # given Bob (extension 202) in the customer area
    accedere_all_area_clienti(page, bob.email, PASSWORD)

    # when he enters his mobile number in Opzioni Account, in national form, and presses salva
    section = opzioni_account(page)
    expect(section).to_contain_text(
        italian(
            "You have not set your mobile number. Set it to send SMS from Communicator with "
            "your own number as the sender."
        )
    )
    inserire_il_numero(page, BOBS_NUMBER)

    # then the page says where the SMS with the code went (R-M2)
    expect_code_sent(page)

    # when he reads the code in the developer inbox, enters it and presses salva again
    code = codice_dalla_developer_inbox(new_page(), builtin_smsc, BOBS_E164)
    expect(page.locator("body")).not_to_contain_text(code)
    inserire_il_codice(page, code)

    # then he is back in Opzioni Account with his number verified
    expect(page).to_have_url(re.compile(r"/accounts/opzioni/$"))
    expect(
        page.get_by_text(
            italian("Your mobile number %(number)s is verified.") % {"number": BOBS_NUMBER}
        )
    ).to_be_visible()
    section = page.get_by_role("group", name=re.compile(f"^{NUMERO_DI_CELLULARE}$", re.I))
    expect(section).to_contain_text(f"{BOBS_NUMBER} ({BOBS_E164})")
    expect(section.locator(".badge")).to_have_text(italian("verified"))
    bob.refresh_from_db()
    assert (bob.mobile_number, bob.mobile_verified) == (BOBS_E164, True)


def test_a_wrong_code_is_refused_and_a_new_code_waits_its_minute(
    page: Page, new_page: Callable[[], Page], builtin_smsc: SmsEngine, bob: User
) -> None:
    # given Bob entered his number and got the code
    accedere_all_area_clienti(page, bob.email, PASSWORD)
    inserire_il_numero(page, BOBS_NUMBER)
    expect_code_sent(page)
    code = codice_dalla_developer_inbox(new_page(), builtin_smsc, BOBS_E164)

    # when he types another code and presses salva
    inserire_il_codice(page, f"{(int(code) + 1) % 1_000_000:06d}")

    # then the field says the code is not right, with the attempts left (R-M2)
    field = page.get_by_label(re.compile(f"^{CODICE_DI_VERIFICA}$", re.I))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("")
    expect(
        page.get_by_text(
            italian(
                "This verification code is not right. Check the SMS and type it again "
                "(attempts left: %(left)d)."
            )
            % {"left": 4}
        )
    ).to_be_visible()
    # and a new code can be asked only after the minute, the seconds shown (R-M2)
    expect(page.get_by_role("button", name=italian("Send a new code"))).to_be_disabled()
    expect(page.locator("#resend-wait")).to_contain_text(re.compile(r"tra \d+ secondi"))
    bob.refresh_from_db()
    assert (bob.mobile_number, bob.mobile_verified) == (BOBS_E164, False)

    # and the right code still verifies it (4 attempts left)
    inserire_il_codice(page, code)
    expect(page).to_have_url(re.compile(r"/accounts/opzioni/$"))
    section = page.get_by_role("group", name=re.compile(f"^{NUMERO_DI_CELLULARE}$", re.I))
    expect(section.locator(".badge")).to_have_text(italian("verified"))


def test_a_landline_is_not_a_mobile_number(page: Page, bob: User) -> None:
    # given
    accedere_all_area_clienti(page, bob.email, PASSWORD)

    # when Bob enters a Milan landline and presses salva
    inserire_il_numero(page, "02 1234 5678")

    # then he is told it is not a mobile number, next to the field, and nothing is stored (R-M1)
    field = page.get_by_label(re.compile(f"^{NUMERO_DI_CELLULARE}$", re.I))
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(
        page.get_by_text(
            italian("“%(number)s” is not a mobile number. Enter a mobile (cellulare) number.")
            % {"number": "02 1234 5678"}
        )
    ).to_be_visible()
    bob.refresh_from_db()
    assert bob.mobile_number == ""
