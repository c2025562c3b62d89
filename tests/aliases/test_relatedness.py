"""The relatedness hint between an alias and the company's name or brands (R-A5)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrex.aliases.relatedness import MATCH_THRESHOLD, Relatedness, name_words, relatedness

ESEMPIO = "Esempio Servizi Roma S.r.l."


def score(alias: str, company_name: str = ESEMPIO, brands: tuple[str, ...] = ()) -> float:
    return relatedness(alias, company_name, brands).score


@pytest.mark.parametrize(
    ("alias", "company_name"),
    [
        ("Esempio", "Esempio S.r.l."),
        ("ESEMPIO", "Esempio Srl"),
        ("esempio", "ESEMPIO S.R.L. Unipersonale"),
        ("Esempio Srl", "Esempio S.r.l."),
        ("Caffe Nero", "Caffè Nero S.p.A."),
        ("Rossi", "Rossi & C. S.n.c."),
        ("Rossi", "Rossi e C. S.a.s."),
        ("Rossi", "Rossi S.r.l.s."),
        ("Rossi", "Rossi SpA"),
        ("Rossi", "Rossi S.c.a r.l."),
        ("Rossi", "Rossi Soc. Coop."),
        ("Rossi", "Rossi Società a responsabilità limitata"),
        ("Rossi", "Rossi S.p.A. in liquidazione"),
        ("Rossi", "Rossi Ltd"),
        ("Rossi", "Rossi GmbH"),
        ("Rossi", "Rossi Inc."),
        ("Rossi", "Ditta Rossi"),
        ("EsempioNet", "Esempio Net S.r.l."),
        ("Esempio Net", "EsempioNet S.p.A."),
        ("ABC Trasporti", "A.B.C. Trasporti S.r.l."),
        ("LOreal", "L'Oréal"),
    ],
)
def test_the_name_itself_scores_one(alias: str, company_name: str) -> None:
    # given an alias that is the company name up to case, accents, spacing and legal form
    # when its relatedness is computed (R-A5)
    result = relatedness(alias, company_name, [])
    # then it is a full match on the ragione sociale
    assert result == Relatedness(1.0, company_name)


@pytest.mark.parametrize(
    ("alias", "company_name", "low", "high"),
    [
        # the name without its linking words
        ("BancaRoma", "Banca di Roma S.p.A.", 0.9, 0.99),
        # acronyms and initials
        ("ESR", ESEMPIO, 0.8, 0.95),
        ("E.S.R.", ESEMPIO, 0.8, 0.95),
        ("BR", "Banca di Roma S.p.A.", 0.8, 0.95),
        ("BDR", "Banca di Roma S.p.A.", 0.8, 0.95),
        ("ESRoma", ESEMPIO, 0.8, 0.99),
        ("EsServRoma", ESEMPIO, 0.85, 0.99),
        # the main word of a longer name
        ("Esempio", ESEMPIO, 0.8, 0.95),
        ("Esempio Roma", ESEMPIO, 0.8, 0.95),
        # abbreviations and prefixes
        ("Esemp", "Esempio S.r.l.", 0.7, 0.9),
        ("Esemp", ESEMPIO, 0.7, 0.9),
        ("EsempServ", ESEMPIO, 0.7, 0.95),
        # the name inside a longer alias
        ("EsempioInfo", "Esempio S.r.l.", 0.8, 0.95),
        ("ESEMPIOINFO", "Esempio S.r.l.", 0.8, 0.95),
        ("Info Esempio", "Esempio S.r.l.", 0.8, 0.95),
        ("Esempio SMS", "Esempio S.r.l.", 0.8, 0.95),
        # other words of the name: related, less distinctive
        ("Roma", ESEMPIO, 0.6, 0.8),
        ("ServiziRoma", ESEMPIO, 0.7, 0.85),
        ("Roma Taxi", ESEMPIO, 0.5, 0.75),
        # small typos
        ("Esmepio", "Esempio S.r.l.", 0.6, 0.9),
        ("Esempo", "Esempio S.r.l.", 0.6, 0.9),
        ("Exempio", "Esempio S.r.l.", 0.6, 0.9),
        ("Lavanderia Blu", "Lavandria Blu S.n.c.", 0.8, 0.99),
    ],
)
def test_related_aliases_score_in_their_band(
    alias: str, company_name: str, low: float, high: float
) -> None:
    # given an alias derived from the name in a recognisable way (R-A5)
    result = relatedness(alias, company_name, [])
    # then the score reflects how clearly it stands for the company, and the name is given
    assert low <= result.score <= high
    assert result.matched == company_name


@pytest.mark.parametrize(
    ("alias", "company_name"),
    [
        ("Pizzeria", ESEMPIO),
        ("Altra", ESEMPIO),
        ("Acme", "Esempio S.r.l."),
        ("ZZZ", ESEMPIO),
        ("ER", ESEMPIO),  # initials with a word skipped are no acronym
        ("Info", "Esempio S.r.l."),
        ("Mare", "Mario Rossi Energia S.r.l."),
        ("Srl", "Esempio S.r.l."),
        ("E", ESEMPIO),
        ("Gamma Tre", "Altra S.p.A."),
    ],
)
def test_unrelated_aliases_score_below_0_3_and_match_nothing(alias: str, company_name: str) -> None:
    # given an alias that has nothing to do with the name
    result = relatedness(alias, company_name, [])
    # then the hint says so
    assert result.score < 0.3
    assert result.matched is None


def test_the_best_of_company_name_and_brands_is_reported() -> None:
    # given a company with brands (R-C2)
    brands = ["Gelateria Polo", "Acme Consulting"]
    # when the alias is one of the brands
    result = relatedness("Acme", "Esempio S.r.l.", brands)
    # then the brand is the match
    assert result.matched == "Acme Consulting"
    assert result.score >= 0.8


def test_a_brand_written_together_matches_the_alias_with_a_space() -> None:
    assert relatedness("Polo Gelati", "Esempio S.r.l.", ["PoloGelati"]) == Relatedness(
        1.0, "PoloGelati"
    )


def test_the_company_name_wins_a_tie_with_a_brand() -> None:
    assert relatedness("Esempio", "Esempio S.r.l.", ["Esempio"]).matched == "Esempio S.r.l."


def test_weak_scores_name_no_match() -> None:
    # given a score below the threshold
    result = relatedness("Gas", "Gamma Servizi S.r.l.", [])
    # then no name is claimed
    assert result.score < MATCH_THRESHOLD
    assert result.matched is None


def test_scores_grow_with_how_much_of_the_name_the_alias_holds() -> None:
    # given ever clearer references to "Esempio S.r.l."
    chain = ["Xyzw", "Es", "Esem", "Esemp", "Esempi", "Esempio"]
    # then the scores never decrease
    scores = [score(alias, "Esempio S.r.l.") for alias in chain]
    assert scores == sorted(scores)
    assert scores[0] == 0.0 and scores[-1] == 1.0


def test_an_acronym_of_every_word_beats_initials_of_some() -> None:
    assert score("ESR") > score("ES") > score("E")
    assert score("ESR") >= 0.7


def test_the_first_word_counts_more_than_the_others() -> None:
    assert score("Esempio") > score("Servizi")
    assert score("Esempio") > score("Roma")


def test_typos_score_less_than_the_exact_word() -> None:
    assert (
        score("Esempio", "Esempio S.r.l.")
        > score("Esmpio", "Esempio S.r.l.")
        > score("Xsmpxo", "Esempio S.r.l.")
    )


def test_more_extra_text_lowers_the_score() -> None:
    assert (
        score("Esempio", "Esempio S.r.l.")
        > score("EsempioSMS", "Esempio S.r.l.")
        > score("EsempioSMSx", "Esempio S.r.l.")
    )


def test_empty_or_symbol_only_input_scores_zero() -> None:
    assert relatedness("", ESEMPIO, []) == Relatedness(0.0, None)
    assert relatedness("!!!", ESEMPIO, []) == Relatedness(0.0, None)
    assert relatedness("Esempio", "", []) == Relatedness(0.0, None)


def test_very_long_input_is_answered_quickly_and_sanely() -> None:
    result = relatedness("Esempio" * 10_000, ESEMPIO, ["Esempio " * 50])
    assert 0.0 <= result.score <= 1.0


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Esempio Servizi Roma S.r.l.", ["esempio", "servizi", "roma"]),
        ("Rossi & C. S.n.c.", ["rossi"]),
        ("Coop Italia Soc. Coop.", ["coop", "italia"]),
        ("Società Agricola Bianchi S.s.", ["bianchi"]),
        ("A.B.C. Trasporti S.r.l.", ["abc", "trasporti"]),
        ("Banca di Roma S.p.A.", ["banca", "di", "roma"]),
        ("SPA", ["spa"]),  # a legal form is never the whole name
        ("Wellness SPA S.r.l.", ["wellness"]),
    ],
)
def test_name_words_drop_legal_forms_and_join_initials(name: str, words: list[str]) -> None:
    assert name_words(name) == words


@settings(max_examples=300, deadline=None)
@given(
    alias=st.text(max_size=40),
    name=st.text(max_size=60),
    brands=st.lists(st.text(max_size=30), max_size=3),
)
def test_relatedness_never_raises_and_stays_between_0_and_1(
    alias: str, name: str, brands: list[str]
) -> None:
    result = relatedness(alias, name, brands)
    assert 0.0 <= result.score <= 1.0
    assert result.matched is None or result.matched in [name, *brands]
    assert (result.matched is None) == (result.score < MATCH_THRESHOLD)


@settings(max_examples=300, deadline=None)
@given(name=st.text(min_size=1, max_size=60))
def test_any_name_is_fully_related_to_itself(name: str) -> None:
    expected = 1.0 if name_words(name) else 0.0
    assert relatedness(name, name, []).score == expected
