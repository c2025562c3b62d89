"""The seed lists of reserved names and generic words (R-A4b)."""

from __future__ import annotations

import pytest

from centrex.aliases.rules import alias_match_key, check_alias, generic_word_of, reserved_names_in
from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES


@pytest.mark.parametrize(
    "name",
    [
        "Ministero", "Comune", "Regione", "Provincia", "Prefettura", "Questura", "Ospedale",
        "ASL", "ASP", "ATS", "Polizia", "Carabinieri", "Guardia di Finanza", "Vigili del Fuoco",
        "Protezione Civile", "INPS", "INAIL", "Agenzia Entrate", "Agenzia Dogane", "Governo",
        "Presidenza", "Senato", "Tribunale", "Procura",
    ],
)  # fmt: skip
def test_the_public_bodies_of_the_spec_are_reserved(name: str) -> None:
    assert reserved_names_in(name, RESERVED_NAMES)


@pytest.mark.parametrize(
    "word",
    [
        "Info", "Informazioni", "Avviso", "Avvisi", "Notifica", "Notifiche", "Segreteria", "SMS",
        "Promo", "Promozioni", "Offerta", "Offerte", "Banca", "Servizio", "Servizi", "Assistenza",
        "Alert", "Messaggio", "Verifica", "Codice", "OTP", "Sicurezza",
    ],
)  # fmt: skip
def test_the_generic_words_of_the_spec_are_generic(word: str) -> None:
    assert generic_word_of(word.upper(), GENERIC_WORDS) is not None


@pytest.mark.parametrize("company", ["Poste", "Enel", "Trenitalia", "Esempio", "Altra"])
def test_companies_are_not_reserved_names(company: str) -> None:
    # a company may register its own name; brand misuse is for R-A5 and the operator
    assert check_alias(company, reserved=RESERVED_NAMES, generic=GENERIC_WORDS) == []


def test_seed_entries_are_distinct_and_not_blank() -> None:
    for entries in (RESERVED_NAMES, GENERIC_WORDS):
        keys = [alias_match_key(entry) for entry in entries]
        assert all(keys)
        assert len(keys) == len(set(keys))


def test_an_entry_is_in_one_list_only() -> None:
    reserved = {alias_match_key(entry) for entry in RESERVED_NAMES}
    generic = {alias_match_key(entry) for entry in GENERIC_WORDS}
    assert reserved.isdisjoint(generic)
