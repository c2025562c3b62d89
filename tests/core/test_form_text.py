"""Pages' forms refuse NUL and lone surrogates with a field error (issue 13, API.md "Bad
bodies" for the pages' side).

What does it, once for every form: Django. Each `CharField` (and so `EmailField`,
`RegexField`, …) carries `ProhibitNullCharactersValidator` ("Null characters are not
allowed."), and the other fields refuse NUL as not a choice, not a date, not a number…; and a
lone surrogate can never reach a form, because Django decodes form and query data with
`errors="replace"`: its UTF-8 bytes (`%ED%A0%80`) arrive as U+FFFD. These tests walk every
form of the portal so that a field added later is checked too.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from django.test import Client

import centrex
from centrex.accounts.models import User


def _portal_forms() -> Iterator[type[forms.BaseForm]]:
    for module_info in pkgutil.walk_packages(centrex.__path__, "centrex."):
        name = module_info.name
        if ".forms" in name or name.endswith(".admin"):
            importlib.import_module(name)
    seen: set[type] = set()
    pending: list[type] = [forms.Form, forms.ModelForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in seen:
                seen.add(subclass)
                pending.append(subclass)
    for form in seen:
        if form.__module__.startswith("centrex."):
            yield form


PORTAL_FORMS = sorted(_portal_forms(), key=lambda form: f"{form.__module__}.{form.__name__}")
TEXT_FIELDS = [
    (form, name, field)
    for form in PORTAL_FORMS
    for name, field in form.base_fields.items()
    if isinstance(field, forms.CharField)
]


def test_the_walk_finds_the_forms() -> None:
    assert len(PORTAL_FORMS) >= 30
    assert len(TEXT_FIELDS) >= 30


@pytest.mark.parametrize(
    ("form", "name", "field"),
    TEXT_FIELDS,
    ids=[f"{form.__name__}.{name}" for form, name, _field in TEXT_FIELDS],
)
def test_every_text_field_refuses_nul_with_a_field_error(
    form: type[forms.BaseForm], name: str, field: forms.CharField
) -> None:
    assert any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
    with pytest.raises(ValidationError) as refused:
        field.clean("a\x00b")
    assert any(error.code == "null_characters_not_allowed" for error in refused.value.error_list)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "form", PORTAL_FORMS, ids=[f"{form.__module__}.{form.__name__}" for form in PORTAL_FORMS]
)
def test_no_field_of_any_form_cleans_to_a_nul(form: type[forms.BaseForm]) -> None:
    for name, field in form.base_fields.items():
        if isinstance(field, forms.FileField) or getattr(field, "queryset", False) is None:
            continue
        try:
            cleaned = field.clean("a\x00b")
        except ValidationError:
            continue
        assert "\x00" not in str(cleaned), name


def test_a_lone_surrogate_in_form_data_arrives_replaced() -> None:
    data = QueryDict("first_name=a%ED%A0%80b&last_name=%ED%B0%80")
    assert data["first_name"] == "a\ufffd\ufffd\ufffdb"
    assert all(not 0xD800 <= ord(c) <= 0xDFFF for c in data["last_name"])


def test_a_page_form_answers_nul_with_a_field_error(alice: User, client: Client) -> None:
    client.force_login(alice)
    response = client.post(
        "/accounts/opzioni/", {"first_name": "Al\x00ice", "last_name": "Rossi", "language": "it"}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "first_name" in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.first_name == "Alice"
