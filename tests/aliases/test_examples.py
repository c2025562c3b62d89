"""Every example alias the portal shows passes the rules itself (issue 14), and every example
of a refused alias is refused: the rules page in both languages (its examples are marked
`data-alias-example`), the manual's first condition in «Aggiungi» (the company's own names),
and the examples inside the rules' messages."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from centrex.accounts.actions import update_own_account
from centrex.accounts.models import User
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.models import GenericWord
from centrex.customers.models import Customer

EXAMPLE = re.compile(r'<span data-alias-example="(valid|refused)">[«“](.*?)[»”]</span>')
QUOTED = re.compile(r"[«“]([^»”]+)[»”]")


def _examples(content: bytes) -> list[tuple[str, str]]:
    return [(kind, unescape(text)) for kind, text in EXAMPLE.findall(content.decode())]


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_rules_pages_examples_pass_or_fail_as_they_say(
    bob: User, esempio: Customer, language: str
) -> None:
    # given
    update_own_account(bob, language=language)
    client = Client()
    client.force_login(bob)
    # when
    examples = _examples(client.get(reverse("aliases:rules")).content)
    # then every example is what the page says of it
    assert {kind for kind, _ in examples} == {"valid", "refused"}
    assert len(examples) == 7
    for kind, text in examples:
        check = check_alias_text(esempio, text)
        assert check.valid == (kind == "valid"), (text, [e.code for e in check.errors])


def test_the_rules_pages_give_the_same_examples_in_both_languages(bob: User) -> None:
    client = Client()
    client.force_login(bob)
    italian = _examples(client.get(reverse("aliases:rules")).content)
    update_own_account(bob, language="en")
    english = _examples(client.get(reverse("aliases:rules")).content)
    assert italian == english


def test_aggiungi_gives_as_examples_only_the_names_that_pass(
    alice: User, esempio: Customer
) -> None:
    # given a brand that the rules refuse (too long)
    esempio.brands = ["Esempio", "EsempioNet", "Esempio Servizi Digitali"]
    esempio.save()
    client = Client()
    client.force_login(alice)
    # when
    content = client.get(reverse("aliases:alias_create")).content.decode()
    conditions = content[content.index('id="alias-conditions"') :]
    shown = QUOTED.findall(conditions.split("</li>", 1)[0])
    # then
    assert shown == ["Esempio", "EsempioNet"]
    assert all(check_alias_text(esempio, text).valid for text in shown)


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_generic_words_message_suggests_an_alias_that_passes(
    esempio: Customer, language: str
) -> None:
    # given
    GenericWord.objects.get_or_create(word="Info")
    # when
    with translation.override(language):
        [message] = [str(e.message) for e in check_alias_text(esempio, "Info").errors]
    # then its example passes and the word it replaces does not
    quoted = QUOTED.findall(message)
    assert quoted[0] == "Info" and quoted[1:] == ["Info Acme", "Info"]
    assert check_alias_text(esempio, "Info Acme").valid
    assert not check_alias_text(esempio, "Info").valid
