"""The pages of two-step verification (R-Z1–Z3): the sign-in's second step, Opzioni Account >
«Verifica in due passaggi», Impostazioni > «Sicurezza» and what a person who must set it up
sees at sign-in, the reset in Modifica Utente. Codes computed from the secret, as an app."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from django.test import Client

from centrex.accounts.actions import confirm_totp, start_totp
from centrex.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CODE = "/accounts/login/codice/"
TWO_STEP = "/accounts/opzioni/verifica-in-due-passaggi/"


def code_at(secret: str, steps_from_now: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_from_now)


def turned_on(user: User) -> tuple[str, list[str]]:
    secret = start_totp(user).secret
    return secret, confirm_totp(user, code_at(secret))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signing_in_asks_for_the_code_after_the_password(alice: User) -> None:
    secret, _codes = turned_on(alice)
    client = Client()
    # when: the right password
    answer = client.post(LOGIN, {"email": alice.email, "password": PASSWORD})
    # then: the second step, not signed in yet
    assert answer.status_code == 302 and answer["Location"] == CODE
    assert client.get("/area-clienti/").status_code == 302
    page = client.get(CODE).content.decode()
    assert 'autocomplete="one-time-code"' in page
    wrong = client.post(CODE, {"code": "000000"})
    assert wrong.status_code == 200
    assert "non è corretto" in wrong.content.decode()
    # when: the app's code
    right = client.post(CODE, {"code": code_at(secret, 1)})
    # then
    assert right.status_code == 302
    assert client.get("/area-clienti/").status_code == 200


def test_a_recovery_code_signs_in_on_the_page_once(alice: User) -> None:
    _secret, codes = turned_on(alice)
    first, second = Client(), Client()
    for client in (first, second):
        client.post(LOGIN, {"email": alice.email, "password": PASSWORD})
    assert first.post(CODE, {"code": codes[0]}).status_code == 302
    assert second.post(CODE, {"code": codes[0]}).status_code == 200


def test_the_code_page_without_a_password_first_goes_back_to_login(client: Client) -> None:
    answer = client.get(CODE)
    assert answer.status_code == 302 and answer["Location"] == LOGIN


def test_setting_it_up_shows_the_qr_code_and_the_recovery_codes_once(bob: User) -> None:
    client = signed_in(bob)
    assert "Configura la verifica in due passaggi" in client.get(TWO_STEP).content.decode()
    # when: start
    started = client.post(TWO_STEP, {"action": "start"}).content.decode()
    # then: a QR code and the key as text
    assert "<svg" in started
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", started)
    assert secret is not None
    # when: the app's first code
    confirmed = client.post(TWO_STEP, {"action": "confirm", "code": code_at(secret[1])})
    # then: ten recovery codes, this once
    shown = re.findall(r"<li><code>([A-Z0-9-]{11})</code></li>", confirmed.content.decode())
    assert len(shown) == 10
    again = client.get(TWO_STEP).content.decode()
    assert not any(code in again for code in shown)
    assert "Disattiva la verifica in due passaggi" in again


def test_a_user_required_to_set_it_up_can_do_nothing_else(alice: User, bob: User) -> None:
    # given: Alice requires it of everyone
    answer = signed_in(alice).post("/impostazioni/sicurezza/", {"mfa_required": "everyone"})
    assert answer.status_code == 302
    # when: Bob signs in
    client = Client()
    entered = client.post(LOGIN, {"email": bob.email, "password": PASSWORD})
    # then: he is led to the set-up, and every other page sends him back there
    assert entered["Location"] == TWO_STEP
    assert client.get("/communicator/sms/")["Location"] == TWO_STEP
    page = client.get(TWO_STEP).content.decode()
    assert "La tua azienda richiede la verifica in due passaggi" in page
    # when: he sets it up
    started = client.post(TWO_STEP, {"action": "start"}).content.decode()
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", started)
    assert secret is not None
    client.post(TWO_STEP, {"action": "confirm", "code": code_at(secret[1])})
    # then: free to go on
    assert client.get("/communicator/sms/").status_code == 200


def test_an_admin_resets_a_users_two_step_verification(alice: User, bob: User) -> None:
    turned_on(bob)
    admin = signed_in(alice)
    assert (
        "Azzera la verifica in due passaggi"
        in admin.get(f"/impostazioni/utenti/{bob.pk}/").content.decode()
    )
    answer = admin.post(f"/impostazioni/utenti/{bob.pk}/verifica/azzera/")
    assert answer.status_code == 302
    entered = Client().post(LOGIN, {"email": bob.email, "password": PASSWORD})
    assert entered["Location"] != CODE


def test_an_operator_resets_an_admins_two_step_verification(alice: User, operator: User) -> None:
    turned_on(alice)
    assert alice.customer is not None
    page = f"/backoffice/clienti/{alice.customer.pk}/utenti/{alice.pk}/"
    back_office = signed_in(operator)
    assert "Azzera la verifica in due passaggi" in back_office.get(page).content.decode()
    assert back_office.post(page + "verifica/azzera/").status_code == 302
    entered = Client().post(LOGIN, {"email": alice.email, "password": PASSWORD})
    assert entered["Location"] != CODE
