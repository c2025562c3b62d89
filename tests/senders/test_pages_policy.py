"""Communicator > Mittenti SMS, the page (manual §4; R-S1–S4): the four options with the
manual's words, the two "salva" of the shared number, the validated aliases only, consumers,
the preview before saving (with and without JavaScript), and the admins' warning banner on every
page (R-S2)."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from centrex.accounts.models import User
from centrex.aliases.actions.decisions import revoke_alias
from centrex.aliases.models import AliasStatus
from centrex.customers.actions import provision_extensions
from centrex.customers.models import Customer, Extension
from centrex.senders.models import SenderPolicy
from centrex.sms.models import SmsMessage
from tests.plugins.policy_cast import BOB_MOBILE, SHARED_MOBILE, AliasIn, give_mobile, policy_of
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to

PAGE = "/communicator/mittenti-sms/"
PREVIEW = "/communicator/mittenti-sms/anteprima/"

# The manual's words (§4).
OPTIONS = {
    "own_mobile": "ogni utente usa il proprio numero di cellulare",
    "shared_mobile": "un unico numero di cellulare per tutti gli utenti",
    "shared_alias": "un unico alias per tutti gli utenti",
    "user_choice": "a scelta del singolo utente",
}


def it(msgid: str) -> str:
    with translation.override("it"):
        return translation.gettext(msgid)


def text_of(response: Any) -> str:
    """The page's text with one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def policy(customer: Customer) -> SenderPolicy:
    return SenderPolicy.for_customer(customer)


@pytest.fixture
def as_alice(alice: User) -> Client:
    return logged_in(alice)


# --- The page --------------------------------------------------------------------------------


def test_the_admin_sees_the_four_options_with_the_manuals_words(as_alice: Client) -> None:
    # when
    response = as_alice.get(PAGE)
    # then
    assert response.status_code == 200
    page = text_of(response)
    assert "Mittenti SMS" in page
    for value, label in OPTIONS.items():
        assert label in page
        assert f'value="{value}"' in response.content.decode()
    # each with the manual's explanation
    assert "premere nuovamente il pulsante «Salva»" in page
    assert "tra quelli validati" in page
    # the option in force is checked
    assert re.search(r'value="own_mobile"[^>]*checked', response.content.decode())
    assert (
        '<button type="submit" name="action" value="save" class="btn btn-primary">Salva</button>'
        in response.content.decode()
    )
    assert "Anteprima" in page


def test_a_consumer_sees_only_the_mobile_options_and_why(dario: User) -> None:
    # when
    response = logged_in(dario).get(PAGE)
    # then (R-S3)
    page = text_of(response)
    assert OPTIONS["own_mobile"] in page and OPTIONS["shared_mobile"] in page
    assert OPTIONS["shared_alias"] not in page and OPTIONS["user_choice"] not in page
    assert "Delibera 42/13/CIR" in page


@pytest.mark.parametrize("who", ["bob", "operator"])
def test_plain_users_and_operators_are_refused(
    who: str, request: pytest.FixtureRequest, esempio: Customer
) -> None:
    # given
    client = logged_in(request.getfixturevalue(who))
    # when / then
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"mode": "user_choice", "action": "save"}).status_code == 403
    assert client.post(PREVIEW, {"mode": "user_choice"}).status_code == 403
    assert not SenderPolicy.objects.exists()


def test_a_plain_user_reads_who_chooses_the_senders(bob: User) -> None:
    # when
    response = logged_in(bob).get(PAGE)
    # then (R-S1: "chosen by an admin")
    assert response.status_code == 403
    assert "Solo un amministratore della tua azienda può scegliere i mittenti SMS." in (
        response.content.decode()
    )


def test_anonymous_visitors_are_sent_to_log_in(client: Client) -> None:
    # when
    response = client.get(PAGE)
    # then
    assert response.status_code == 302
    assert "next=" in response["Location"]


# --- Saving -----------------------------------------------------------------------------------


