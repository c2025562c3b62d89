"""The Communicator section of the customer area (manual §2–3): the Alias list with the
«campo stato», «aggiungi» with the live check, «invia richiesta» with the AGCOM authorisation,
cancel / withdraw / delete, and «Regole sull'utilizzo dei mittenti SMS" (R-A1–A12)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import update_own_account
from centrex.accounts.models import User
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.actions.decisions import approve_alias, reject_alias, revoke_alias
from centrex.aliases.actions.lifecycle import create_alias, delete_alias, submit_alias
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_wording
from centrex.aliases.models import (
    AliasConsent,
    AliasEvent,
    AliasStatus,
    ReservedName,
    SenderAlias,
)
from centrex.core.errors import ErrorCode
from centrex.customers.models import Customer

ROME = ZoneInfo("Europe/Rome")
# R-A8: requested Friday 27 November 2026 at 16:00 → due Monday 30 November at 15:00.
FRIDAY_16 = datetime(2026, 11, 27, 16, 0, tzinfo=ROME)
DUE_IT = "esito entro lunedì 30/11/2026 15:00"
DUE_EN = "outcome by Monday 30/11/2026 15:00"

COMMUNICATOR = reverse("aliases:communicator")
ALIASES = reverse("aliases:alias_list")
NEW_ALIAS = reverse("aliases:alias_create")
CHECK = reverse("aliases:alias_check")
RULES = reverse("aliases:rules")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _submit(alias: SenderAlias, admin: User) -> SenderAlias:
    return submit_alias(
        alias,
        consent=True,
        acting_user=admin,
        ip_address="192.0.2.10",
        language="it",
        now=FRIDAY_16,
    )


def _pending(customer: Customer, admin: User, text: str) -> SenderAlias:
    return _submit(create_alias(customer, text, acting_user=admin), admin)


def _validated(customer: Customer, admin: User, operator: User, text: str) -> SenderAlias:
    alias = approve_alias(_pending(customer, admin, text), acting_user=operator)
    assert alias.status == AliasStatus.VALIDATED
    return alias


@pytest.fixture
def every_status(esempio: Customer, alice: User, operator: User) -> dict[str, SenderAlias]:
    """One alias of Esempio S.r.l. in each status of R-A6."""
    rejected = reject_alias(
        _pending(esempio, alice, "Esempio Bar"),
        "Non è inerente alla ragione sociale.",
        acting_user=operator,
    )
    revoked = revoke_alias(
        _validated(esempio, alice, operator, "Esempio Web"),
        "Usato per SMS ingannevoli.",
        acting_user=operator,
    )
    withdrawn = delete_alias(_validated(esempio, alice, operator, "Esempio Mi"), acting_user=alice)
    assert withdrawn is not None
    return {
        "draft": create_alias(esempio, "Esempio", acting_user=alice),
        "pending": _pending(esempio, alice, "EsempioNet"),
        "validated": _validated(esempio, alice, operator, "Esempio Tv"),
        "rejected": rejected,
        "revoked": revoked,
        "withdrawn": withdrawn,
    }


def _row(content: bytes, text: str) -> str:
    """The HTML of the list's row of alias `text`."""
    for row in re.findall(r"<tr>(.*?)</tr>", content.decode(), re.S):
        if f"<strong>{text}</strong>" in row:
            return str(row)
    raise AssertionError(f"no row for {text!r}")


def _add_button(label: str) -> str:
    """Communicator > Alias's «Aggiungi», the page's action at the top."""
    return (
        f'<a class="btn btn-primary" href="{NEW_ALIAS}">'
        f'<i class="bi bi-plus-lg" aria-hidden="true"></i> {label}</a>'
    )


def _italian(message: Any) -> str:
    """A rule's message as the page shows it in Italian (HTML-escaped)."""
    with translation.override("it"):
        return escape(str(message))


# The Communicator section


def test_communicator_section_shows_the_own_state_and_the_alias_menu_to_an_admin(
    alice: User,
) -> None:
    # when
    response = _logged_in(alice).get(COMMUNICATOR)

    # then
    assert response.status_code == 200
    assertContains(response, '<h1 class="h3 mb-3">Communicator</h1>', html=True)
    assertContains(response, "Communicator abilitato")
    assertContains(response, f'href="{ALIASES}"')
    assertContains(response, f'href="{RULES}"')


