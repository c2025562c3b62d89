"""Two-step verification in Chromium and in Italian (issue 15, R-Z1–Z3): Alice sets it up in
Opzioni Account (the QR code shown, the code computed by the test from the key, as her phone's
app would), keeps her recovery codes, signs in again with a code, then with a recovery code,
which is refused the second time; Bob, required to use it by Impostazioni > Sicurezza, is led
to set it up at sign-in."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from centrex.accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.steps import accedere_all_area_clienti, esci, italian

pytestmark = pytest.mark.e2e


def code_at(secret: str, steps_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_from_now)


def set_up(page: Page) -> list[str]:
    """On «Verifica in due passaggi»: start, read the key under the QR code, confirm."""
    page.get_by_role("button", name=italian("Set up two-step verification")).click()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator("code[data-secret]").inner_text()
    page.get_by_label(italian("Code")).fill(code_at(secret))
    page.get_by_role("button", name=italian("Turn on"), exact=True).click()
    expect(page.get_by_role("heading", name=italian("Your recovery codes"))).to_be_visible()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    return [secret, *codes]


def sign_in_with(page: Page, email: str, code: str) -> None:
    page.goto("/")
    page.get_by_label(italian("E-mail"), exact=True).fill(email)
    page.get_by_label(italian("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=italian("Log in"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Two-step verification"))
    page.get_by_label(italian("Code")).fill(code)
    page.get_by_role("button", name=italian("Verify"), exact=True).click()


def test_alice_sets_it_up_and_signs_in_with_a_code_then_a_recovery_code(
    page: Page, alice: User
) -> None:
    # given
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    page.get_by_role("link", name=italian("Account Options")).first.click()
    page.get_by_role("link", name=italian("Two-step verification")).click()
    # when
    secret, *codes = set_up(page)
    esci(page)
    # then: the password alone is not enough; the app's next code is
    sign_in_with(page, alice.email, code_at(secret, 1))
    expect(page).to_have_url(re.compile(r"/area-clienti/$"))
    esci(page)
    # a recovery code signs in once
    sign_in_with(page, alice.email, codes[0])
    expect(page).to_have_url(re.compile(r"/area-clienti/$"))
    esci(page)
    sign_in_with(page, alice.email, codes[0])
    expect(
        page.get_by_text(
            italian("The code is not right or was already used. Enter the code the app shows now.")
        )
    ).to_be_visible()


def test_a_user_required_to_use_it_is_led_to_set_it_up_at_sign_in(
    page: Page, alice: User, bob: User
) -> None:
    # given: Alice requires it of everyone in Impostazioni > Sicurezza
    accedere_all_area_clienti(page, alice.email, PASSWORD)
    page.goto("/impostazioni/sicurezza/")
    page.get_by_label(italian("everyone"), exact=True).check()
    page.get_by_role("button", name=re.compile(r"^salva$", re.I)).click()
    esci(page)
    # when: Bob signs in
    page.goto("/")
    page.get_by_label(italian("E-mail"), exact=True).fill(bob.email)
    page.get_by_label(italian("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=italian("Log in"), exact=True).click()
    # then: the set-up, and nothing else until it is done
    expect(page).to_have_url(re.compile(r"/verifica-in-due-passaggi/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        italian(
            "Your company requires two-step verification: set it up now to go on using the portal."
        )
    )
    page.goto("/communicator/sms/")
    expect(page).to_have_url(re.compile(r"/verifica-in-due-passaggi/$"))
    set_up(page)
    page.get_by_role("link", name=italian("I have saved the codes")).click()
    expect(page).to_have_url(re.compile(r"/area-clienti/$"))
