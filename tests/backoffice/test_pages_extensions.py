"""Operators provision a customer's extensions one by one, as ranges or from CSV, and remove
free ones (R-U1, R-U5)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from centrex.accounts.models import User
from centrex.customers.models import Customer, Extension


def _numbers(customer: Customer) -> list[str]:
    return list(
        Extension.objects.in_number_order()
        .filter(customer=customer)
        .values_list("number", flat=True)
    )


def _messages(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def test_the_list_is_in_numeric_order_with_each_user(
    operator_client: Client, esempio: Customer, alice: User, bob: User, operator: User
) -> None:
    # given
    Extension.objects.create(customer=esempio, number="1000")
    Extension.objects.create(customer=esempio, number="99")

    # when
    response = operator_client.get(reverse("backoffice:extension_list", args=[esempio.pk]))

    # then
    rows = list(response.context["page"])
    assert [e.number for e in rows[:3]] == ["99", "201", "202"]
    assert rows[-1].number == "1000"
    assert rows[1].user == alice
    assert f'href="{reverse("backoffice:user_edit", args=[esempio.pk, bob.pk])}"' in (
        response.content.decode()
    )


def test_one_extension_is_added_with_its_label(operator_client: Client, esempio: Customer) -> None:
    # when
    response = operator_client.post(
        reverse("backoffice:extension_add", args=[esempio.pk]),
        {"one-number": "230", "one-label": "Reception"},
        follow=True,
    )

    # then
    assert Extension.objects.get(customer=esempio, number="230").label == "Reception"
    assert len(_messages(response)) == 1
    assert "1" in _messages(response)[0]


def test_a_bad_number_is_shown_on_its_field_and_nothing_is_added(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    before = _numbers(esempio)

    # when (R-U1: 2 to 6 digits)
    response = operator_client.post(
        reverse("backoffice:extension_add", args=[esempio.pk]), {"one-number": "2a"}
    )

    # then
    assert response.status_code == 200
    assert list(response.context["number_form"].errors) == ["number"]
    assert _numbers(esempio) == before


def test_a_range_is_added_and_existing_numbers_are_skipped(
    operator_client: Client, esempio: Customer
) -> None:
    # when: 215–220 exist already
    response = operator_client.post(
        reverse("backoffice:extension_add_range", args=[esempio.pk]),
        {"range-range": "215-240"},
        follow=True,
    )

    # then
    assert _numbers(esempio) == [str(n) for n in range(201, 241)]
    [message] = _messages(response)
    assert "20" in message and "6" in message


def test_a_bad_range_is_shown_on_its_field_and_nothing_is_added(
    operator_client: Client, esempio: Customer
) -> None:
    for bad in ("240-201", "201", "1-5", "201-2400000"):
        # when
        response = operator_client.post(
            reverse("backoffice:extension_add_range", args=[esempio.pk]), {"range-range": bad}
        )

        # then
        assert list(response.context["range_form"].errors) == ["range"], bad
        assert len(_numbers(esempio)) == 20


def test_a_csv_file_adds_its_extensions_with_labels(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    upload = SimpleUploadedFile(
        "interni.csv",
        "numero,etichetta\n301,Magazzino Città\n302\n201,Doppio\n".encode(),
        content_type="text/csv",
    )

    # when
    response = operator_client.post(
        reverse("backoffice:extension_import", args=[esempio.pk]),
        {"csv-file": upload},
        follow=True,
    )

    # then
    assert Extension.objects.get(customer=esempio, number="301").label == "Magazzino Città"
    assert Extension.objects.filter(customer=esempio, number="302").exists()
    assert Extension.objects.get(customer=esempio, number="201").label == ""
    [message] = _messages(response)
    assert "2" in message and "1" in message


def test_a_bad_csv_line_is_named_on_the_file_field_and_nothing_is_added(
    operator_client: Client, esempio: Customer
) -> None:
    # given
    upload = SimpleUploadedFile("interni.csv", b"301\n30x2,Ufficio\n303\n")

    # when
    response = operator_client.post(
        reverse("backoffice:extension_import", args=[esempio.pk]), {"csv-file": upload}
    )

    # then
    [error] = response.context["csv_form"].errors["file"]
    assert "2" in error and "30x2" in error
    assert len(_numbers(esempio)) == 20


def test_a_file_that_is_not_text_is_refused(operator_client: Client, esempio: Customer) -> None:
    for content in (b"\xff\xfe\x00\x01\x02", b"301\x00\n302\n"):
        # when
        response = operator_client.post(
            reverse("backoffice:extension_import", args=[esempio.pk]),
            {"csv-file": SimpleUploadedFile("interni.csv", content)},
        )

        # then
        assert list(response.context["csv_form"].errors) == ["file"]
        assert len(_numbers(esempio)) == 20


def test_a_free_extension_is_removed(operator_client: Client, esempio: Customer) -> None:
    # given
    extension = Extension.objects.get(customer=esempio, number="220")

    # when
    response = operator_client.post(
        reverse("backoffice:extension_remove", args=[esempio.pk, extension.pk]), {"page": "1"}
    )

    # then
    assert response.status_code == 302
    assert response["Location"].endswith("?page=1")
    assert not Extension.objects.filter(pk=extension.pk).exists()


def test_taken_extension_removal_is_refused_with_its_reason(
    operator_client: Client, esempio: Customer, bob: User
) -> None:
    # given: 202 is Bob's (R-U5)
    extension = Extension.objects.get(customer=esempio, number="202")

    # when
    response = operator_client.post(
        reverse("backoffice:extension_remove", args=[esempio.pk, extension.pk]), follow=True
    )

    # then
    [message] = _messages(response)
    assert "202" in message
    assert Extension.objects.filter(pk=extension.pk).exists()
    bob.refresh_from_db()
    assert bob.extension == extension