def test_main_menu_has_communicator_before_impostazioni(alice: User) -> None:
    # when
    content = _logged_in(alice).get(COMMUNICATOR).content.decode()

    # then
    assert content.index(">Communicator</a>") < content.index("Impostazioni")
    assert f'href="{ALIASES}"' in content


def test_a_plain_user_sees_communicator_without_the_alias_menu(bob: User) -> None:
    # when
    response = _logged_in(bob).get(COMMUNICATOR)

    # then
    assert response.status_code == 200
    assertContains(response, "Communicator abilitato")
    assertNotContains(response, f'href="{ALIASES}"')
    assertContains(response, f'href="{RULES}"')


def test_an_operator_is_sent_to_the_alias_queue(operator: User) -> None:
    # when
    response = _logged_in(operator).get(COMMUNICATOR)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:alias_queue")


# Communicator > Alias: the list and its «campo stato» (R-A6, R-A8)


def test_alias_list_shows_each_status_in_the_manuals_words(
    alice: User, every_status: dict[str, SenderAlias]
) -> None:
    # when
    response = _logged_in(alice).get(ALIASES)

    # then
    assert response.status_code == 200
    assertContains(response, '<html lang="it">')
    assertContains(response, _add_button("Aggiungi"), html=True)
    content = response.content
    draft = _row(content, "Esempio")
    assert "bozza" in draft and "Invia richiesta" in draft
    pending = _row(content, "EsempioNet")
    assert "in attesa di validazione" in pending and DUE_IT in pending
    assert "Annulla richiesta" in pending
    validated = _row(content, "Esempio Tv")
    assert "validato" in validated and "Ritira" in validated
    rejected = _row(content, "Esempio Bar")
    assert "rifiutato" in rejected and "Motivo: Non è inerente alla ragione sociale." in rejected
    assert "Elimina" in rejected
    revoked = _row(content, "Esempio Web")
    assert "revocato" in revoked and "Motivo: Usato per SMS ingannevoli." in revoked
    assert "<button" not in revoked
    withdrawn = _row(content, "Esempio Mi")
    assert "ritirato" in withdrawn and "<button" not in withdrawn


def test_alias_list_is_in_english_for_an_english_admin(
    alice: User, every_status: dict[str, SenderAlias]
) -> None:
    # given
    update_own_account(alice, language="en")

    # when
    response = _logged_in(alice).get(ALIASES)

    # then
    assertContains(response, '<html lang="en">')
    assertContains(response, _add_button("Add"), html=True)
    pending = _row(response.content, "EsempioNet")
    assert "awaiting validation" in pending and DUE_EN in pending
    assert "Reason: Usato per SMS ingannevoli." in _row(response.content, "Esempio Web")


def test_a_consumer_admin_reads_why_aliases_are_not_available(dario: User) -> None:
    # when (R-A3)
    response = _logged_in(dario).get(ALIASES)

    # then
    assert response.status_code == 200
    assertContains(response, "Delibera 42/13/CIR")
    assertContains(response, "partita IVA")
    assertNotContains(response, NEW_ALIAS)
    assertNotContains(response, "Aggiungi")


def test_a_consumer_admin_cannot_open_aggiungi(dario: User) -> None:
    # when (R-A3)
    page = _logged_in(dario).get(NEW_ALIAS)
    check = _logged_in(dario).post(CHECK, {"text": "Dario"})

    # then
    assert page.status_code == 403
    assertContains(page, "Delibera 42/13/CIR", status_code=403)
    assert check.status_code == 403
    assert not SenderAlias.objects.exists()


@pytest.mark.parametrize("url", [ALIASES, NEW_ALIAS])
def test_a_plain_user_gets_403_on_alias_pages(bob: User, url: str) -> None:
    # when
    response = _logged_in(bob).get(url)

    # then
    assert response.status_code == 403
    assertContains(response, "Non consentito", status_code=403)


def test_a_plain_user_cannot_use_the_live_check_or_touch_an_alias(
    bob: User, alice: User, esempio: Customer
) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)
    client = _logged_in(bob)

    # when
    check = client.post(CHECK, {"text": "Esempio"})
    submit = client.post(reverse("aliases:alias_submit", args=[alias.pk]), {"consent": "on"})
    delete = client.post(reverse("aliases:alias_delete", args=[alias.pk]))

    # then
    assert (check.status_code, submit.status_code, delete.status_code) == (403, 403, 403)
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT


