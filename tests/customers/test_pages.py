"""Impostazioni > Interni and Impostazioni > Dati aziendali (issue 14), with the fixed cast:
every extension of the company and who has it (R-U1, R-U5, R-U6); the company's AGCOM data
edited by its admin, checked, audited and told to the operators (R-C2, R-C3)."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from centrex.accounts.actions import deactivate_user
from centrex.accounts.models import User
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer
from tests.conftest import PASSWORD

EXTENSIONS = reverse("customers:extension_list")
COMPANY_DATA = reverse("customers:company")


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _rows(content: bytes) -> list[str]:
    """The table's rows as text, one space between words."""
    import re

    body = content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


# Impostazioni > Interni


def test_extensions_list_every_extension_with_who_has_it(alice: User, bob: User) -> None:
    # when
    response = _logged_in(alice).get(EXTENSIONS)
    # then all 20 of Esempio's extensions, in number order, with their holders
    assert response.status_code == 200
    rows = _rows(response.content)
    assert len(rows) == 20
    assert rows[0] == "201 Alice Rossi alice@esempio.example Communicator abilitato"
    assert rows[1] == "202 Bob Bianchi bob@esempio.example Communicator abilitato"
    assert rows[2].startswith("203 libero")
    assertContains(response, reverse("accounts:user_edit", args=[bob.pk]))
    assertContains(response, "Interni: 20 · occupati: 2 · liberi: 18")


def test_a_deactivated_users_extension_is_free_again(alice: User, bob: User) -> None:
    # given
    deactivate_user(bob, acting_user=alice)
    # when
    rows = _rows(_logged_in(alice).get(EXTENSIONS).content)
    # then deactivating Bob dissociated 202 (R-U6)
    assert rows[1] == "202 libero — —"


def test_extensions_are_searched_by_number_name_or_email(alice: User, bob: User) -> None:
    client = _logged_in(alice)
    assert _rows(client.get(EXTENSIONS, {"q": "bianchi"}).content)[0].startswith("202 Bob")
    assert len(_rows(client.get(EXTENSIONS, {"q": "bob@esempio"}).content)) == 1
    assert [r[:3] for r in _rows(client.get(EXTENSIONS, {"q": "21"}).content)] == [
        "210",
        "211",
        "212",
        "213",
        "214",
        "215",
        "216",
        "217",
        "218",
        "219",
    ]
    response = client.get(EXTENSIONS, {"q": "nessuno"})
    assertContains(response, "Nessun interno corrisponde")


def test_extensions_are_filtered_free_or_taken(alice: User, bob: User) -> None:
    client = _logged_in(alice)
    taken = _rows(client.get(EXTENSIONS, {"state": "used"}).content)
    assert [row[:3] for row in taken] == ["201", "202"]
    free = _rows(client.get(EXTENSIONS, {"state": "free"}).content)
    assert len(free) == 18 and all("libero" in row for row in free)
    # the counts are the company's, whatever the filter
    assertContains(
        client.get(EXTENSIONS, {"state": "free"}), "occupati: 2 · liberi: 18 · mostrati: 18"
    )


def test_extensions_search_answers_the_table_alone_to_htmx(alice: User, bob: User) -> None:
    # when the search box asks while typing
    response = _logged_in(alice).get(EXTENSIONS, {"q": "bob"}, HTTP_HX_REQUEST="true")
    # then only the table comes back
    assert response.status_code == 200
    assert response.content.decode().startswith('<div id="extension-table">')
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_extensions_are_paginated_keeping_the_filters(
    alice: User, operator: User, esempio: Customer
) -> None:
    # given more extensions than a page holds
    from centrex.customers.actions import provision_extensions

    provision_extensions(esempio, [str(n) for n in range(1000, 1060)], acting_user=operator)
    client = _logged_in(alice)
    # when
    first = client.get(EXTENSIONS, {"state": "free"})
    second = client.get(EXTENSIONS, {"state": "free", "page": "2"})
    # then
    assert len(_rows(first.content)) == 50
    assertContains(first, "state=free&amp;page=2")
    assert len(_rows(second.content)) == 79 - 50


def test_extensions_are_only_the_admins_own_companys(carla: User, alice: User) -> None:
    # when Carla (Altra S.p.A.) looks
    response = _logged_in(carla).get(EXTENSIONS, {"q": "alice"})
    # then nothing of Esempio is there
    assertNotContains(response, "alice@esempio.example")
    rows = _rows(_logged_in(carla).get(EXTENSIONS).content)
    assert [row[:3] for row in rows] == ["301", "302", "303"]


def test_extensions_are_for_admins_only(bob: User, operator: User) -> None:
    assert _logged_in(bob).get(EXTENSIONS).status_code == 403
    assert _logged_in(operator).get(EXTENSIONS).status_code == 403
    assert Client().get(EXTENSIONS).status_code == 302


# Impostazioni > Dati aziendali


def _company_form(**changes: str) -> dict[str, str]:
    data = {
        "contact_first_name": "Alice",
        "contact_last_name": "Rossi",
        "pec": "esempio@pec.example",
        "phone": "+390212345678",
        "brands": "Esempio\nEsempioNet",
    }
    data.update(changes)
    return data


