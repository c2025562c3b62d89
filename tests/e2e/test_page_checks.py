"""The checks of test_every_page.py catch what they look for, and only that: a page made for
the test (served by the browser itself, no portal) with one fault of each kind, next to what
they must leave alone (a wide table in `.table-responsive`, visually-hidden text, a closed
offcanvas menu, Italian words that are English too, English marked `translate="no"` or
code)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from tests.e2e.conftest import CspWatch, italian_context
from tests.e2e.page_checks import (
    EnglishCatalogue,
    accessibility_violations,
    overflowing_elements,
    page_problems,
    serve_axe,
    sideways_scroll,
    untranslated_messages,
)

pytestmark = pytest.mark.e2e

SITE = "http://checks.localhost"
STYLE = """
body { margin: 0; }
.wide { width: 600px; }
.table-responsive { overflow-x: auto; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
                   clip: rect(0, 0, 0, 0); }
.offcanvas { position: fixed; left: 0; width: 800px; visibility: hidden; }
"""
CLEAN = f"""<!doctype html><html lang="it"><head><title>Utenti</title>
<link rel="stylesheet" href="/style.css"></head><body><main>
<h1>Utenti</h1>
<p>Il programma usato (user agent) e il brand «Help» restano come sono.</p>
<dl><dt translate="no">{{label}}</dt><dd>un dato, come le intestazioni di un'e-mail</dd></dl>
<p>La parola <code>{{label}}</code> è riservata.</p>
<div class="table-responsive"><table class="wide"><tr><th>Nome</th></tr>
<tr><td>Alice</td></tr></table></div>
<span class="visually-hidden">{"testo nascosto " * 40}</span>
<nav class="offcanvas" aria-label="Menu principale"><a href="/">Area Clienti</a></nav>
</main></body></html>"""
FAULTY = """<!doctype html><html lang="it"><head><title>Utenti</title>
<link rel="stylesheet" href="/style.css"></head><body><main>
<h1>Utenti</h1>
<div class="wide" id="too-wide">Troppo largo</div>
<p>{sentence}</p>
<button type="button">{label}</button>
<img src="/logo.png">
</main></body></html>"""


@pytest.fixture(scope="module")
def english() -> EnglishCatalogue:
    return EnglishCatalogue()


def _english_examples(english: EnglishCatalogue) -> tuple[str, str]:
    """A sentence and a one-word label of the catalogues, without placeholders."""
    plain = [phrase for phrase in english.phrases if phrase.english == phrase.longest_literal]
    sentence = next(
        phrase.english for phrase in plain if not phrase.label and "<" not in phrase.english
    )
    label = next(phrase.english for phrase in plain if phrase.label)
    return sentence, label


@pytest.fixture
def phone(browser: Any, english: EnglishCatalogue) -> Generator[Any, None, None]:
    """A 390 px wide tab whose site answers the test's pages (`/clean`, `/faulty`)."""
    context = italian_context(browser, SITE, CspWatch(), width=390, height=844)
    sentence, label = _english_examples(english)
    faulty = FAULTY.replace("{sentence}", sentence).replace("{label}", label)
    pages = {"/clean": CLEAN.replace("{label}", label), "/faulty": faulty}

    def answer(route: Any) -> None:
        path = route.request.url.removeprefix(SITE)
        if path == "/style.css":
            route.fulfill(body=STYLE, content_type="text/css")
        elif path in pages:
            route.fulfill(body=pages[path], content_type="text/html")
        else:
            route.fulfill(status=404, body="")

    context.route(f"{SITE}/**", answer)
    serve_axe(context)
    yield context.new_page()
    context.close()


def test_a_clean_page_passes(phone: Any, english: EnglishCatalogue) -> None:
    # given
    phone.goto("/clean")
    # when
    problems = page_problems(phone, english)
    # then
    assert problems == []


def test_each_fault_is_named(phone: Any, english: EnglishCatalogue) -> None:
    # given
    phone.goto("/faulty")
    # when
    scroll = sideways_scroll(phone)
    overflow = overflowing_elements(phone)
    untranslated = untranslated_messages(phone, english)
    axe = accessibility_violations(phone)
    # then
    assert scroll == ["scrolls sideways: the document is 600 px wide in a 390 px viewport"]
    assert len(overflow) == 1
    assert '<div#too-wide.wide> "Troppo largo" from 0 to 600 px' in overflow[0]
    sentence, label = _english_examples(english)
    assert any(f"{sentence!r}" in problem for problem in untranslated), untranslated
    assert any(f"{label!r}" in problem for problem in untranslated), untranslated
    assert any(problem.startswith("axe critical image-alt") for problem in axe), axe