def test_anonymous_visitors_are_sent_to_the_login(db: None) -> None:
    # when
    response = Client().get(ALIASES)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_customers_alias_is_not_found(carla: User, alice: User, esempio: Customer) -> None:
    # given an alias of Esempio S.r.l. (R-C3)
    alias = create_alias(esempio, "Esempio", acting_user=alice)
    client = _logged_in(carla)

    # when Carla of Altra S.p.A. opens or acts on it
    page = client.get(reverse("aliases:alias_submit", args=[alias.pk]))
    submit = client.post(reverse("aliases:alias_submit", args=[alias.pk]), {"consent": "on"})
    delete = client.post(reverse("aliases:alias_delete", args=[alias.pk]))
    listed = client.get(ALIASES)

    # then
    assert (page.status_code, submit.status_code, delete.status_code) == (404, 404, 404)
    assertNotContains(page, "Esempio", status_code=404)
    assertNotContains(listed, "Esempio")
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT


def test_the_alias_list_does_not_query_per_row(
    alice: User, esempio: Customer, operator: User
) -> None:
    # given
    client = _logged_in(alice)
    create_alias(esempio, "Esempio", acting_user=alice)
    client.get(ALIASES)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(ALIASES).status_code == 200
    for n in range(30):
        alias = create_alias(esempio, f"Esempio {n:02}", acting_user=alice)
        if n % 3 == 0:
            _submit(alias, alice)

    # when
    with CaptureQueriesContext(connection) as many_rows:
        response = client.get(ALIASES)

    # then
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 31
    assert len(many_rows.captured_queries) == len(one_row.captured_queries)


# «aggiungi» and the live check (R-A1–A5)


def test_aggiungi_shows_the_field_the_manuals_conditions_and_the_rules_link(alice: User) -> None:
    # when
    response = _logged_in(alice).get(NEW_ALIAS)

    # then
    assert response.status_code == 200
    assertContains(response, '<label for="id_text" class="form-label">Alias</label>', html=True)
    assertContains(response, f'hx-post="{CHECK}"')
    assertContains(response, 'hx-trigger="input changed delay:300ms"')
    assertContains(response, "non è possibile inserire numeri telefonici")
    assertContains(response, "inerente alla ragione sociale")
    assertContains(response, "coerente con le attività o le informazioni inviate tramite SMS")
    # the company's own names as examples, only those that pass the rules (issue 14):
    # «Esempio S.r.l.» is 14 characters long
    assertContains(response, "(es. «Esempio», «EsempioNet»)")
    assertNotContains(response, "«Esempio S.r.l.»")
    assertContains(
        response, f'<a href="{RULES}">Regole sull\'utilizzo dei mittenti SMS</a>', html=True
    )
    assertContains(
        response, '<button type="submit" class="btn btn-primary">Salva</button>', html=True
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("INFO", ErrorCode.ALIAS_GENERIC),
        ("Comune Roma", ErrorCode.ALIAS_RESERVED),
        ("0612345678", ErrorCode.ALIAS_LOOKS_LIKE_PHONE_NUMBER),
        ("EsempioServizi", ErrorCode.ALIAS_TOO_LONG),
        ("Esempio 😀", ErrorCode.ALIAS_INVALID_CHARACTERS),
    ],
)
def test_the_live_check_shows_the_rules_message(
    alice: User, esempio: Customer, text: str, code: ErrorCode
) -> None:
    # given the message the rule gives in Italian
    [expected] = [e for e in check_alias_text(esempio, text).errors if e.code == code]

    # when Alice types the text (htmx posts it)
    response = _logged_in(alice).post(CHECK, {"text": text}, headers={"HX-Request": "true"})

    # then the partial lists that message, and no ✓
    assert response.status_code == 200
    assertContains(response, f'data-code="{code}"')
    assertContains(response, _italian(expected.message))
    assertNotContains(response, "✓")
    assertNotContains(response, "<html")


def test_the_live_check_lists_every_broken_rule(alice: User) -> None:
    # when: too long, with an emoji, with 5 digits
    response = _logged_in(alice).post(CHECK, {"text": "Esempio 12345 😀"})

    # then
    for code in (
        ErrorCode.ALIAS_TOO_LONG,
        ErrorCode.ALIAS_INVALID_CHARACTERS,
        ErrorCode.ALIAS_LOOKS_LIKE_PHONE_NUMBER,
    ):
        assertContains(response, f'data-code="{code}"')


