"""What every page must pass in the browser (issue 14, "Done when"), as problems in words.

Four checks, each a function of an open Playwright page returning the problems it found (an
empty list: the page passes):

- `sideways_scroll`: the document scrolls sideways (its scroll width exceeds the viewport).
- `overflowing_elements`: a visible element reaches past the viewport's right edge or starts
  left of it. Elements inside an ancestor that clips or scrolls sideways by design (a
  `.table-responsive`, anything with `overflow-x` other than `visible`) are that ancestor's
  business; hidden ones (`display: none`, `visibility: hidden` as a closed offcanvas menu, 1 px
  visually-hidden text, a skip link placed wholly left of the page until focused) are not
  seen. Only the outermost overflowing element of a branch is named.
- `untranslated_messages`: English text of the portal's catalogues (and Django's) on an
  Italian page (`EnglishCatalogue`); content marked `translate="no"` and code are data.
- `accessibility_violations`: axe-core's serious and critical violations of WCAG 2.1 A/AA.
  axe-core comes from npm (`make install`: node_modules/axe-core) and is served to the page
  from its own origin (`serve_axe`), since the Content-Security-Policy allows no inline script
  and the tests never bypass it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The address the pages load axe-core from: answered by the test (`serve_axe`), not the portal.
AXE_URL = "/__axe__.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_IMPACTS = ("serious", "critical")
ITALIAN = "locale/it/LC_MESSAGES/django.po"
# The portal's catalogues, and Django's whose messages its pages show (form validation, the
# password validators): name → file.
CATALOGUES = {
    str(path.relative_to(ROOT / "src").parent.parent.parent.parent).replace("/", "."): path
    for path in sorted((ROOT / "src" / "centrex").glob(f"**/{ITALIAN}"))
} | {
    "django": Path(django.__file__).parent / "conf" / ITALIAN,
    "django.contrib.auth": Path(django.__file__).parent / "contrib" / "auth" / ITALIAN,
}

# English texts that are also Italian words or names, so finding them on an Italian page says
# nothing (each a msgid whose msgstr differs only in form): keep it short and say why.
ALSO_ITALIAN = {
    "Account",  # «Account», as in Opzioni Account
    "Brand",  # the AGCOM registry's word
    "Online",  # «online» in Italian
    "Privacy",  # «Informativa privacy»
    "Mobile",  # «mobile» (numero mobile)
    "Data",  # «data», the date
    "Note",  # «note», the notes
    "Token",  # «token» API
}


def serve_axe(context: Any) -> None:
    """The browser `context` gets axe-core at AXE_URL of every site it opens."""
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `make install` (npm ci)")
    context.route(
        f"**{AXE_URL}",
        lambda route: route.fulfill(path=str(AXE_SCRIPT), content_type="application/javascript"),
    )


# --- Layout --------------------------------------------------------------------------------

SIDEWAYS_SCROLL = """() => {
  const root = document.scrollingElement || document.documentElement;
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth};
}"""


def sideways_scroll(page: Any) -> list[str]:
    """The page scrolls sideways: its content is wider than the viewport."""
    size = page.evaluate(SIDEWAYS_SCROLL)
    if size["scrollWidth"] > size["clientWidth"] + 1:
        return [
            f"scrolls sideways: the document is {size['scrollWidth']} px wide in a "
            f"{size['clientWidth']} px viewport"
        ]
    return []


OVERFLOWING_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const clips = (element) => getComputedStyle(element).overflowX !== "visible";
  const named = new Set();
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (!element.checkVisibility({visibilityProperty: true})) continue;
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue;  // visually-hidden: 1 px, clipped
    if (box.right <= width + 1 && box.left >= -1) continue;
    if (box.right <= 0) continue;  // wholly left of the page: hidden on purpose (a skip link)
    let inside = false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (named.has(up) || clips(up)) { inside = true; break; }
    }
    if (inside) continue;
    named.add(element);
    const id = element.id ? "#" + element.id : "";
    const classes = [...element.classList].map((name) => "." + name).join("");
    const text = (element.innerText || element.getAttribute("aria-label") || "")
      .replace(/\\s+/g, " ").trim().slice(0, 40);
    const where = `from ${Math.round(box.left)} to ${Math.round(box.right)} px`;
    const tag = element.tagName.toLowerCase();
    found.push({element: `<${tag}${id}${classes}> "${text}" ${where}`,
                kind: `<${tag}${classes}> ${where}`});
  }
  return {width, found};
}"""


