"""How much an alias looks like the company's name or one of its brands (R-A5).

A hint, not a rule: the customer sees it while typing and the operator while reviewing, and the
operator decides. Names are compared after normalisation (case, accents, punctuation and legal
forms such as "S.r.l." removed); the score recognises the whole name, a name inside the alias,
one or more of the name's words, initials ("ESR" for "Esempio Servizi Roma S.r.l."),
abbreviations ("Esemp"), names written without spaces ("EsempioNet") and small typos.

Rough scale: 1.0 the name itself; about 0.95 the name without its linking words; 0.8–0.9 an
acronym, the name inside a longer alias, the main word of the name; 0.5–0.8 other words,
short abbreviations, typos; below 0.3 nothing in common.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache

from centrex.aliases.rules import split_words

# Below this score the hint names no matching name.
MATCH_THRESHOLD = 0.5

# Long input (the API accepts any text) is cut: an alias has at most 11 characters, and the
# comparison is quadratic in the worst case.
_MAX_ALIAS_INPUT = 256
_MAX_ALIAS_CHARS = 32
_MAX_ALIAS_WORDS = 6
_MAX_NAME_WORDS = 12
_MAX_WINDOW_WORDS = 4
_MIN_TYPO_RATIO = 0.8
_MIN_CONTAINED_CHARS = 3

# Words that say nothing about who the company is.
_LINKING_WORDS = frozenset(
    {
        "a", "al", "and", "d", "da", "dal", "de", "dei", "degli", "del", "della", "delle",
        "dello", "des", "di", "du", "e", "ed", "et", "gli", "i", "il", "in", "l", "la", "le",
        "lo", "of", "per", "the", "und",
    }
)  # fmt: skip

# Legal forms, written as their words run together ("S.r.l." → "srl", "S.C. a R.L." → "scarl",
# "& C." → "andc"). They are removed from the end of a name, repeatedly ("Rossi & C. S.n.c.").
_TRAILING_LEGAL_FORMS = frozenset(
    {
        # Italian
        "srl", "srls", "spa", "sapa", "snc", "sas", "ss", "scarl", "scrl", "scpa", "scarls",
        "arl", "soccoop", "soccooparl", "societacooperativa", "coopsoc", "cooperativasociale",
        "societaaresponsabilitalimitata", "societaaresponsabilitalimitatasemplificata",
        "societaperazioni", "societainnomecollettivo", "societainaccomanditasemplice",
        "societainaccomanditaperazioni", "societasemplice", "unipersonale", "asociounico",
        "inliquidazione", "onlus", "ets", "aps", "odv", "andc", "andco", "ec",
        # International
        "ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation",
        "co", "company", "plc", "gmbh", "ag", "kg", "ohg", "ug", "ek", "sa", "sarl", "sasu",
        "eurl", "sl", "slu", "bv", "nv", "oy", "ab", "as", "se", "spzoo", "sro", "doo", "kft",
        "pty",
    }
)  # fmt: skip
_LEADING_LEGAL_FORMS = (("ditta",), ("societa", "agricola"), ("azienda", "agricola"))


@dataclass(frozen=True)
class Relatedness:
    """The hint of R-A5: a score from 0 (nothing in common) to 1 (the name itself) and the
    company name or brand it was reached with (None when nothing matched well enough)."""

    score: float
    matched: str | None


def relatedness(alias: str, company_name: str, brands: Iterable[str]) -> Relatedness:
    """How much `alias` relates to the ragione sociale `company_name` or one of `brands`."""
    alias_words = name_words(alias[:_MAX_ALIAS_INPUT])
    best_score, best_name = 0.0, None
    for name in (company_name, *brands):
        score = _score(alias_words, name_words(name))
        if score > best_score:
            best_score, best_name = score, name
    best_score = round(best_score, 2)
    return Relatedness(best_score, best_name if best_score >= MATCH_THRESHOLD else None)


def name_words(text: str) -> list[str]:
    """The words of a name or alias, folded, with its legal forms removed; a run of single
    letters becomes one word ("A.B.C. Trasporti S.r.l." → abc, trasporti)."""
    words = split_words(text.replace("&", " and "))
    words = _without_legal_forms(words)
    return _with_initials_joined(words)


def _without_legal_forms(words: list[str]) -> list[str]:
    """`words` without trailing and leading legal forms; never all of them (a company may be
    called "SPA Wellness")."""
    remaining = list(words)
    stripped = True
    while stripped:
        stripped = False
        for count in range(min(len(remaining) - 1, 6), 0, -1):
            if "".join(remaining[-count:]) in _TRAILING_LEGAL_FORMS:
                remaining = remaining[:-count]
                stripped = True
                break
    for form in _LEADING_LEGAL_FORMS:
        if len(remaining) > len(form) and tuple(remaining[: len(form)]) == form:
            remaining = remaining[len(form) :]
    return remaining


def _with_initials_joined(words: list[str]) -> list[str]:
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) >= 2:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return joined


def _score(alias_words: Sequence[str], name: Sequence[str]) -> float:
    whole = "".join(alias_words)
    if not whole or not name:
        return 0.0
    if whole == "".join(name):
        return 1.0
    whole, name = whole[:_MAX_ALIAS_CHARS], name[:_MAX_NAME_WORDS]
    significant = [word not in _LINKING_WORDS for word in name]
    if not any(significant):
        significant = [True] * len(name)
    shape = _NameShape(tuple(name), tuple(significant))

    best = max(
        shape.abbreviation_score(whole),
        shape.typo_score(whole),
        shape.contained_score(whole),
    )
    # One word of a longer alias may be the name ("Info Esempio", "Esempio Roma Taxi").
    if len(alias_words) > 1:
        for word in alias_words[:_MAX_ALIAS_WORDS]:
            part = word[:_MAX_ALIAS_CHARS]
            part_score = (
                1.0
                if part == "".join(name)
                else max(shape.abbreviation_score(part), shape.typo_score(part))
            )
            best = max(best, part_score * _coverage(part, whole))
    return min(best, 1.0)


def _coverage(part: str, whole: str) -> float:
    """How much a match on `part` is worth when the alias is `whole`."""
    return 0.7 + 0.3 * min(len(part) / len(whole), 1.0)


def _piece_strength(piece: str, word: str) -> float:
    """How strongly a piece of the alias stands for the name word it is a prefix of."""
    if piece == word:
        return 1.0
    if len(piece) == 1:
        return 0.25
    if len(piece) == 2:
        return 0.35
    return 0.5 + 0.5 * len(piece) / len(word)


def _shape_score(used: int, total: int, mean_strength: float, first_used: bool) -> float:
    """Score of an alias that stands for `used` of the name's `total` significant words with
    the given mean strength (1 = the words written in full)."""
    if used == 0:
        return 0.0
    if used == total:
        if mean_strength == 1.0:
            return 0.95  # the whole name, only its linking words left out
        if total >= 2:
            return 0.8 + 0.15 * mean_strength  # an acronym or a mix ("ESR", "ESRoma")
        return 0.4 + 0.45 * mean_strength  # an abbreviation of a one-word name ("Esemp")
    # Some of the words: the first one is usually the distinctive one.
    return 0.4 + 0.45 * mean_strength * (1.0 if first_used else 0.8) + 0.05 * used / total


@dataclass(frozen=True)
class _NameShape:
    words: tuple[str, ...]
    significant: tuple[bool, ...]

    @property
    def total(self) -> int:
        return sum(self.significant)

    @property
    def first(self) -> int:
        return self.significant.index(True)

    def window_score(self, start: int, stop: int) -> float:
        """Score of an alias equal to the words [start, stop) of the name."""
        if start == 0 and stop == len(self.words):
            return 1.0
        used = sum(self.significant[start:stop])
        return _shape_score(used, self.total, 1.0, start <= self.first < stop)

    def windows(self) -> Iterable[tuple[str, float]]:
        """Every run of up to a few consecutive words, as text without spaces, with its
        score as an exact alias."""
        for start in range(len(self.words)):
            stop_limit = min(start + _MAX_WINDOW_WORDS, len(self.words))
            for stop in range(start + 1, stop_limit + 1):
                yield "".join(self.words[start:stop]), self.window_score(start, stop)
        if len(self.words) > _MAX_WINDOW_WORDS:
            yield "".join(self.words), 1.0

    def contained_score(self, alias: str) -> float:
        """The name, or some of its words, written inside the alias ("ESEMPIOINFO")."""
        best = 0.0
        for text, score in self.windows():
            if len(text) >= _MIN_CONTAINED_CHARS and text in alias and text != alias:
                best = max(best, score * _coverage(text, alias))
        return best

    def typo_score(self, alias: str) -> float:
        """The name or some of its words, misspelt by a character or two ("Esmepio")."""
        if len(alias) < 4:
            return 0.0
        best = 0.0
        for text, score in self.windows():
            matcher = SequenceMatcher(None, alias, text, autojunk=False)
            if matcher.real_quick_ratio() < _MIN_TYPO_RATIO:
                continue
            ratio = matcher.ratio()
            if ratio >= _MIN_TYPO_RATIO:
                best = max(best, score * ratio * ratio)
        return best

    def abbreviation_score(self, alias: str) -> float:
        """The alias read as prefixes of the name's words, in order: whole words, initials,
        abbreviations and their mixes ("Esempio", "ESR", "ESRoma", "EsempServ")."""
        if len(alias) < 2:
            return 0.0
        words, significant, first = self.words, self.significant, self.first

        @cache
        def walk(
            position: int, index: int, started: bool, gap: bool, initial: bool, short: bool
        ) -> dict[tuple[int, bool], float]:
            """Best total strength of the readings of alias[position:] from words[index:],
            by (significant words used, first significant word used).

            `started`: a piece was taken; `gap`: a significant word was skipped since;
            `initial`, `short`: a one- or two-letter abbreviation was taken. Initials mix
            neither with gaps nor with two-letter abbreviations, which would read almost any
            short word into a name: "ER" is no reading of "Esempio Servizi Roma" and "Mare" none
            of "Mario Rossi Energia", while "ESR" and "ESRoma" are.
            """
            if position == len(alias):
                return {(0, False): 0.0}
            if index == len(words):
                return {}
            word = words[index]
            outcomes: dict[tuple[int, bool], float] = {}

            def keep(key: tuple[int, bool], strength: float) -> None:
                if strength > outcomes.get(key, -1.0):
                    outcomes[key] = strength

            skipped_gap = gap or (started and significant[index])
            for key, strength in walk(
                position, index + 1, started, skipped_gap, initial, short
            ).items():
                keep(key, strength)

            longest = 0
            while (
                longest < len(word)
                and position + longest < len(alias)
                and alias[position + longest] == word[longest]
            ):
                longest += 1
            for length in range(1, longest + 1):
                is_initial = length == 1 < len(word)
                is_short = length == 2 < len(word)
                if (gap and (initial or is_initial)) or (
                    (initial or is_initial) and (short or is_short)
                ):
                    continue
                here = _piece_strength(word[:length], word) if significant[index] else 0.0
                rest = walk(
                    position + length,
                    index + 1,
                    True,
                    gap,
                    initial or is_initial,
                    short or is_short,
                )
                for (used, first_used), strength in rest.items():
                    keep(
                        (used + significant[index], first_used or index == first),
                        strength + here,
                    )
            return outcomes

        best = 0.0
        for (used, first_used), strength in walk(0, 0, False, False, False, False).items():
            mean = strength / used if used else 0.0
            best = max(best, _shape_score(used, self.total, mean, first_used))
        return best