def test_the_live_check_says_a_good_alias_is_valid_with_its_relatedness(alice: User) -> None:
    # when (R-A5)
    response = _logged_in(alice).post(CHECK, {"text": "Esempio"})

    # then
    assertContains(response, "✓")
    assertContains(response, "Affinità con «Esempio S.r.l.»: 100%")
    assertNotContains(response, "data-code")


def test_the_live_check_hints_when_nothing_relates_to_the_company(alice: User) -> None:
    # when
    response = _logged_in(alice).post(CHECK, {"text": "Acme"})

    # then it is valid, but the hint warns (R-A5: the operator decides)
    assertContains(response, "✓")
    assertContains(response, "Nessuna affinità")


def test_the_live_check_of_an_empty_field_says_nothing(alice: User) -> None:
    # when
    response = _logged_in(alice).post(CHECK, {"text": ""})

    # then
    assert response.status_code == 200
    assert response.content.strip() == b""


def test_the_live_check_refuses_a_get(alice: User) -> None:
    # when
    response = _logged_in(alice).get(CHECK, {"text": "Esempio"})

    # then
    assert response.status_code == 405


def test_salva_creates_a_draft_and_the_list_offers_invia_richiesta(
    alice: User, esempio: Customer
) -> None:
    # when
    response = _logged_in(alice).post(NEW_ALIAS, {"text": "Esempio"}, follow=True)

    # then
    assert response.redirect_chain == [(ALIASES, 302)]
    alias = SenderAlias.objects.get()
    assert (alias.customer, alias.text, alias.status) == (esempio, "Esempio", AliasStatus.DRAFT)
    assert alias.created_by == alice
    row = _row(response.content, "Esempio")
    assert "bozza" in row
    assert f'href="{reverse("aliases:alias_submit", args=[alias.pk])}"' in row
    assertContains(response, "Alias «Esempio» salvato come bozza.")


def test_salva_keeps_case_and_spaces_as_typed(alice: User) -> None:
    # when (R-A1: case kept exactly; R-A1b: a trailing space is a fault to show, not to hide)
    _logged_in(alice).post(NEW_ALIAS, {"text": "eSempio Net"})
    response = _logged_in(alice).post(NEW_ALIAS, {"text": "Esempio "})

    # then
    assert list(SenderAlias.objects.values_list("text", flat=True)) == ["eSempio Net"]
    assertContains(response, "spazio")


def test_salva_with_a_broken_rule_shows_it_next_to_the_field(
    alice: User, esempio: Customer
) -> None:
    # given
    [expected] = check_alias_text(esempio, "INFO").errors

    # when
    response = _logged_in(alice).post(NEW_ALIAS, {"text": "INFO"})

    # then
    assert response.status_code == 200
    assertContains(
        response,
        '<div class="invalid-feedback d-block" id="id_text_error">'
        f"<div>{_italian(expected.message)}</div></div>",
        html=True,
    )
    assertContains(response, 'aria-invalid="true"')
    assertContains(response, 'value="INFO"')
    assert not SenderAlias.objects.exists()


def test_salva_of_a_name_the_company_already_has_is_refused(alice: User, esempio: Customer) -> None:
    # given (R-A4)
    create_alias(esempio, "Esempio", acting_user=alice)

    # when
    response = _logged_in(alice).post(NEW_ALIAS, {"text": "ESEMPIO"})

    # then
    [error] = check_alias_text(esempio, "ESEMPIO").errors
    assert error.code == ErrorCode.ALIAS_DUPLICATE
    assertContains(response, _italian(error.message))
    assert SenderAlias.objects.count() == 1


def test_salva_of_a_name_another_company_requested_is_refused(
    alice: User, esempio: Customer, carla: User, altra: Customer
) -> None:
    # given Altra S.p.A. is waiting for "Altra Web" (R-A4, Delibera 12/23/CIR)
    _pending(altra, carla, "Altra Web")

    # when Alice asks for the same name written differently
    response = _logged_in(alice).post(NEW_ALIAS, {"text": "ALTRA-WEB"})

    # then
    [error] = [e for e in check_alias_text(esempio, "ALTRA-WEB").errors]
    assert error.code == ErrorCode.ALIAS_TAKEN
    assertContains(response, _italian(error.message))
    assert not SenderAlias.objects.filter(customer=esempio).exists()


