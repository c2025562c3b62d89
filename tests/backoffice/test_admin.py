"""Django admin, the operators' second tool: every model is listed, and changes go through the
same actions as the back office pages (R-C1, R-B1)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from centrex.accounts.models import User
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer

MODELS = [
    "core.auditevent",
    "core.throttleevent",
    "customers.customer",
    "customers.extension",
    "accounts.user",
    "accounts.apitoken",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_model_is_listed_and_shown_to_an_operator(
    operator_client: Client, alice: User, model: str
) -> None:
    # given
    app_label, model_name = model.split(".")
    registered = {m._meta.label_lower for m in admin.site._registry}

    # when
    listing = operator_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))

    # then
    assert model in registered
    assert listing.status_code == 200


def test_the_admin_is_closed_to_a_customer_admin(alice_client: Client) -> None:
    # when
    response = alice_client.get(reverse("admin:customers_customer_changelist"))

    # then
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _customer_form(customer: Customer, **changes: str) -> dict[str, str]:
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "vat_number": customer.vat_number,
        "tax_code": customer.tax_code,
        "street": customer.street,
        "postcode": customer.postcode,
        "city": customer.city,
        "province": customer.province,
        "country": customer.country,
        "contact_first_name": customer.contact_first_name,
        "contact_last_name": customer.contact_last_name,
        "email": customer.email,
        "pec": customer.pec,
        "phone": customer.phone,
        "brands_text": "\n".join(customer.brands),
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_an_admin_change_with_an_invalid_partita_iva_changes_nothing(
    operator_client: Client, esempio: Customer
) -> None:
    # when
    response = operator_client.post(
        reverse("admin:customers_customer_change", args=[esempio.pk]),
        _customer_form(esempio, vat_number="12345678901", city="Monza"),
    )

    # then
    assert response.status_code == 200
    assert "vat_number" in response.context["adminform"].form.errors
    esempio.refresh_from_db()
    assert (esempio.vat_number, esempio.city) == ("00743110157", "Milano")


def test_an_admin_change_goes_through_the_action(
    operator_client: Client, esempio: Customer
) -> None:
    # when
    response = operator_client.post(
        reverse("admin:customers_customer_change", args=[esempio.pk]),
        _customer_form(esempio, vat_number="IT00743110157", city="Monza", brands_text="A\nB"),
    )

    # then
    assert response.status_code == 302
    esempio.refresh_from_db()
    assert (esempio.vat_number, esempio.city, esempio.brands) == (
        "00743110157",
        "Monza",
        ["A", "B"],
    )
    assert AuditEvent.objects.filter(action="customer.updated", customer_id=esempio.pk).exists()


def test_a_customer_is_added_in_the_admin_through_the_action(
    operator_client: Client, esempio: Customer
) -> None:
    # when
    response = operator_client.post(
        reverse("admin:customers_customer_add"),
        _customer_form(esempio, name="Terza S.n.c.", vat_number="01114601006", is_active=""),
    )

    # then
    assert response.status_code == 302
    terza = Customer.objects.get(name="Terza S.n.c.")
    assert not terza.is_active
    assert AuditEvent.objects.filter(action="customer.created", customer_id=terza.pk).exists()


def test_a_users_name_is_changed_in_the_admin_but_not_the_role(
    operator_client: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when
    response = operator_client.post(
        reverse("admin:accounts_user_change", args=[bob.pk]),
        {"first_name": "Roberto", "last_name": "Bianchi", "language": "en", "role": "admin"},
    )

    # then
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.first_name, bob.language, bob.role) == ("Roberto", "en", "user")
