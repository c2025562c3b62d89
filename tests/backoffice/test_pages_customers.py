"""Clienti in the back office: list and search, Nuovo cliente with its first administrator,
detail, Modifica cliente, activation (R-C1, R-C2, R-B1)."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from centrex.accounts.models import Role, User
from centrex.backoffice.views import customers as views
from centrex.core.models import AuditEvent
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
from centrex.customers.models import Customer

NEW_CUSTOMER: dict[str, str] = {
    "name": "Nuova Impresa S.r.l.",
    "kind": "business",
    "vat_number": "IT01114601006",
    "tax_code": "",
    "street": "Via Garibaldi 5",
    "postcode": "10121",
    "city": "Torino",
    "province": "to",
    "country": "IT",
    "contact_first_name": "Elena",
    "contact_last_name": "Bruno",
    "email": "info@nuova.example",
    "pec": "nuova@pec.example",
    "phone": "011 1234567",
    "brands": "Nuova\nNuovaNet\n\n",
    "admin-email": "elena@nuova.example",
    "admin-first_name": "Elena",
    "admin-last_name": "Bruno",
    "admin-password": "",
}


def _post(client: Client, **changes: str) -> Any:
    return client.post(reverse("backoffice:customer_create"), {**NEW_CUSTOMER, **changes})


def test_a_new_customer_is_created_with_its_first_admin_invited(
    operator_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(operator_client)

    # then: every R-C2 field is kept, normalised
    customer = Customer.objects.get(name="Nuova Impresa S.r.l.")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:customer_detail", args=[customer.pk])
    assert (customer.vat_number, customer.province, customer.phone) == (
        "01114601006",
        "TO",
        "+390111234567",
    )
    assert customer.brands == ["Nuova", "NuovaNet"]
    assert (customer.contact_first_name, customer.pec) == ("Elena", "nuova@pec.example")
    admin = User.objects.get(email="elena@nuova.example")
    assert (admin.customer, admin.role, admin.has_usable_password()) == (
        customer,
        Role.ADMIN,
        False,
    )
    assert [message.to for message in mail.outbox] == [["elena@nuova.example"]]


def test_a_first_admin_with_a_password_gets_no_invitation(
    operator_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        _post(operator_client, **{"admin-password": "Una-Password-Sicura-9"})

    # then
    admin = User.objects.get(email="elena@nuova.example")
    assert admin.check_password("Una-Password-Sicura-9")
    assert mail.outbox == []


def test_an_invalid_partita_iva_is_shown_on_its_field_and_nothing_is_created(
    operator_client: Client,
) -> None:
    # when (R-C1: wrong check digit)
    response = _post(operator_client, vat_number="01114601007")

    # then
    assert response.status_code == 200
    errors = response.context["customer_form"].errors
    assert list(errors) == ["vat_number"]
    assert "01114601007" in errors["vat_number"][0]
    assert 'id="id_vat_number_error"' in response.content.decode()
    assert not Customer.objects.filter(name="Nuova Impresa S.r.l.").exists()
    assert not User.objects.filter(email="elena@nuova.example").exists()


def test_a_consumer_needs_a_valid_codice_fiscale(operator_client: Client) -> None:
    # when (R-C1)
    response = _post(operator_client, kind="consumer", vat_number="", tax_code="RSSMRA85T10A562X")

    # then
    assert list(response.context["customer_form"].errors) == ["tax_code"]
    assert not Customer.objects.filter(name="Nuova Impresa S.r.l.").exists()


def test_a_taken_admin_email_is_shown_on_the_admin_field_and_nothing_is_created(
    operator_client: Client, alice: User
) -> None:
    # when
    response = _post(operator_client, **{"admin-email": alice.email})

    # then: both or neither (the customer is rolled back with its admin)
    assert response.context["customer_form"].errors == {}
    assert list(response.context["admin_form"].errors) == ["email"]
    assert not Customer.objects.filter(name="Nuova Impresa S.r.l.").exists()


def test_a_weak_admin_password_is_shown_on_the_password_field(operator_client: Client) -> None:
    # when
    response = _post(operator_client, **{"admin-password": "123"})

    # then
    assert list(response.context["admin_form"].errors) == ["password"]
    assert not Customer.objects.filter(name="Nuova Impresa S.r.l.").exists()


def test_the_new_customer_form_has_a_label_for_every_input(operator_client: Client) -> None:
    # when
    response = operator_client.get(reverse("backoffice:customer_create"))

    # then
    form = response.context["customer_form"]
    content = response.content.decode()
    for name in form.fields:
        if name != "kind":  # radio buttons: each in its own <label>, in a fieldset
            assert f'<label class="form-label" for="id_{name}">' in content
    for name in ("email", "first_name", "last_name", "password"):
        assert f'<label class="form-label" for="id_admin-{name}">' in content


def test_the_list_searches_by_name_vat_number_tax_code_and_email(
    operator_client: Client, esempio: Customer, altra: Customer, privato: Customer
) -> None:
    for query, expected in [
        ("esempio", [esempio]),
        ("IT00743110157", [esempio]),
        ("0111460", [altra]),
        ("rssmra85", [privato]),
        ("info@altra", [altra]),
        ("", [altra, privato, esempio]),
    ]:
        # when
        response = operator_client.get(reverse("backoffice:customer_list"), {"q": query})

        # then
        assert sorted(c.pk for c in response.context["page"]) == sorted(c.pk for c in expected)


def _make_customers(operator: User, count: int, start: int) -> None:
    for index in range(start, start + count):
        customer = create_customer(
            CustomerData(
                name=f"Cliente {index:03d}",
                kind="consumer",
                tax_code="RSSMRA85T10A562S",
                email=f"c{index}@example.com",
                street="Via Po 1",
                postcode="10100",
                city="Torino",
            ),
            acting_user=operator,
        )
        provision_extensions(customer, ["10", "11"], acting_user=operator)


def test_the_list_takes_the_same_number_of_queries_for_a_full_page(
    operator_client: Client, operator: User, monkeypatch: Any
) -> None:
    # given
    monkeypatch.setattr(views, "CUSTOMERS_PER_PAGE", 10)
    _make_customers(operator, 2, 0)
    url = reverse("backoffice:customer_list")
    operator_client.get(url)  # session warm-up
    with CaptureQueriesContext(connection) as few:
        first = operator_client.get(url)
    _make_customers(operator, 20, 2)

    # when
    with CaptureQueriesContext(connection) as many:
        second = operator_client.get(url)

    # then
    assert len(first.context["page"]) == 2
    assert len(second.context["page"]) == 10
    assert second.context["page"][0].extension_count == 2
    assert len(many) == len(few)


def test_the_detail_shows_every_piece_of_data_and_the_users(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when
    response = operator_client.get(reverse("backoffice:customer_detail", args=[esempio.pk]))

    # then
    content = response.content.decode()
    for text in (
        "Esempio S.r.l.",
        "00743110157",
        "Via Roma 1",
        "20121",
        "Milano",
        "MI",
        "amministrazione@esempio.example",
        "esempio@pec.example",
        "+390212345678",
        "Esempio, EsempioNet",
        "Alice Rossi",
        "bob@esempio.example",
        "201",
        "202",
    ):
        assert text in content
    assert [u.email for u in response.context["page"]] == [bob.email, alice.email]
    assert response.context["extensions"] == {"total": 20, "used": 2}


def test_an_edit_saves_the_changes(operator_client: Client, esempio: Customer) -> None:
    # given
    url = reverse("backoffice:customer_edit", args=[esempio.pk])
    data = {
        **operator_client.get(url).context["form"].initial,
        "city": "Monza",
        "province": "MB",
        "brands": "Esempio\nNuovo Marchio",
    }

    # when
    response = operator_client.post(url, {k: v for k, v in data.items() if v is not None})

    # then
    assert response.status_code == 302
    esempio.refresh_from_db()
    assert (esempio.city, esempio.province) == ("Monza", "MB")
    assert esempio.brands == ["Esempio", "Nuovo Marchio"]
    assert AuditEvent.objects.filter(action="customer.updated", customer_id=esempio.pk).exists()


def test_an_edit_with_an_invalid_partita_iva_changes_nothing(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    url = reverse("backoffice:customer_edit", args=[esempio.pk])
    data = {
        **operator_client.get(url).context["form"].initial,
        "vat_number": "12345678901",
        "city": "Monza",
    }

    # when
    response = operator_client.post(url, data)

    # then
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["vat_number"]
    esempio.refresh_from_db()
    assert (esempio.vat_number, esempio.city) == ("00743110157", "Milano")


def test_a_customer_is_deactivated_and_activated_again(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    url = reverse("backoffice:customer_set_active", args=[esempio.pk])

    # when
    operator_client.post(url, {"active": "0"})

    # then
    esempio.refresh_from_db()
    assert not esempio.is_active
    assert AuditEvent.objects.filter(action="customer.deactivated").count() == 1

    # when
    response = operator_client.post(url, {"active": "1"})

    # then
    esempio.refresh_from_db()
    assert esempio.is_active
    assert response["Location"] == reverse("backoffice:customer_detail", args=[esempio.pk])


def test_an_empty_submission_names_every_required_field(operator_client: Client, db: None) -> None:
    # when
    response = operator_client.post(reverse("backoffice:customer_create"), {})

    # then
    assert {"name", "street", "postcode", "city", "email"} <= set(
        response.context["customer_form"].errors
    )
    assert {"email", "first_name", "last_name"} <= set(response.context["admin_form"].errors)
    assert not Customer.objects.exists()
