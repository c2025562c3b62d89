"""The pages of the own mobile number, from Opzioni Account (R-U9, R-M1–M3): enter the number,
«salva», the «codice di verifica», «salva», back to Opzioni Account; new code 60 s apart;
remove. They act on the logged-in user only (no ids in their addresses): operators get 403."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from centrex.accounts.models import User
from centrex.verification.actions import set_own_mobile, verify_own_mobile
from centrex.verification.models import VerificationCode
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to

OPTIONS = reverse("accounts:options")
OWN_MOBILE = reverse("verification:own_mobile")
VERIFY = reverse("verification:own_mobile_verify")
REMOVE = reverse("verification:own_mobile_remove")
NUMBER = "+393331234567"


def shows(response: Any, pattern: str) -> bool:
    """Whether the page holds this element, whatever classes the design system gives it."""
    return re.search(pattern, response.content.decode()) is not None


def button(label: str) -> str:
    """A submit button with these words (an icon may come first); «salva» in either case, as
    the manual writes it and as a button shows it."""
    return rf'<button type="submit"[^>]*>\s*(?:<i [^>]*></i>\s*)?(?i:{label})\s*</button>'


def badge(words: str) -> str:
    return rf'<span class="badge\b[^"]*">{words}</span>'


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_paths_are_under_account_options() -> None:
    assert OWN_MOBILE == "/accounts/opzioni/cellulare/"
    assert VERIFY == "/accounts/opzioni/cellulare/verifica/"
    assert REMOVE == "/accounts/opzioni/cellulare/rimuovi/"


# --- Opzioni Account ----------------------------------------------------------------------


def test_account_options_has_the_mobile_number_section(bob: User) -> None:
    # when
    response = logged_in(bob).get(OPTIONS)
    # then
    assert shows(response, r"<legend[^>]*>Numero di cellulare</legend>")
    assert shows(response, r'<label [^>]*for="id_mobile_number"[^>]*>Numero di cellulare</label>')
    assertContains(response, f'action="{OWN_MOBILE}"')
    assert shows(response, button("salva"))
    assertContains(response, "Non hai impostato il tuo numero di cellulare.")
    assertNotContains(response, REMOVE)


def test_account_options_shows_the_number_and_that_it_is_not_verified(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    # when
    response = logged_in(bob).get(OPTIONS)
    # then national and E.164 forms, and the state
    assertContains(response, "333 123 4567 (+393331234567)")
    assert shows(response, badge("non verificato"))
    assert shows(
        response, rf'<a [^>]*href="{VERIFY}"[^>]*>(?:<i [^>]*></i>\s*)?Inserisci il codice'
    )
    assertContains(response, REMOVE)
    assertNotContains(response, code_sent_to(NUMBER))


def test_account_options_shows_a_verified_number(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    verify_own_mobile(bob, code_sent_to(NUMBER))
    # when
    response = logged_in(bob).get(OPTIONS)
    # then
    assert shows(response, badge("verificato"))
    assertNotContains(response, "non verificato")


def test_operators_have_no_mobile_number_section(operator: User) -> None:
    # when
    response = logged_in(operator).get(OPTIONS)
    # then
    assert response.status_code == 200
    assertNotContains(response, "Numero di cellulare")


# --- entering the number ------------------------------------------------------------------


def test_salva_stores_the_number_and_says_where_the_code_went(bob: User) -> None:
    # when
    response = logged_in(bob).post(OWN_MOBILE, {"number": "333 123 4567"}, follow=True)
    # then
    assertRedirects(response, VERIFY)
    assertContains(
        response, "Abbiamo inviato un SMS con il codice di verifica al numero 333 123 4567."
    )
    assert shows(response, r'<label [^>]*for="id_code"[^>]*>Codice di verifica</label>')
    assert shows(response, button("salva"))
    assertNotContains(response, code_sent_to(NUMBER))
    bob.refresh_from_db()
    assert (bob.mobile_number, bob.mobile_verified) == (NUMBER, False)


def test_a_landline_is_refused_next_to_the_field(bob: User) -> None:
    # when
    response = logged_in(bob).post(OWN_MOBILE, {"number": "02 1234 5678"})
    # then
    assert response.status_code == 200
    assertContains(response, 'id="id_number_error"')
    assertContains(response, "non è un numero di cellulare")
    assert not VerificationCode.objects.exists()


def test_an_invalid_number_is_refused_next_to_the_field(bob: User) -> None:
    response = logged_in(bob).post(OWN_MOBILE, {"number": "12"})
    assertContains(response, 'id="id_number_error"')
    assertContains(response, "non è un numero di telefono valido")


def test_the_same_verified_number_goes_back_with_nothing_done(bob: User, clock: Clock) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    verify_own_mobile(bob, code_sent_to(NUMBER))
    clock.advance(minutes=2)
    # when
    response = logged_in(bob).post(OWN_MOBILE, {"number": "+39 333 123 4567"}, follow=True)
    # then
    assertRedirects(response, OPTIONS)
    assertContains(response, "è verificato: non c&#x27;è altro da fare.")
    assert len(sms_sent_to(NUMBER)) == 1


def test_the_number_page_shows_the_current_number(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    # when
    response = logged_in(bob).get(OWN_MOBILE)
    # then
    assertContains(response, 'value="333 123 4567"')
    assert shows(response, r"<h1[^>]*>Numero di cellulare</h1>")


# --- entering the code --------------------------------------------------------------------


def test_the_right_code_and_salva_go_back_to_account_options_verified(bob: User) -> None:
    # given
    client = logged_in(bob)
    client.post(OWN_MOBILE, {"number": "333 123 4567"})
    # when
    response = client.post(VERIFY, {"code": code_sent_to(NUMBER)}, follow=True)
    # then
    assertRedirects(response, OPTIONS)
    assertContains(response, "Il tuo numero di cellulare 333 123 4567 è verificato.")
    assert shows(response, badge("verificato"))
    bob.refresh_from_db()
    assert bob.mobile_verified


def test_a_wrong_code_is_refused_next_to_the_field_and_not_written_back(bob: User) -> None:
    # given
    client = logged_in(bob)
    client.post(OWN_MOBILE, {"number": "333 123 4567"})
    wrong = a_wrong_code(code_sent_to(NUMBER))
    # when
    response = client.post(VERIFY, {"code": wrong})
    # then
    assert response.status_code == 200
    assertContains(response, 'id="id_code_error"')
    assertContains(response, "Il codice di verifica non è corretto.")
    assertContains(response, "tentativi rimasti: 4")
    assertNotContains(response, wrong)
    assertNotContains(response, code_sent_to(NUMBER))


def test_a_dead_code_says_to_ask_for_a_new_one(bob: User) -> None:
    # given
    client = logged_in(bob)
    client.post(OWN_MOBILE, {"number": "333 123 4567"})
    code = code_sent_to(NUMBER)
    for _ in range(5):
        client.post(VERIFY, {"code": a_wrong_code(code)})
    # when
    response = client.post(VERIFY, {"code": code})
    # then
    assertContains(response, "non è più valido. Richiedi un nuovo codice.")
    assertContains(response, "Non c'è un codice di verifica valido in attesa")


def test_the_new_code_button_waits_for_the_minute_with_the_seconds_shown(
    bob: User, clock: Clock
) -> None:
    # given
    client = logged_in(bob)
    client.post(OWN_MOBILE, {"number": "333 123 4567"})
    clock.advance(seconds=18)
    # when
    page = client.get(VERIFY)
    early = client.post(VERIFY, {"action": "resend"})
    # then the page shows the wait, and asking anyway is 429 with nothing sent
    assertContains(page, "Potrai richiedere un nuovo codice tra 42 secondi.")
    assert re.search(r'<button[^>]*id="resend-code"[^>]*disabled', page.content.decode())
    assert early.status_code == 429
    assert early["Retry-After"] == "42"
    assertContains(early, "Attendi 42 secondi", status_code=429)
    assert len(sms_sent_to(NUMBER)) == 1


def test_the_new_code_button_sends_one_after_the_minute(bob: User, clock: Clock) -> None:
    # given
    client = logged_in(bob)
    client.post(OWN_MOBILE, {"number": "333 123 4567"})
    first = code_sent_to(NUMBER)
    clock.advance(seconds=60)
    # when
    response = client.post(VERIFY, {"action": "resend"}, follow=True)
    # then
    assertRedirects(response, VERIFY)
    assertContains(response, "Abbiamo inviato un nuovo codice di verifica al numero 333 123 4567.")
    assert len(sms_sent_to(NUMBER)) == 2
    # and the next one waits a minute again
    assertContains(response, "Potrai richiedere un nuovo codice tra 60 secondi.")
    second = code_sent_to(NUMBER)
    if first != second:  # the first code is now just a wrong one
        assertContains(client.post(VERIFY, {"code": first}), "tentativi rimasti: 4")


def test_the_verify_page_without_a_number_goes_to_the_number_page(bob: User) -> None:
    assertRedirects(logged_in(bob).get(VERIFY), OWN_MOBILE)


def test_the_verify_page_of_a_verified_number_goes_back_to_options(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    verify_own_mobile(bob, code_sent_to(NUMBER))
    # when / then
    assertRedirects(logged_in(bob).get(VERIFY), OPTIONS, fetch_redirect_response=False)


# --- removing ---------------------------------------------------------------------------


def test_removing_asks_then_removes(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    client = logged_in(bob)
    # when
    confirm = client.get(REMOVE)
    response = client.post(REMOVE, follow=True)
    # then
    assertContains(confirm, "Rimuovere il tuo numero di cellulare 333 123 4567 (+393331234567)?")
    assertRedirects(response, OPTIONS)
    assertContains(response, "Il tuo numero di cellulare 333 123 4567 è stato rimosso.")
    bob.refresh_from_db()
    assert (bob.mobile_number, bob.mobile_verified) == ("", False)


def test_removing_without_a_number_goes_back(bob: User) -> None:
    assertRedirects(logged_in(bob).get(REMOVE), OPTIONS)


# --- who ------------------------------------------------------------------------------------


def test_operators_are_refused_on_every_page(operator: User) -> None:
    # given
    client = logged_in(operator)
    # when / then
    for path in (OWN_MOBILE, VERIFY, REMOVE):
        response = client.get(path)
        assert response.status_code == 403, path
        assertContains(response, "Gli operatori non hanno un numero di cellulare", status_code=403)
    assert client.post(OWN_MOBILE, {"number": "333 123 4567"}).status_code == 403
    assert not VerificationCode.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(OWN_MOBILE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_user_changes_only_their_own_number(alice: User, bob: User) -> None:
    # when Bob sets a number
    logged_in(bob).post(OWN_MOBILE, {"number": "333 123 4567"})
    # then Alice's account is untouched
    alice.refresh_from_db()
    assert alice.mobile_number == ""
    assert VerificationCode.objects.get().user_id == bob.pk
