"""«Invia SMS» (manual §4, R-T1–T4, R-U6, R-S4): who may not send reads why and where to fix
it; the sender picker only in `user_choice`; typed or pasted recipients with a message per
number; the live counter equal to `count_sms` (R-T3); a form sent twice sends once (R-T4)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.aliases.models import AliasStatus
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicyMode
from centrex.sms.encoding import count_sms
from centrex.sms.forms import split_recipients
from centrex.sms.models import SmsMessage, SmsRequest
from tests.plugins.policy_cast import BOB_MOBILE, SHARED_MOBILE, AliasIn, give_mobile, policy_of

COMPOSE = "/communicator/sms/"
CARLO = "+393401112233"
DANIELA = "+393405556677"


pytestmark = pytest.mark.usefixtures("no_send_rate_limits")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def chiara(esempio: Customer, operator: User) -> User:
    """A user of Esempio without an IP Centrex extension (R-U6)."""
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
        password="Centrex-Test-2026!",
    )


def send_form(client: Client, **fields: str) -> Any:
    data = {"recipients": CARLO, "text": "Ciao", "idempotency_key": "form-1", **fields}
    return client.post(COMPOSE, data)


# --- Who may not send reads why (R-U6, R-S4) ----------------------------------------------


def test_a_user_without_an_extension_is_told_communicator_is_not_enabled_r_u6(
    chiara: User,
) -> None:
    # when
    response = logged_in(chiara).get(COMPOSE)
    # then: the reason instead of the form
    html = response.content.decode()
    assert response.status_code == 403
    assert "Communicator non è abilitato:" in html
    assert 'data-code="communicator_not_enabled"' in html
    assert 'name="recipients"' not in html


def test_a_user_with_no_number_is_sent_to_account_options_r_s1(bob: User) -> None:
    # when
    response = logged_in(bob).get(COMPOSE)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="no_sender_available"' in html
    assert "Non puoi inviare SMS:" in html
    assert '<a href="/accounts/opzioni/">Opzioni Account</a>' in html
    assert 'name="recipients"' not in html


def test_an_unverified_number_is_sent_to_account_options_r_m2(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE, verified=False)
    # when
    html = logged_in(bob).get(COMPOSE).content.decode()
    # then
    assert 'data-code="mobile_not_verified"' in html
    assert '<a href="/accounts/opzioni/">Opzioni Account</a>' in html


def test_an_unusable_policy_is_explained_without_a_fallback_r_s2(
    bob: User, alice: User, esempio: Customer
) -> None:
    # given a shared number never verified, and Bob's own verified
    give_mobile(bob, BOB_MOBILE)
    policy_of(esempio, SenderPolicyMode.SHARED_MOBILE, shared_mobile=SHARED_MOBILE)
    # when
    html = logged_in(bob).get(COMPOSE).content.decode()
    # then: no form; an admin is sent to fix the option, a user is not (R-S2)
    assert 'data-code="policy_unusable"' in html
    assert 'name="recipients"' not in html
    refusal = html.split('data-code="policy_unusable"')[1].split("</div>")[0]
    assert "<a " not in refusal
    give_mobile(alice, "+393331234567")
    admin_html = logged_in(alice).get(COMPOSE).content.decode()
    admin_refusal = admin_html.split('data-code="policy_unusable"')[1].split("</div>")[0]
    assert '<a href="/communicator/mittenti-sms/">Mittenti SMS</a>' in admin_refusal


def test_the_page_needs_a_login(client: Client) -> None:
    # when
    response = client.get(COMPOSE)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The sender (R-T2) ------------------------------------------------------------------------


def test_outside_user_choice_the_sender_is_shown_not_picked_r_t2(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    # when
    html = logged_in(bob).get(COMPOSE).content.decode()
    # then
    assert 'name="sender"' not in html
    assert f"Numero di cellulare {BOB_MOBILE}" in html
    assert re.search(r'<label [^>]*for="id_recipients"[^>]*>Destinatari</label>', html)
    assert re.search(r'<label [^>]*for="id_text"[^>]*>Testo</label>', html)
    assert re.search(r'<button type="submit"[^>]*>(?:<i [^>]*></i>)?\s*Invia</button>', html)


def test_in_user_choice_the_picker_offers_the_number_and_validated_aliases_r_s1(
    bob: User, esempio: Customer, alias_in: AliasIn
) -> None:
    # given a validated and a pending alias
    give_mobile(bob, BOB_MOBILE)
    alias_in(AliasStatus.VALIDATED)
    alias_in(AliasStatus.PENDING, text="Esempio")
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    html = logged_in(bob).get(COMPOSE).content.decode()
    # then
    options = re.findall(
        r'<option value="([^"]*)"', html.split('name="sender"')[1].split("</select>")[0]
    )
    assert options == [f"mobile:{BOB_MOBILE}", "alias:EsempioNet"]
    assert re.search(r'<label [^>]*for="id_sender"[^>]*>Mittente</label>', html)


def test_bob_sends_with_the_alias_he_picks_r_t2(
    bob: User, esempio: Customer, alias_in: AliasIn
) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    response = send_form(logged_in(bob), sender="alias:EsempioNet")
    # then
    sms = SmsRequest.objects.get()
    assert response.status_code == 302
    assert (sms.sender_type, sms.sender_value, sms.sender_ton) == ("alias", "EsempioNet", 5)


def test_an_alias_revoked_while_the_page_was_open_is_refused_on_the_field_r_a11(
    bob: User, esempio: Customer, alias_in: AliasIn
) -> None:
    # given the page offered EsempioNet, revoked since
    give_mobile(bob, BOB_MOBILE)
    alias_in(AliasStatus.REVOKED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    # when
    response = send_form(logged_in(bob), sender="alias:EsempioNet")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_sender_error"' in html
    assert not SmsRequest.objects.exists()


# --- Recipients (R-T1) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "entries"),
    [
        ("+393401112233", ["+393401112233"]),
        ("+39 340 111 2233, 340 555 6677", ["+39 340 111 2233", "340 555 6677"]),
        ("3401112233;3405556677\n3409998877", ["3401112233", "3405556677", "3409998877"]),
        ("3401112233 3405556677", ["3401112233", "3405556677"]),
        ("+39 340 1112233 340 5556677", ["+39 340 1112233", "340 5556677"]),
        ("340 111 2233\r\n\r\n , ; 0039 340 555 6677", ["340 111 2233", "0039 340 555 6677"]),
        ("ciao 340 111 2233", ["ciao", "340 111 2233"]),
        ("", []),
        (" ,; \n", []),
    ],
)
def test_typed_or_pasted_lists_are_split_into_numbers(typed: str, entries: list[str]) -> None:
    assert split_recipients(typed) == entries


def test_a_pasted_list_is_sent_to_each_number_once_r_t1(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    # when
    response = send_form(logged_in(bob), recipients="+39 340 111 2233\n340 555 6677; 3401112233")
    # then
    sms = SmsRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/communicator/sms/inviati/{sms.pk}/"
    assert list(SmsMessage.objects.order_by("id").values_list("destination", flat=True)) == [
        CARLO,
        DANIELA,
    ]


def test_each_wrong_number_is_explained_and_nothing_is_sent_r_t1(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    # when
    response = send_form(logged_in(bob), recipients="340 111 2233, 02 1234 5678, pippo")
    # then
    html = response.content.decode()
    errors = html.split('id="id_recipients_error"')[1].split("</div>\n")[0]
    assert "02 1234 5678" in errors and "cellulare" in errors
    assert "pippo" in errors
    assert "340 111 2233" not in errors
    assert not SmsRequest.objects.exists()


def test_empty_recipients_and_text_are_explained_on_their_fields(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    # when
    html = send_form(logged_in(bob), recipients="", text="").content.decode()
    # then
    assert "Scrivi almeno un destinatario" in html.split('id="id_recipients_error"')[1]
    assert "Scrivi il testo dell&#x27;SMS." in html.split('id="id_text_error"')[1]


def test_the_recipients_check_while_typing(bob: User) -> None:
    # when
    response = logged_in(bob).post(
        "/communicator/sms/destinatari/", {"recipients": "340 111 2233, 3401112233; 0212345678"}
    )
    # then: one distinct mobile number, one landline explained
    html = response.content.decode()
    assert 'data-recipients="1"' in html
    assert "1 destinatario" in html
    assert "0212345678" in html and "cellulare" in html


# --- The live counter (R-T3) ------------------------------------------------------------------

COUNTER_CASES = [
    "",
    "Ciao",
    "a" * 160,
    "a" * 161,
    "a" * 306,
    "a" * 307,
    "€" * 80,
    "€" * 81,
    "Prezzo: 10 € [IVA {inclusa}] ~ ^ | \\",
    "àèéìòù ÄÖÑÜ ç Ç",
    "ж" * 70,
    "ж" * 71,
    "😀" * 35,
    "😀" * 36,
    "Emoji 😀 and ū\u00a0nbsp",
    "a" * 1530,
    "a" * 1531,
    "line\r\nbreaks\n",
]


def counter_of(client: Client, text: str) -> dict[str, str]:
    response = client.post("/communicator/sms/contatore/", {"text": text})
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<p class="sms-counter[^"]*"([^>]*)>', html)
    assert found, html
    counts = dict(re.findall(r'data-(\w+)="([^"]*)"', found.group(1)))
    counts["marked"] = "".join(re.findall(r"<mark>([^<]*)</mark>", html))
    counts["too_long"] = str('role="alert"' in html)
    return counts


@pytest.mark.parametrize("text", COUNTER_CASES)
def test_the_live_counter_shows_exactly_what_count_sms_counts_r_t3(bob: User, text: str) -> None:
    # given
    expected = count_sms(text)
    # when
    shown = counter_of(logged_in(bob), text)
    # then
    assert shown["characters"] == str(expected.characters)
    assert shown["encoding"] == str(expected.encoding)
    assert shown["units"] == str(expected.units)
    assert shown["parts"] == str(expected.parts)
    assert shown["remaining"] == str(expected.remaining)
    assert shown["too_long"] == str(not expected.fits)


def test_the_counter_marks_the_characters_that_force_ucs2_r_t3(bob: User) -> None:
    # when
    shown = counter_of(logged_in(bob), "Ciao 😀 ū\u00a0€ è")
    # then: each once, in order; an invisible one by its code point; € and è are GSM
    assert shown["marked"] == "😀ūU+00A0"
    assert shown["encoding"] == "ucs2"


def test_the_euro_hint_only_when_the_text_holds_a_euro_r_t3(bob: User) -> None:
    # given
    client = logged_in(bob)
    # when the text holds a «€», then the counter says it counts as two
    with_euro = client.post("/communicator/sms/contatore/", {"text": "Costo 5 €"})
    assert "(€ vale 2)" in with_euro.content.decode()
    # when it holds none, then no hint at all
    without = client.post("/communicator/sms/contatore/", {"text": "Costo 5 euro"})
    assert "vale 2" not in without.content.decode()
    assert "valgono 2" not in without.content.decode()
    assert "data-doubled" not in without.content.decode()


def test_the_hint_names_only_the_characters_of_the_text_that_count_as_two_r_t3(
    bob: User,
) -> None:
    # given
    client = logged_in(bob)
    # when the text holds brackets and a euro, then each is named once, in order
    html = client.post("/communicator/sms/contatore/", {"text": "[IVA] 10 € [x]"}).content.decode()
    assert "([ ] € valgono 2)" in html
    # when the text holds a bracket and no euro, then the euro is not mentioned
    html = client.post("/communicator/sms/contatore/", {"text": "Voce [1]"}).content.decode()
    assert "([ ] valgono 2)" in html
    assert "€" not in html
    # when an emoji turns the text into UCS-2, then nothing counts as two
    html = client.post("/communicator/sms/contatore/", {"text": "10 € 😀"}).content.decode()
    assert "vale 2" not in html
    assert "valgono 2" not in html


def test_the_page_shows_the_counter_of_the_text_as_sent_back(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    # when: the form comes back with an error
    html = send_form(logged_in(bob), recipients="pippo", text="Ciao €").content.decode()
    # then
    assert 'data-characters="6"' in html
    assert 'data-units="7"' in html
    assert "GSM 7-bit" in html
    assert "(€ vale 2)" in html


# --- Sending twice (R-T4) ------------------------------------------------------------------


def test_the_same_form_sent_twice_sends_once_r_t4(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    client = logged_in(bob)
    # when (a double click, or the browser's "resend")
    first = send_form(client, idempotency_key="form-7")
    second = send_form(client, idempotency_key="form-7")
    # then
    assert first["Location"] == second["Location"]
    assert SmsRequest.objects.count() == 1


def test_every_form_shown_carries_a_new_key_r_t4(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    client = logged_in(bob)
    # when
    keys = {
        re.search(
            r'name="idempotency_key" value="([^"]+)"', client.get(COMPOSE).content.decode()
        ).group(1)  # type: ignore[union-attr]
        for _ in range(2)
    }
    # then
    assert len(keys) == 2


def test_after_sending_the_page_of_the_sms_shows_it_queued(bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    client = logged_in(bob)
    # when
    response = send_form(client, text="Ciao €")
    page = client.get(response["Location"])
    # then
    html = page.content.decode()
    assert "SMS accettato per 1 destinatario" in html
    assert 'data-status="queued">in coda<' in html
    assert "Ciao €" in html