def test_salva_of_an_empty_field_asks_for_the_alias(alice: User) -> None:
    # when
    response = _logged_in(alice).post(NEW_ALIAS, {"text": ""})

    # then
    assertContains(response, "Inserisci l&#x27;alias")
    assert not SenderAlias.objects.exists()


# «invia richiesta» with the AGCOM authorisation (R-A7, R-A8)


def test_invia_richiesta_shows_the_versioned_authorisation_and_the_data_sent(
    alice: User, esempio: Customer
) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when
    response = _logged_in(alice).get(reverse("aliases:alias_submit", args=[alias.pk]))

    # then
    assert response.status_code == 200
    assertContains(response, escape(consent_wording("it")))
    assertContains(response, CURRENT_CONSENT_VERSION)
    assertContains(response, esempio.vat_number)
    assertContains(
        response,
        '<button type="submit" class="btn btn-primary">'
        '<i class="bi bi-send" aria-hidden="true"></i> Invia richiesta</button>',
        html=True,
    )
    assertContains(response, 'type="checkbox" name="consent"')


def test_invia_richiesta_without_the_authorisation_is_refused(
    alice: User, esempio: Customer
) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when (R-A7)
    response = _logged_in(alice).post(
        reverse("aliases:alias_submit", args=[alias.pk]),
        {"wording_version": CURRENT_CONSENT_VERSION},
    )

    # then the refusal stands next to the box, and nothing was sent
    assert response.status_code == 200
    content = response.content.decode()
    error = re.search(r'id="id_consent_error"><div>(.*?)</div>', content)
    assert error is not None and "autorizza" in error.group(1).lower()
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT
    assert not AliasConsent.objects.exists()


