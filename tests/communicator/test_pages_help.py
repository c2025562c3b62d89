"""Impostazioni > Aiuto explains Communicator devices and a softphone's settings, in it/en."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from centrex.accounts.actions import update_own_account
from centrex.accounts.models import User
from tests.support.sessions import signed_in


@pytest.fixture(autouse=True)
def default_language_afterwards() -> Iterator[None]:
    """The language middleware leaves an English user's language active in this thread; the
    tests that follow expect the default one."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "it",
            [
                "Dispositivi Communicator e softphone",
                "Registrar",
                "Dominio",
                "Nome utente",
                "Password",
                "Trasporto",
                "Aggiungi dispositivo",
                "Revoca",
            ],
        ),
        (
            "en",
            [
                "Communicator devices and softphones",
                "Registrar",
                "Domain",
                "Username",
                "Password",
                "Transport",
                "Add device",
                "Revoke",
            ],
        ),
    ],
)
def test_the_help_explains_devices(bob: User, language: str, words: list[str]) -> None:
    # given
    update_own_account(bob, language=language)

    # when
    response = signed_in(bob).get(reverse("support:help"))

    # then the section is in the index and on the page
    assertContains(response, 'href="#dispositivi"', count=1)
    assertContains(response, 'id="dispositivi"', count=1)
    for word in words:
        assertContains(response, word)