def test_company_data_shows_the_agcom_data(alice: User) -> None:
    # when
    response = _logged_in(alice).get(COMPANY_DATA)
    # then the company as the operators keep it, and the admin's fields filled
    assert response.status_code == 200
    for text in ("Esempio S.r.l.", "00743110157", "Via Roma 1, 20121 Milano (MI)", "Azienda"):
        assertContains(response, text)
    assertContains(response, 'value="esempio@pec.example"')
    assertContains(response, "Esempio\nEsempioNet</textarea>")
    # the contract's data are not in the form
    assertNotContains(response, 'name="name"')
    assertNotContains(response, 'name="vat_number"')


def test_admin_changes_the_company_data_audited_and_the_operators_told_once(
    alice: User, operator: User, esempio: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    # given a second operator, and a deactivated one who must not be told
    colleague = User.objects.create_operator("secondo@provider.example", PASSWORD, language="en")
    User.objects.create_operator("ex@provider.example", PASSWORD, is_active=False)
    client = _logged_in(alice)
    # when Alice changes the referente, the phone and the brands
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            COMPANY_DATA,
            _company_form(
                contact_first_name="Marta",
                contact_last_name="Neri",
                phone="02 8765 4321",
                brands="Esempio\n  Esempio   Cloud \nesempio",
            ),
        )
        assert mail.outbox == []  # nothing before the commit
    # then the data are saved, normalised as the back office does
    assert response.status_code == 302 and response["Location"] == COMPANY_DATA
    esempio.refresh_from_db()
    assert (esempio.contact_first_name, esempio.contact_last_name) == ("Marta", "Neri")
    assert esempio.phone == "+390287654321"
    assert esempio.brands == ["Esempio", "Esempio Cloud"]
    assert esempio.name == "Esempio S.r.l."
    # and one audit row keeps every value before and after
    event = AuditEvent.objects.get(action="customer.company_data_changed")
    assert event.actor == alice and event.customer_id == esempio.pk
    assert event.data["changes"] == {
        "brands": {"from": ["Esempio", "EsempioNet"], "to": ["Esempio", "Esempio Cloud"]},
        "contact_first_name": {"from": "Alice", "to": "Marta"},
        "contact_last_name": {"from": "Rossi", "to": "Neri"},
        "phone": {"from": "+390212345678", "to": "+390287654321"},
    }
    # and each active operator got one e-mail, in their language, listing what changed
    assert len(callbacks) >= 1
    assert sorted(m.to[0] for m in mail.outbox) == [operator.email, colleague.email]
    by_address = {m.to[0]: m for m in mail.outbox}
    italian = by_address[operator.email]
    assert "Esempio S.r.l." in italian.subject
    assert "Nome del referente: Alice → Marta" in italian.body
    assert "Telefono: +390212345678 → +390287654321" in italian.body
    assert "Marchi: Esempio, EsempioNet → Esempio, Esempio Cloud" in italian.body
    assert "alice@esempio.example" in italian.body
    assert reverse("backoffice:customer_detail", args=[esempio.pk]) in italian.body
    assert "Contact first name: Alice → Marta" in by_address[colleague.email].body
    assert "PEC" not in italian.body.split("Dati aziendali:")[1].split("\n\n")[0]


def test_saving_unchanged_company_data_writes_and_sends_nothing(
    alice: User, operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _logged_in(alice).post(COMPANY_DATA, _company_form())
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="customer.company_data_changed").exists()
    assert mail.outbox == []


def test_company_data_errors_are_shown_on_the_page(
    alice: User, operator: User, esempio: Customer, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _logged_in(alice).post(
            COMPANY_DATA, _company_form(pec="non-una-pec", phone="12", contact_last_name="Neri")
        )
    # then the page says what to fix, in Italian, and nothing changed
    assert response.status_code == 200
    assertContains(response, "Inserisci un indirizzo email valido.")
    response = _logged_in(alice).post(COMPANY_DATA, _company_form(phone="12"))
    assert response.status_code == 200
    assertContains(response, "12» non è un numero di telefono valido.")
    esempio.refresh_from_db()
    assert esempio.phone == "+390212345678" and esempio.contact_last_name == "Rossi"
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="customer.company_data_changed").exists()


def test_company_data_is_the_admins_own_company(
    carla: User, esempio: Customer, altra: Customer
) -> None:
    # when Carla edits her company data
    response = _logged_in(carla).post(
        COMPANY_DATA,
        _company_form(contact_first_name="Carla", pec="", phone="", brands="Altra"),
    )
    # then Altra changes, Esempio does not
    assert response.status_code == 302
    altra.refresh_from_db()
    esempio.refresh_from_db()
    assert altra.contact_first_name == "Carla"
    assert esempio.contact_first_name == "Alice"
    assertNotContains(_logged_in(carla).get(COMPANY_DATA), "Esempio")


def test_company_data_is_refused_to_a_plain_user(bob: User, esempio: Customer) -> None:
    client = _logged_in(bob)
    assert client.get(COMPANY_DATA).status_code == 403
    assert client.post(COMPANY_DATA, _company_form(contact_first_name="Bob")).status_code == 403
    esempio.refresh_from_db()
    assert esempio.contact_first_name == "Alice"