def test_invia_richiesta_with_the_authorisation_puts_the_alias_in_attesa(
    alice: User, esempio: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when (R-A7)
    with django_capture_on_commit_callbacks(execute=True):
        response = _logged_in(alice).post(
            reverse("aliases:alias_submit", args=[alias.pk]),
            {"consent": "on", "wording_version": CURRENT_CONSENT_VERSION},
            REMOTE_ADDR="198.51.100.7",
            follow=True,
        )

    # then the list shows it waiting, with the due time (R-A8)
    assert response.redirect_chain == [(ALIASES, 302)]
    alias.refresh_from_db()
    assert alias.status == AliasStatus.PENDING and alias.due_at is not None
    row = _row(response.content, "Esempio")
    assert "in attesa di validazione" in row
    assert "esito entro " in row
    # and the authorisation is recorded: who, when, from where, which wording (R-A7)
    consent = AliasConsent.objects.get()
    assert (consent.given_by, consent.ip_address) == (alice, "198.51.100.7")
    assert consent.wording_version == CURRENT_CONSENT_VERSION
    assert (consent.wording_language, consent.wording) == ("it", consent_wording("it"))


def test_invia_richiesta_records_the_english_wording_for_an_english_admin(
    alice: User, esempio: Customer
) -> None:
    # given
    update_own_account(alice, language="en")
    alias = create_alias(esempio, "Esempio", acting_user=alice)
    client = _logged_in(alice)
    page = client.get(reverse("aliases:alias_submit", args=[alias.pk]))

    # when
    client.post(
        reverse("aliases:alias_submit", args=[alias.pk]),
        {"consent": "on", "wording_version": CURRENT_CONSENT_VERSION},
    )

    # then what was shown is what is recorded
    assertContains(page, escape(consent_wording("en")))
    consent = AliasConsent.objects.get()
    assert (consent.wording_language, consent.wording) == ("en", consent_wording("en"))


def test_invia_richiesta_of_a_name_reserved_since_shows_the_rule_on_top(
    alice: User, esempio: Customer
) -> None:
    # given a draft whose name became reserved afterwards (R-A4b: the rules are checked again)
    alias = create_alias(esempio, "Esempio Lab", acting_user=alice)
    ReservedName.objects.get_or_create(name="Esempio Lab")

    # when
    response = _logged_in(alice).post(
        reverse("aliases:alias_submit", args=[alias.pk]),
        {"consent": "on", "wording_version": CURRENT_CONSENT_VERSION},
    )

    # then the refusal is shown above the form, and the alias stays a draft
    assert response.status_code == 200
    assertContains(response, '<div class="alert alert-danger" role="alert">')
    assertContains(response, "riservato agli enti pubblici")
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT
    assert not AliasConsent.objects.exists()


def test_invia_richiesta_with_an_outdated_wording_asks_to_read_it_again(
    alice: User, esempio: Customer
) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when the page was opened with an earlier version of the text
    response = _logged_in(alice).post(
        reverse("aliases:alias_submit", args=[alias.pk]),
        {"consent": "on", "wording_version": "2013-06"},
    )

    # then
    assertContains(response, "è cambiato")
    assertContains(response, f'value="{CURRENT_CONSENT_VERSION}"')
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT


def test_invia_richiesta_of_an_alias_already_sent_goes_back_to_the_list(
    alice: User, esempio: Customer
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")

    # when
    response = _logged_in(alice).get(reverse("aliases:alias_submit", args=[alias.pk]), follow=True)

    # then
    assert response.redirect_chain == [(ALIASES, 302)]
    assertContains(response, "non può essere inviata")


# Cancel, withdraw, delete (R-A6; API.md DELETE /aliases/{id})


def test_annulla_richiesta_puts_a_pending_alias_back_to_draft(
    alice: User, esempio: Customer
) -> None:
    # given
    alias = _pending(esempio, alice, "Esempio")

    # when
    response = _logged_in(alice).post(reverse("aliases:alias_delete", args=[alias.pk]), follow=True)

    # then
    alias.refresh_from_db()
    assert alias.status == AliasStatus.DRAFT
    assert "bozza" in _row(response.content, "Esempio")
    assertContains(response, "torna in bozza")


def test_ritira_withdraws_a_validated_alias(alice: User, esempio: Customer, operator: User) -> None:
    # given
    alias = _validated(esempio, alice, operator, "Esempio")

    # when
    response = _logged_in(alice).post(reverse("aliases:alias_delete", args=[alias.pk]), follow=True)

    # then (R-A11)
    alias.refresh_from_db()
    assert alias.status == AliasStatus.WITHDRAWN
    assert "ritirato" in _row(response.content, "Esempio")


def test_elimina_deletes_a_draft_and_keeps_its_history(alice: User, esempio: Customer) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when
    response = _logged_in(alice).post(reverse("aliases:alias_delete", args=[alias.pk]), follow=True)

    # then
    assert not SenderAlias.objects.exists()
    assertContains(response, "Alias «Esempio» eliminato.")
    assert AliasEvent.objects.filter(alias_text="Esempio", action="deleted").exists()


def test_a_revoked_alias_cannot_be_deleted(alice: User, esempio: Customer, operator: User) -> None:
    # given
    alias = revoke_alias(
        _validated(esempio, alice, operator, "Esempio"), "Uso improprio.", acting_user=operator
    )

    # when
    response = _logged_in(alice).post(reverse("aliases:alias_delete", args=[alias.pk]), follow=True)

    # then the refusal is shown as a message (invalid_transition)
    assert response.redirect_chain == [(ALIASES, 302)]
    assertContains(response, "alert-danger")
    alias.refresh_from_db()
    assert alias.status == AliasStatus.REVOKED


def test_delete_needs_a_post(alice: User, esempio: Customer) -> None:
    # given
    alias = create_alias(esempio, "Esempio", acting_user=alice)

    # when
    response = _logged_in(alice).get(reverse("aliases:alias_delete", args=[alias.pk]))

    # then
    assert response.status_code == 405
    assert SenderAlias.objects.filter(pk=alias.pk).exists()


def test_the_list_asks_for_confirmation_before_each_change(
    alice: User, every_status: dict[str, SenderAlias]
) -> None:
    # when
    content = _logged_in(alice).get(ALIASES).content

    # then (static/centrex/portal.js asks the form's data-confirm question: no inline script)
    assert 'data-confirm="' in _row(content, "Esempio")
    assert 'data-confirm="' in _row(content, "EsempioNet")
    assert 'data-confirm="' in _row(content, "Esempio Tv")
    assert 'data-confirm="' in _row(content, "Esempio Bar")


# «Regole sull'utilizzo dei mittenti SMS» (R-A12)


def test_the_rules_page_is_in_italian_and_cites_both_deliberations(alice: User) -> None:
    # when
    response = _logged_in(alice).get(RULES)

    # then
    assert response.status_code == 200
    assertContains(
        response, '<h1 class="h3 mb-3">Regole sull&#x27;utilizzo dei mittenti SMS</h1>', html=True
    )
    for text in ("Delibera 42/13/CIR", "Delibera 12/23/CIR", "11 caratteri", "partita IVA"):
        assertContains(response, text)
    assertContains(response, "5 o più cifre")
    assertContains(response, "8 ore lavorative")
    assertContains(response, "autorizzare")


def test_the_rules_page_is_in_english_for_an_english_user(bob: User) -> None:
    # given
    update_own_account(bob, language="en")

    # when
    response = _logged_in(bob).get(RULES)

    # then
    assertContains(response, '<h1 class="h3 mb-3">Rules for using SMS senders</h1>', html=True)
    assertContains(response, "Delibera 42/13/CIR")
    assertContains(response, "Delibera 12/23/CIR")
    assertContains(response, "5 or more digits")


def test_the_rules_page_is_public_and_says_whether_the_extended_set_is_allowed(
    db: None, operator: User
) -> None:
    # given
    from centrex.aliases.actions.word_lists import set_extended_charset

    anonymous = Client()
    before = anonymous.get(RULES)

    # when
    set_extended_charset(True, acting_user=operator)
    after = anonymous.get(RULES)

    # then
    assert before.status_code == after.status_code == 200
    assertContains(before, "oggi non sono ammessi")
    assertContains(after, "Il fornitore ammette anche")


# Communicator > Alias: the search (issue 14)


def test_the_alias_list_is_searched_by_text(
    alice: User, every_status: dict[str, SenderAlias]
) -> None:
    # when
    response = _logged_in(alice).get(ALIASES, {"q": "esempio t"})
    # then only «Esempio Tv» is listed, with how many were found
    assert response.status_code == 200
    assert re.findall(r"<strong>(.*?)</strong>", _table(response.content)) == ["Esempio Tv"]
    assertContains(response, "1 alias trovato.")
    assertContains(response, 'value="esempio t"')


def test_the_alias_list_is_filtered_by_status(
    alice: User, every_status: dict[str, SenderAlias]
) -> None:
    client = _logged_in(alice)
    # when
    pending = client.get(ALIASES, {"status": "pending"})
    validated_web = client.get(ALIASES, {"status": "validated", "q": "web"})
    # then
    assert re.findall(r"<strong>(.*?)</strong>", _table(pending.content)) == ["EsempioNet"]
    assertContains(pending, '<option value="pending" selected>in attesa di validazione</option>')
    assertContains(validated_web, "Nessun alias corrisponde.")
    assertContains(validated_web, f'href="{ALIASES}"')


def test_the_alias_search_answers_the_table_alone_to_htmx(
    alice: User, every_status: dict[str, SenderAlias]
) -> None:
    # when the search box asks while typing
    response = _logged_in(alice).get(ALIASES, {"q": "bar"}, headers={"HX-Request": "true"})
    # then only the table comes back
    content = response.content.decode()
    assert content.startswith('<div id="alias-table">')
    assert "<html" not in content and "Esempio Bar" in content and "EsempioNet" not in content
    assert "HX-Request" in response["Vary"]


def test_the_alias_search_keeps_the_pagination(alice: User, esempio: Customer) -> None:
    # given more matching aliases than a page holds
    for n in range(55):
        create_alias(esempio, f"Esempio {n:02}", acting_user=alice)
    create_alias(esempio, "Altro", acting_user=alice)
    client = _logged_in(alice)
    # when
    first = client.get(ALIASES, {"q": "esempio", "status": "draft"})
    second = client.get(ALIASES, {"q": "esempio", "status": "draft", "page": "2"})
    # then the page links keep the search
    assert len(re.findall(r"<strong>", _table(first.content))) == 50
    assertContains(first, "q=esempio&amp;status=draft&amp;page=2")
    assert re.findall(r"<strong>(.*?)</strong>", _table(second.content)) == [
        f"Esempio {n}" for n in range(50, 55)
    ]
    assertContains(first, "55 alias trovati.")


def test_the_alias_search_finds_nothing_of_another_customer(
    carla: User, alice: User, esempio: Customer
) -> None:
    # given
    create_alias(esempio, "Esempio", acting_user=alice)
    # when Carla of Altra S.p.A. searches for it
    response = _logged_in(carla).get(ALIASES, {"q": "Esempio"})
    # then
    assertNotContains(response, "<strong>Esempio</strong>")
    assertContains(response, "0 alias trovati.")


def _table(content: bytes) -> str:
    body = content.decode()
    return body[body.index('<div id="alias-table">') :]
