"""The developer inbox (DESIGN "External systems behind small adapters"): what the embedded
defaults sent, so a first-time user of `make run` can open an invitation link or read a code on
one machine. No login (it is for people who cannot log in yet): its requirement is the
setting, so every page is 404 unless settings.CENTREX_DEV_INBOX is on."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from centrex.core.errors import NotFound
from centrex.core.pages import page_for
from centrex.core.security import content_security_policy
from centrex.devinbox import outbox
from centrex.devinbox.sources import SOURCES

ENTRIES_PER_SOURCE = 200

_HEAD_TAG = re.compile(r"<head(\s[^>]*)?>", re.IGNORECASE)
# Links inside the sandboxed preview open in a new tab: inside the frame our own pages
# would refuse to load (X-Frame-Options: DENY).
_BASE_TAG = '<base target="_blank">'


Visitor = AbstractBaseUser | AnonymousUser


def require_dev_inbox(visitor: Visitor) -> Visitor:
    """Anyone, logged in or not, while the developer inbox is on; otherwise it is not there."""
    if not settings.CENTREX_DEV_INBOX:
        raise NotFound()
    return visitor


def _noindex(response: HttpResponse) -> HttpResponse:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def html_preview(html: str) -> str:
    """The HTML part for the iframe's srcdoc, with links set to open outside the frame."""
    match = _HEAD_TAG.search(html)
    if match:
        return html[: match.end()] + _BASE_TAG + html[match.end() :]
    return _BASE_TAG + html


@require_safe
@never_cache
@page_for(require_dev_inbox, sign_in=False)
def index(request: HttpRequest, visitor: Visitor) -> HttpResponse:
    """Every source's newest entries, newest first."""
    sections = [
        {
            "source": source,
            "available": source.available(),
            "listing": source.listing(ENTRIES_PER_SOURCE) if source.available() else None,
        }
        for source in SOURCES
    ]
    return _noindex(render(request, "devinbox/index.html", {"sections": sections}))


@require_safe
@never_cache
# The HTML part, in a srcdoc frame, lives under this page's policy, and e-mails carry their
# styles in style="" attributes (as mail programs need). No script runs there: the frame is
# sandboxed without allow-scripts.
@content_security_policy(style_src_attr="'unsafe-inline'")
@page_for(require_dev_inbox, sign_in=False)
def message(request: HttpRequest, visitor: Visitor, name: str) -> HttpResponse:
    """One e-mail: headers, the text part with clickable links, the HTML part sandboxed."""
    try:
        email = outbox.read_message(name)
    except LookupError:
        raise NotFound() from None
    context = {"email": email, "html_preview": html_preview(email.html) if email.html else ""}
    return _noindex(render(request, "devinbox/message.html", context))