def test_salva_puts_the_option_in_force(as_alice: Client, esempio: Customer) -> None:
    # when
    response = as_alice.post(PAGE, {"mode": "user_choice", "action": "save"}, follow=True)
    # then
    assert response.redirect_chain[-1][0] == PAGE
    assert policy(esempio).mode == "user_choice"
    page = text_of(response)
    assert it("Saved: “%(option)s”.") % {"option": OPTIONS["user_choice"]} in page


def test_salva_with_a_validated_alias(
    as_alice: Client, esempio: Customer, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    # when
    response = as_alice.post(
        PAGE, {"mode": "shared_alias", "shared_alias": alias.pk, "action": "save"}, follow=True
    )
    # then
    assert policy(esempio).shared_alias == alias
    assert "EsempioNet" in text_of(response)


def test_only_validated_aliases_are_offered(as_alice: Client, alias_in: AliasIn) -> None:
    # given
    validated = alias_in(AliasStatus.VALIDATED)
    pending = alias_in(AliasStatus.PENDING, text="Esempio")
    # when
    content = as_alice.get(PAGE).content.decode()
    # then
    assert f'<option value="{validated.pk}"' in content
    assert f'<option value="{pending.pk}"' not in content


def test_without_validated_aliases_the_page_explains_and_links_to_alias(
    as_alice: Client, esempio: Customer
) -> None:
    # when
    response = as_alice.get(PAGE)
    # then
    assert 'id="no-validated-alias"' in response.content.decode()
    assert 'href="/communicator/alias/"' in response.content.decode()
    # and choosing the option says what is missing
    saved = as_alice.post(PAGE, {"mode": "shared_alias", "action": "save"})
    assert saved.status_code == 200
    assert it("Choose the alias that all users send with, among your validated aliases.") in (
        text_of(saved)
    )
    assert policy(esempio).mode == "own_mobile"


def test_another_customers_alias_cannot_be_posted(
    carla: User, altra: Customer, esempio: Customer, alias_in: AliasIn
) -> None:
    # given Esempio's validated alias
    alias = alias_in(AliasStatus.VALIDATED)
    # when Carla posts its id on her own page
    response = logged_in(carla).post(
        PAGE, {"mode": "shared_alias", "shared_alias": alias.pk, "action": "save"}
    )
    # then it is not one of hers (R-C3): refused on the field, nothing saved anywhere
    assert response.status_code == 200
    assert it("Choose one of your validated aliases.") in text_of(response)
    assert not SenderPolicy.objects.exists()


def test_a_consumer_cannot_post_an_alias_option(dario: User, privato: Customer) -> None:
    # when
    response = logged_in(dario).post(PAGE, {"mode": "user_choice", "action": "save"})
    # then
    assert response.status_code == 200
    assert policy(privato).mode == "own_mobile"


# --- The two "salva" of the shared number (R-S1.2) ----------------------------------------------


def test_the_shared_number_with_the_manuals_two_saves(
    as_alice: Client, esempio: Customer, bob: User, clock: Clock
) -> None:
    # given user_choice in force
    as_alice.post(PAGE, {"mode": "user_choice", "action": "save"})
    # when Alice enters the number and presses salva
    first = as_alice.post(
        PAGE, {"mode": "shared_mobile", "number": "347 123 4567", "action": "save"}, follow=True
    )
    # then the code is sent, the «codice di verifica» field appears, and user_choice stays
    assert first.redirect_chain[-1][0] == f"{PAGE}?mode=shared_mobile"
    content = first.content.decode()
    assert re.search(r'value="shared_mobile"[^>]*checked', content)
    assert re.search(r'<label[^>]* for="id_code"[^>]*>Codice di verifica</label>', content)
    # «invia un nuovo codice» submits a form of its own: Enter in the code field is «salva»
    assert '<button type="submit" form="policy-resend"' in content
    page = text_of(first)
    assert (
        it("Until the number is verified, the option in force stays “%(option)s”.")
        % {"option": OPTIONS["user_choice"]}
        in page
    )
    assert policy(esempio).mode == "user_choice"
    assert len(sms_sent_to(SHARED_MOBILE)) == 1
    # when she presses salva without the code
    empty = as_alice.post(
        PAGE, {"mode": "shared_mobile", "number": SHARED_MOBILE, "action": "save"}
    )
    # then she is told to enter it
    assert 'id="id_code_error"' in empty.content.decode()
    # when she enters a wrong code
    code = code_sent_to(SHARED_MOBILE)
    wrong = as_alice.post(
        PAGE,
        {
            "mode": "shared_mobile",
            "number": SHARED_MOBILE,
            "code": a_wrong_code(code),
            "action": "save",
        },
    )
    # then the error is on the field, and nothing changed
    assert 'id="id_code_error"' in wrong.content.decode()
    assert policy(esempio).mode == "user_choice"
    # when she enters the right code and presses salva again
    done = as_alice.post(
        PAGE,
        {"mode": "shared_mobile", "number": SHARED_MOBILE, "code": code, "action": "save"},
        follow=True,
    )
    # then the number is verified and the option in force
    saved = policy(esempio)
    assert (saved.mode, saved.shared_mobile_verified) == ("shared_mobile", True)
    page = text_of(done)
    assert it("verified") in page and SHARED_MOBILE in page
    assert 'id="id_code"' not in done.content.decode()


def test_a_new_code_on_request(as_alice: Client, clock: Clock) -> None:
    # given a number waiting for its code
    as_alice.post(PAGE, {"mode": "shared_mobile", "number": SHARED_MOBILE, "action": "save"})
    # when «invia un nuovo codice» at once, then after a minute
    at_once = as_alice.post(
        PAGE, {"mode": "shared_mobile", "number": SHARED_MOBILE, "action": "resend"}
    )
    clock.advance(seconds=61)
    later = as_alice.post(
        PAGE, {"mode": "shared_mobile", "number": SHARED_MOBILE, "action": "resend"}
    )
    # then the first is throttled on the number's field (R-M2), the second sends one
    assert 'id="id_number_error"' in at_once.content.decode()
    assert later.status_code == 302
    assert len(sms_sent_to(SHARED_MOBILE)) == 2


def test_a_landline_is_refused_on_the_field(as_alice: Client, esempio: Customer) -> None:
    # when
    response = as_alice.post(
        PAGE, {"mode": "shared_mobile", "number": "02 1234 5678", "action": "save"}
    )
    # then (R-M1)
    assert 'id="id_number_error"' in response.content.decode()
    assert policy(esempio).shared_mobile_number == ""


def test_the_verified_number_is_chosen_again_with_one_salva(
    as_alice: Client, esempio: Customer
) -> None:
    # given the number verified earlier, then own_mobile chosen
    policy_of(esempio, "own_mobile", shared_mobile=SHARED_MOBILE, verified=True)
    # when
    as_alice.post(PAGE, {"mode": "shared_mobile", "number": SHARED_MOBILE, "action": "save"})
    # then
    assert policy(esempio).mode == "shared_mobile"
    assert not sms_sent_to(SHARED_MOBILE)


# --- Preview (R-S4) ---------------------------------------------------------------------------


def test_anteprima_without_javascript_previews_and_saves_nothing(
    as_alice: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # given Bob with a verified number, Alice without
    give_mobile(bob, BOB_MOBILE)
    # when own_mobile is previewed with a new shared number typed in
    response = as_alice.post(
        PAGE, {"mode": "own_mobile", "number": "347 123 4567", "action": "preview"}
    )
    # then
    page = text_of(response)
    assert it("Users who can send SMS: %(can)s of %(total)s.") % {"can": 1, "total": 2} in page
    assert it("No mobile number: the user has not set it in Account Options.") in page
    assert not SenderPolicy.objects.exists()
    assert not SmsMessage.objects.exists()


def test_the_live_preview_answers_a_fragment_without_side_effects(
    as_alice: Client, esempio: Customer, bob: User
) -> None:
    # when shared_mobile is previewed with a number (htmx, on change)
    response = as_alice.post(
        PREVIEW, {"mode": "shared_mobile", "number": "347 123 4567"}, HTTP_HX_REQUEST="true"
    )
    # then every enabled user would send from it once verified; nothing sent, nothing saved
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    page = text_of(response)
    assert it("Users who can send SMS: %(can)s of %(total)s.") % {"can": 2, "total": 2} in page
    assert SHARED_MOBILE in page
    assert not SmsMessage.objects.exists()
    assert not SenderPolicy.objects.exists()


def test_the_live_preview_reports_a_bad_number(as_alice: Client) -> None:
    # when
    response = as_alice.post(PREVIEW, {"mode": "shared_mobile", "number": "02 1234 5678"})
    # then
    assert "<li>«02 1234 5678» non è un numero di cellulare." in response.content.decode()


def test_the_page_and_the_preview_cost_the_same_for_3_or_63_users(
    as_alice: Client, esempio: Customer, operator: User, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias_in(AliasStatus.VALIDATED)

    def queries(method: str, path: str, data: dict[str, str] | None = None) -> int:
        getattr(as_alice, method)(path, data)  # caches
        with CaptureQueriesContext(connection) as captured:
            response = getattr(as_alice, method)(path, data)
        assert response.status_code == 200
        return len(captured.captured_queries)

    def all_queries() -> tuple[int, int, int]:
        return (
            queries("get", PAGE),
            queries("post", PREVIEW, {"mode": "user_choice"}),
            queries("post", PAGE, {"mode": "user_choice", "action": "preview"}),
        )

    few = all_queries()
    # when 60 more users join, half with an extension
    provision_extensions(esempio, [str(n) for n in range(600, 630)], acting_user=operator)
    free = list(Extension.objects.filter(customer=esempio).free().in_number_order())
    User.objects.bulk_create(
        [
            User(
                customer=esempio,
                email=f"utente{i}@esempio.example",
                extension=free[i] if i < 30 else None,
            )
            for i in range(60)
        ]
    )
    many = all_queries()
    # then
    assert few == many
    assert text_of(as_alice.get(PAGE)).count("Communicator non abilitato") >= 30


# --- The admins' warning banner (R-S2) -------------------------------------------------------------


def test_admins_see_the_warning_on_every_page_while_the_policy_is_unusable(
    as_alice: Client, esempio: Customer, bob: User, operator: User, alias_in: AliasIn
) -> None:
    # given the shared alias in force
    alias = alias_in(AliasStatus.VALIDATED)
    as_alice.post(PAGE, {"mode": "shared_alias", "shared_alias": alias.pk, "action": "save"})
    assert 'id="sms-policy-warning"' not in as_alice.get("/area-clienti/").content.decode()
    # when the operator revokes it
    revoke_alias(alias, "Uso ingannevole.", acting_user=operator)
    # then Alice sees the warning on every page, with the link to Mittenti SMS
    for path in ("/area-clienti/", "/communicator/", "/impostazioni/utenti/", PAGE):
        content = as_alice.get(path).content.decode()
        assert 'id="sms-policy-warning"' in content, path
        assert f'href="{PAGE}"' in content
    assert "EsempioNet" in text_of(as_alice.get("/area-clienti/"))
    # and Bob, who is not an admin, does not
    assert 'id="sms-policy-warning"' not in logged_in(bob).get("/area-clienti/").content.decode()
    # until Alice chooses another option
    as_alice.post(PAGE, {"mode": "user_choice", "action": "save"})
    assert 'id="sms-policy-warning"' not in as_alice.get("/area-clienti/").content.decode()


def test_an_unverified_shared_number_in_force_warns_the_admins(
    as_alice: Client, esempio: Customer
) -> None:
    # given
    policy_of(esempio, "shared_mobile", shared_mobile=SHARED_MOBILE, verified=False)
    # when
    content = as_alice.get("/area-clienti/").content.decode()
    # then
    assert 'id="sms-policy-warning"' in content
    assert SHARED_MOBILE in content


def test_operators_pages_have_no_banner(operator: User) -> None:
    # when
    content = logged_in(operator).get("/backoffice/").content.decode()
    # then
    assert 'id="sms-policy-warning"' not in content