def overflowing_elements(page: Any) -> list[str]:
    """Visible elements past the viewport's edges, each named (tag, id, classes, text)."""
    result = page.evaluate(OVERFLOWING_ELEMENTS)
    kinds: dict[str, list[str]] = {}  # the cells of one column, the rows of one list: once
    for found in result["found"]:
        kinds.setdefault(found["kind"], []).append(found["element"])
    return [
        f"overflows the {result['width']} px viewport: {elements[0]}"
        + (f" and {len(elements) - 1} more like it" if len(elements) > 1 else "")
        for elements in kinds.values()
    ]


# --- Untranslated text ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One message of a .po catalogue: its English texts (msgid, msgid_plural) and Italian."""

    english: tuple[str, ...]
    italian: tuple[str, ...]
    catalogue: str


_PO_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_PO_MORE = re.compile(r'^"(.*)"\s*$')
_PO_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: _PO_ESCAPES.get(match[1], match[1]), text)


def read_catalogue(name: str, path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete `#~` ones left out; fuzzy ones kept: Django does not
    use their Italian, so the page shows the English)."""
    entries: list[Entry] = []
    fields: dict[str, str] = {}
    current: str | None = None

    def flush() -> None:
        if fields.get("msgid"):
            english = tuple(fields[key] for key in ("msgid", "msgid_plural") if key in fields)
            italian = tuple(value for key, value in fields.items() if key.startswith("msgstr"))
            entries.append(Entry(english, italian, name))
        fields.clear()

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if match := _PO_LINE.match(line):
            key, value = match[1], match[2]
            if key in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
                flush()
            current = key
            fields[key] = _unescape(value)
        elif (more := _PO_MORE.match(line)) and current is not None:
            fields[current] += _unescape(more[1])
        elif not line or line.startswith("#"):
            if any(key.startswith("msgstr") for key in fields):
                flush()
            current = None
    return entries


_PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>")
_WORD = re.compile(r"\w+")


def _normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Phrase:
    """An English message as a pattern: placeholders match any short text. A one-word message
    (a label, a button, a column) counts only as the whole text of an element or attribute
    (`label`): inside a sentence or a list of names the word is data or Italian usage (an alias
    «Help» in the reserved names, «user agent»)."""

    english: str
    catalogue: str
    pattern: re.Pattern[str]
    longest_literal: str
    label: bool


_AROUND_A_LABEL = r"[\s:*()]*"  # a label's colon, the required field's asterisk


def _regex(pieces: list[str]) -> str:
    return r".{1,120}?".join(r"\s+".join(map(re.escape, piece.split())) for piece in pieces)


def _phrase(english: str, catalogue: str) -> Phrase | None:
    """The pattern of `english`, or None when it is too little to tell English from Italian."""
    pieces = [_normalised(piece) for piece in _PLACEHOLDER.split(english)]
    literal = [piece for piece in pieces if piece]
    words = _WORD.findall(" ".join(literal))
    if not words or (len(words) == 1 and len(words[0]) < 4):
        return None
    longest = max(literal, key=len)
    if len(words) == 1:
        body = _regex(pieces)
        pattern = re.compile(rf"{_AROUND_A_LABEL}{body}{_AROUND_A_LABEL}")
        return Phrase(english, catalogue, pattern, longest, label=True)
    # In a text, placeholders at the ends match nothing (the text around is whatever the page
    # has); those in between match up to 120 characters.
    while pieces and not pieces[0]:
        pieces.pop(0)
    while pieces and not pieces[-1]:
        pieces.pop()
    pattern = re.compile(rf"(?<!\w){_regex(pieces)}(?!\w)")
    return Phrase(english, catalogue, pattern, longest, label=False)


class EnglishCatalogue:
    """The English texts of the portal's catalogues that Italian pages must not show: every
    msgid (and msgid_plural) whose Italian differs from it (an empty or fuzzy Italian included:
    the page shows the English), except

    - a single word shorter than 4 letters ("SMS", "API", "PEC": the same in both languages);
    - a text that is itself the Italian of some message (Italian uses it as it is: "Password",
      "Communicator", "Alias");
    - a text whose every word is in its own Italian ("Alias %(name)s" → «L'alias %(name)s»);
    - ALSO_ITALIAN, English words that are Italian words too.
    """

    def __init__(self, catalogues: dict[str, Path] = CATALOGUES) -> None:
        entries = [
            entry for name, path in catalogues.items() for entry in read_catalogue(name, path)
        ]
        italian_texts = {_normalised(text) for entry in entries for text in entry.italian}
        seen: set[str] = set()
        self.phrases: list[Phrase] = []
        for entry in entries:
            italian_words = {word.lower() for text in entry.italian for word in _WORD.findall(text)}
            for english in entry.english:
                text = _normalised(english)
                if text in seen or text in italian_texts or text in ALSO_ITALIAN:
                    continue
                if {word.lower() for word in _WORD.findall(text)} <= italian_words:
                    continue
                phrase = _phrase(english, entry.catalogue)
                if phrase is not None:
                    seen.add(text)
                    self.phrases.append(phrase)

    def found_in(self, texts: list[str]) -> list[str]:
        """The English phrases in `texts` (the whole texts of elements and attributes: a
        sentence anywhere in one, a single word as all of it), each with where it was found; a
        phrase inside a longer one found at the same place is left out."""
        found: dict[str, list[tuple[int, int, Phrase]]] = {}
        for text in {_normalised(text) for text in texts if text}:
            for phrase in self.phrases:
                if phrase.longest_literal not in text:
                    continue
                if phrase.label:
                    match = phrase.pattern.fullmatch(text)
                else:
                    match = phrase.pattern.search(text)
                if match:
                    found.setdefault(text, []).append((match.start(), match.end(), phrase))
        problems = set()
        for text, matches in found.items():
            for start, end, phrase in matches:
                if any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in matches):
                    continue
                where = text[max(0, start - 30) : end + 30]
                problems.add(
                    f"untranslated ({phrase.catalogue}): {phrase.english!r} in “…{where}…”"
                )
        return sorted(problems)


# Content marked as not for translation: data such as e-mail headers, reserved names, codes.
NOT_TRANSLATED = "[translate=no], code, kbd, samp, pre"
VISIBLE_TEXTS = """(notTranslated) => {
  const texts = [document.title];
  const attributes = ["aria-label", "title", "placeholder", "alt"];
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt], "
      + "input[type=submit], input[type=button], input[type=reset]")) {
    if (element.closest(notTranslated)) continue;
    for (const name of attributes) {
      const value = element.getAttribute(name);
      if (value) texts.push(value);
    }
    if (element.matches("input[type=submit], input[type=button], input[type=reset]")) {
      texts.push(element.value);
    }
  }
  const ownText = (element) => [...element.childNodes].some(
    (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  for (const element of document.body.querySelectorAll("*")) {
    if (ownText(element) && !element.closest(notTranslated) && element.checkVisibility()) {
      texts.push(element.innerText);
    }
  }
  return texts;
}"""


def untranslated_messages(page: Any, english: EnglishCatalogue) -> list[str]:
    """The catalogues' English on the page: the text of each visible element (not marked
    `translate="no"`, not code), the title, labels, placeholders, alt texts."""
    texts = page.evaluate(VISIBLE_TEXTS, NOT_TRANSLATED)
    return english.found_in(texts)


# --- Accessibility -------------------------------------------------------------------------

RUN_AXE = """async ([tags, impacts]) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
  });
  return result.violations.filter((violation) => impacts.includes(violation.impact))
    .map((violation) => ({id: violation.id, impact: violation.impact, help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
      first: [...violation.nodes[0].any, ...violation.nodes[0].all, ...violation.nodes[0].none]
        .map((check) => check.message).join(" ")}));
}"""


def accessibility_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations: rule, impact, where."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    violations = page.evaluate(RUN_AXE, [AXE_TAGS, list(AXE_IMPACTS)])
    problems = []
    for violation in violations:
        targets = violation["targets"]
        shown = ", ".join(targets[:8]) + (
            f" and {len(targets) - 8} more" if len(targets) > 8 else ""
        )
        problems.append(
            f"axe {violation['impact']} {violation['id']} ({violation['help']}): {shown}"
            f" — the first: {violation['first']}"
        )
    return problems


def page_problems(page: Any, english: EnglishCatalogue) -> list[str]:
    """Every check's problems on the page as it is now."""
    return [
        *sideways_scroll(page),
        *overflowing_elements(page),
        *untranslated_messages(page, english),
        *accessibility_violations(page),
    ]
