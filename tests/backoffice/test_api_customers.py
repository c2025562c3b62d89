"""The back office API: operators onboard and edit customers and provision their extensions
(API.md "Back office"; R-B1, R-C1, R-C2, R-U1)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from centrex.accounts.models import User
from centrex.customers.models import Customer, Extension
from tests.conftest import PASSWORD
from tests.problems import assert_problem, error_fields

NEW_CUSTOMER: dict[str, Any] = {
    "name": "Nuova Impresa S.r.l.",
    "kind": "business",
    "vat_number": "IT12345670017",
    "address": {
        "street": "Corso Italia 10",
        "postcode": "10121",
        "city": "Torino",
        "province": "to",
    },
    "email": "Info@Nuova.example",
    "pec": "nuova@pec.example",
    "phone": "011 1234567",
    "contact_person": {"first_name": "Nora", "last_name": "Neri"},
    "brands": ["Nuova", "NuovaNet"],
    "admin": {"email": "nora@nuova.example", "first_name": "Nora", "last_name": "Neri"},
}

CONSUMER: dict[str, Any] = {
    "name": "Giuseppe Verdi",
    "kind": "consumer",
    "tax_code": "vrdgpp80a01h501u",
    "address": {"street": "Via Verdi 1", "postcode": "00100", "city": "Roma", "province": "RM"},
    "email": "giuseppe@privato.example",
    "admin": {"email": "giuseppe@privato.example", "first_name": "Giuseppe", "last_name": "Verdi"},
}


def with_changes(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    body.update(changes)
    return body


@pytest.fixture
def as_operator(operator: User, api_client: Callable[[User | None], Client]) -> Client:
    return api_client(operator)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, body, content_type="application/json")


def patch(client: Client, path: str, body: Any) -> Any:
    return client.patch(path, body, content_type="application/json")


# --- onboarding (R-C1, R-C2) ------------------------------------------------------------


def test_an_operator_onboards_a_business_and_its_admin_is_invited(
    as_operator: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_operator, "/api/v1/backoffice/customers", NEW_CUSTOMER)
    # then
    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", body.pop("created_at"))
    assert body == {
        "id": customer.pk,
        "name": "Nuova Impresa S.r.l.",
        "kind": "business",
        "vat_number": "12345670017",
        "tax_code": None,
        "address": {
            "street": "Corso Italia 10",
            "postcode": "10121",
            "city": "Torino",
            "province": "TO",
            "country": "IT",
        },
        "email": "info@nuova.example",
        "pec": "nuova@pec.example",
        "phone": "+390111234567",
        "contact_person": {"first_name": "Nora", "last_name": "Neri"},
        "brands": ["Nuova", "NuovaNet"],
        "is_active": True,
    }
    admin = User.objects.get(email="nora@nuova.example")
    assert (admin.customer, admin.role, admin.is_operator) == (customer, "admin", False)
    assert not admin.has_usable_password()
    assert [message.to for message in mail.outbox] == [["nora@nuova.example"]]
    assert "/accounts/set-password/" in mail.outbox[0].body


def test_an_admin_given_a_password_is_not_invited_and_can_log_in(
    as_operator: Client, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    body = with_changes(NEW_CUSTOMER, admin={**NEW_CUSTOMER["admin"], "password": PASSWORD})
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_operator, "/api/v1/backoffice/customers", body)
    # then
    assert response.status_code == 201
    assert mail.outbox == []
    login = post(
        client, "/api/v1/auth/token", {"email": "nora@nuova.example", "password": PASSWORD}
    )
    assert login.status_code == 201
    assert login.json()["user"]["role"] == "admin"


def test_a_consumer_needs_only_the_mandatory_fields_and_the_country_defaults_to_italy(
    as_operator: Client,
) -> None:
    # when
    response = post(as_operator, "/api/v1/backoffice/customers", CONSUMER)
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["tax_code"], body["vat_number"]) == (
        "consumer",
        "VRDGPP80A01H501U",
        None,
    )
    assert body["address"]["country"] == "IT"
    assert (body["pec"], body["phone"], body["contact_person"], body["brands"]) == (
        None,
        None,
        None,
        [],
    )


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (with_changes(NEW_CUSTOMER, vat_number=None), 422, "invalid_vat_number", "vat_number"),
        (
            with_changes(NEW_CUSTOMER, vat_number="12345670018"),
            422,
            "invalid_vat_number",
            "vat_number",
        ),
        (with_changes(CONSUMER, tax_code=None), 422, "invalid_tax_code", "tax_code"),
        (with_changes(CONSUMER, tax_code="VRDGPP80A01H501X"), 422, "invalid_tax_code", "tax_code"),
        (with_changes(NEW_CUSTOMER, kind="company"), 422, "validation_error", "kind"),
        (with_changes(NEW_CUSTOMER, name="  "), 422, "validation_error", "name"),
        (with_changes(NEW_CUSTOMER, email="info-at-nuova"), 422, "validation_error", "email"),
        (with_changes(NEW_CUSTOMER, pec="pec"), 422, "validation_error", "pec"),
        (with_changes(NEW_CUSTOMER, phone="12"), 422, "invalid_phone_number", "phone"),
        (
            with_changes(NEW_CUSTOMER, address={**NEW_CUSTOMER["address"], "postcode": "1012"}),
            422,
            "validation_error",
            "address.postcode",
        ),
        (
            with_changes(NEW_CUSTOMER, address={**NEW_CUSTOMER["address"], "city": " "}),
            422,
            "validation_error",
            "address.city",
        ),
        (
            with_changes(NEW_CUSTOMER, address={**NEW_CUSTOMER["address"], "country": "Italia"}),
            422,
            "validation_error",
            "address.country",
        ),
        (with_changes(NEW_CUSTOMER, address=None), 422, "validation_error", "address.street"),
        (with_changes(NEW_CUSTOMER, admin=None), 422, "validation_error", "admin.email"),
        (
            with_changes(NEW_CUSTOMER, admin={**NEW_CUSTOMER["admin"], "email": "nora"}),
            422,
            "validation_error",
            "admin.email",
        ),
        (
            with_changes(NEW_CUSTOMER, admin={**NEW_CUSTOMER["admin"], "password": "short"}),
            422,
            "validation_error",
            "admin.password",
        ),
        (
            with_changes(
                NEW_CUSTOMER, admin={**NEW_CUSTOMER["admin"], "email": "Alice@esempio.example"}
            ),
            409,
            "email_taken",
            "admin.email",
        ),
    ],
)
def test_bad_onboarding_data_is_refused_and_nothing_is_created(
    as_operator: Client,
    alice: User,
    body: dict[str, Any],
    status: int,
    code: str,
    field: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    customers_before = Customer.objects.count()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(as_operator, "/api/v1/backoffice/customers", body)
    # then
    problem = assert_problem(response, status, code)
    assert error_fields(problem).get(field) == code, problem
    assert Customer.objects.count() == customers_before
    assert not User.objects.filter(email="nora@nuova.example").exists()
    assert mail.outbox == []


def test_every_onboarding_fault_is_listed_and_the_first_in_api_order_leads(
    as_operator: Client,
) -> None:
    # given: a bad partita IVA and a bad admin e-mail
    body = with_changes(
        NEW_CUSTOMER, vat_number="123", admin={**NEW_CUSTOMER["admin"], "email": "nora"}
    )
    # when
    response = post(as_operator, "/api/v1/backoffice/customers", body)
    # then: validation_error comes before invalid_vat_number in API.md's table
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {
        "vat_number": "invalid_vat_number",
        "admin.email": "validation_error",
    }


# --- listing and reading ----------------------------------------------------------------


def test_customers_are_listed_and_searched(
    as_operator: Client, esempio: Customer, altra: Customer, privato: Customer
) -> None:
    # when
    everyone = as_operator.get("/api/v1/backoffice/customers").json()
    by_name = as_operator.get("/api/v1/backoffice/customers", {"search": "altra"}).json()
    by_vat = as_operator.get("/api/v1/backoffice/customers", {"search": "00743110157"}).json()
    paged = as_operator.get("/api/v1/backoffice/customers", {"limit": 1, "offset": 2}).json()
    # then
    assert [c["name"] for c in everyone["items"]] == [
        "Altra S.p.A.",
        "Dario Neri",
        "Esempio S.r.l.",
    ]
    assert [c["id"] for c in by_name["items"]] == [altra.pk]
    assert [c["id"] for c in by_vat["items"]] == [esempio.pk]
    assert (paged["count"], [c["id"] for c in paged["items"]]) == (3, [esempio.pk])


def test_one_customer_has_every_field_kept_for_the_regulator(
    as_operator: Client, esempio: Customer
) -> None:
    # when (R-C2)
    body = as_operator.get(f"/api/v1/backoffice/customers/{esempio.pk}").json()
    # then
    assert body["address"] == {
        "street": "Via Roma 1",
        "postcode": "20121",
        "city": "Milano",
        "province": "MI",
        "country": "IT",
    }
    assert body["contact_person"] == {"first_name": "Alice", "last_name": "Rossi"}
    assert (body["pec"], body["phone"], body["brands"]) == (
        "esempio@pec.example",
        "+390212345678",
        ["Esempio", "EsempioNet"],
    )


def test_a_missing_customer_is_404(as_operator: Client) -> None:
    assert_problem(as_operator.get("/api/v1/backoffice/customers/987654"), 404, "not_found")


# --- editing ----------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_nested_ones_too(
    as_operator: Client, esempio: Customer
) -> None:
    # when
    response = patch(
        as_operator,
        f"/api/v1/backoffice/customers/{esempio.pk}",
        {
            "address": {"city": "Monza", "province": "mb"},
            "contact_person": {"last_name": "Bruni"},
            "brands": ["Esempio", "Esempio Cloud"],
            "pec": None,
        },
    )
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["address"] == {
        "street": "Via Roma 1",
        "postcode": "20121",
        "city": "Monza",
        "province": "MB",
        "country": "IT",
    }
    assert body["contact_person"] == {"first_name": "Alice", "last_name": "Bruni"}
    assert body["brands"] == ["Esempio", "Esempio Cloud"]
    assert body["pec"] is None
    esempio.refresh_from_db()
    assert (esempio.name, esempio.city, esempio.pec) == ("Esempio S.r.l.", "Monza", "")


def test_patch_applies_the_checks_of_onboarding(as_operator: Client, esempio: Customer) -> None:
    # when
    response = patch(
        as_operator,
        f"/api/v1/backoffice/customers/{esempio.pk}",
        {"vat_number": "00743110158", "address": {"postcode": "abc"}},
    )
    # then
    problem = assert_problem(response, 422, "validation_error")
    assert error_fields(problem) == {
        "vat_number": "invalid_vat_number",
        "address.postcode": "validation_error",
    }
    esempio.refresh_from_db()
    assert (esempio.vat_number, esempio.postcode) == ("00743110157", "20121")


@pytest.mark.parametrize("body", [{"name": None}, {"address": {"street": ""}}, {"email": "x"}])
def test_patch_refuses_to_blank_a_mandatory_field(
    as_operator: Client, esempio: Customer, body: dict[str, Any]
) -> None:
    response = patch(as_operator, f"/api/v1/backoffice/customers/{esempio.pk}", body)
    assert_problem(response, 422, "validation_error")


def test_a_suspended_customers_users_cannot_log_in(
    as_operator: Client, esempio: Customer, alice: User, client: Client
) -> None:
    # when
    response = patch(
        as_operator, f"/api/v1/backoffice/customers/{esempio.pk}", {"is_active": False}
    )
    # then
    assert response.json()["is_active"] is False
    login = post(
        client, "/api/v1/auth/token", {"email": "alice@esempio.example", "password": PASSWORD}
    )
    assert_problem(login, 401, "invalid_credentials")


# --- extensions (R-U1) ------------------------------------------------------------------


def test_extensions_are_provisioned_by_number_and_existing_ones_are_not_counted(
    as_operator: Client, altra: Customer
) -> None:
    # when: 301 and 302 exist already
    url = f"/api/v1/backoffice/customers/{altra.pk}/extensions"
    first = post(as_operator, url, {"numbers": ["301", "302", "304", 305]})
    again = post(as_operator, url, {"numbers": ["304", "305"]})
    # then
    assert (first.status_code, first.json()) == (201, {"created": 2})
    assert (again.status_code, again.json()) == (201, {"created": 0})
    assert sorted(Extension.objects.filter(customer=altra).values_list("number", flat=True)) == [
        "301",
        "302",
        "303",
        "304",
        "305",
    ]


def test_extensions_are_provisioned_as_a_range(as_operator: Client, altra: Customer) -> None:
    # when
    response = post(
        as_operator, f"/api/v1/backoffice/customers/{altra.pk}/extensions", {"range": "301-340"}
    )
    # then: 301–303 existed
    assert response.json() == {"created": 37}
    assert Extension.objects.filter(customer=altra).count() == 40


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"numbers": ["201", "2a1"]}, "numbers[1]"),
        ({"numbers": ["1"]}, "numbers[0]"),
        ({"numbers": ["1234567"]}, "numbers[0]"),
        ({"numbers": []}, "numbers"),
        ({"range": "240-201"}, "range"),
        ({"range": "201"}, "range"),
        ({"numbers": ["201"], "range": "201-202"}, "numbers"),
        ({}, "numbers"),
        ({"numbers": "201"}, "numbers"),
        ({"numbers": ["201", {"n": "202"}]}, "numbers[1]"),
    ],
)
def test_a_bad_extension_number_is_422_and_nothing_is_created(
    as_operator: Client, altra: Customer, body: dict[str, Any], field: str
) -> None:
    # when
    response = post(as_operator, f"/api/v1/backoffice/customers/{altra.pk}/extensions", body)
    # then
    problem = assert_problem(response, 422, "validation_error")
    assert field in error_fields(problem), problem
    assert Extension.objects.filter(customer=altra).count() == 3


def test_an_operator_lists_a_customers_extensions_and_users(
    as_operator: Client, esempio: Customer, alice: User, bob: User
) -> None:
    # when
    extensions = as_operator.get(
        f"/api/v1/backoffice/customers/{esempio.pk}/extensions", {"free": "false"}
    ).json()
    users = as_operator.get(f"/api/v1/backoffice/customers/{esempio.pk}/users").json()
    # then
    assert extensions["items"] == [
        {"number": "201", "label": "", "user_id": alice.pk},
        {"number": "202", "label": "", "user_id": bob.pk},
    ]
    assert users["count"] == 2
    assert {u["email"] for u in users["items"]} == {"alice@esempio.example", "bob@esempio.example"}
