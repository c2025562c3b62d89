"""Reading a page's words without its markup, so the tests assert on what a person reads and
not on Bootstrap's classes (issue 14)."""

from __future__ import annotations

import html
import re
from typing import Any


def text(fragment: str) -> str:
    """`fragment` without its tags, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def heading(response: Any) -> str:
    """The text of the page's one `<h1>`."""
    found = re.findall(r"<h1\b[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert len(found) == 1, found
    return text(found[0])


def _content(response: Any) -> str:
    return str(response.content.decode())


def label(response: Any, for_id: str) -> str:
    """The text of the `<label>` of the field `for_id`."""
    found = re.findall(
        rf'<label\b[^>]*\bfor="{for_id}"[^>]*>(.*?)</label>', _content(response), re.S
    )
    assert len(found) == 1, (for_id, found)
    return text(found[0])


def by_id(response: Any, element_id: str) -> str:
    """The text of the element with `id` (up to its first closing tag of the same name)."""
    found = re.search(
        rf'<(\w+)\b[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', _content(response), re.S
    )
    assert found, element_id
    return text(found.group(2))


def texts_of(response: Any, tag: str) -> list[str]:
    """The texts of every `<tag>` of the page, in order (buttons, legends…)."""
    return [text(t) for t in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", _content(response), re.S)]


def badges(response: Any) -> list[str]:
    """The texts of the page's badges (status words, never colour alone)."""
    found = re.findall(
        r'<span\b[^>]*class="[^"]*\bbadge\b[^"]*"[^>]*>(.*?)</span>', _content(response), re.S
    )
    return [text(t) for t in found]


def link(response: Any, words: str) -> str:
    """The address of the one link reading `words`."""
    found = [
        href
        for href, inner in re.findall(
            r'<a\b[^>]*\bhref="([^"]*)"[^>]*>(.*?)</a>', _content(response), re.S
        )
        if text(inner) == words
    ]
    assert len(found) == 1, (words, found)
    return html.unescape(found[0])
