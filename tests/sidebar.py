"""Reading the application shell's sidebar (centrex/navigation.py, templates/base.html) out of a
page's HTML, for the tests that check who sees which page and which one is current."""

from __future__ import annotations

from html.parser import HTMLParser


class _SidebarReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, bool]] = []
        self.headings: list[str] = []
        self._depth = 0  # inside <nav id="sidebar">
        self._link: tuple[str, bool] | None = None
        self._heading = False
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "nav" and attributes.get("id") == "sidebar":
            self._depth = 1
        elif self._depth and tag == "nav":
            self._depth += 1
        if not self._depth:
            return
        if tag == "a":
            self._link = (attributes.get("href") or "", attributes.get("aria-current") == "page")
            self._text = []
        elif tag == "p" and "sidebar-heading" in (attributes.get("class") or ""):
            self._heading = True
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], "".join(self._text).strip(), self._link[1]))
            self._link = None
        elif tag == "p" and self._heading:
            self.headings.append("".join(self._text).strip())
            self._heading = False
        elif tag == "nav":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._link is not None or self._heading:
            self._text.append(data)


def read_sidebar(html: str) -> _SidebarReader:
    reader = _SidebarReader()
    reader.feed(html)
    return reader


def sidebar_links(html: str) -> dict[str, str]:
    """The sidebar's links, label → href."""
    return {label: href for href, label, _current in read_sidebar(html).links}


def current_page(html: str) -> list[tuple[str, str]]:
    """The sidebar links marked as the current page, as (label, href): one at most."""
    return [(label, href) for href, label, current in read_sidebar(html).links if current]
