"""The sources the developer inbox shows, one section each.

Today there is one: the e-mails of the embedded file outbox. A later source (for example the
SMS received by the builtin SMSC simulator) is added by writing its listing function and a
section template, and appending one `InboxSource` to `SOURCES`; the index page renders every
source in order and needs no change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from centrex.devinbox import outbox


@dataclass(frozen=True)
class InboxListing:
    """What one source shows: its newest entries, and how many it holds in all."""

    entries: Sequence[Any]
    total: int


@dataclass(frozen=True)
class InboxSource:
    """One section of the developer inbox.

    `key` is the section's anchor, `template` renders the section from the context variables
    `source` and `listing`, `listing(limit)` returns the newest `limit` entries, and
    `available()` says whether the source exists in this configuration (when it does not,
    the section says so with `unavailable`)."""

    key: str
    title: str | Promise
    template: str
    listing: Callable[[int], InboxListing]
    available: Callable[[], bool]
    unavailable: str | Promise


def _email_listing(limit: int) -> InboxListing:
    found = outbox.latest(limit)
    return InboxListing(found.entries, found.total)


SOURCES: tuple[InboxSource, ...] = (
    InboxSource(
        key="email",
        title=_("E-mails"),
        template="devinbox/_emails.html",
        listing=_email_listing,
        available=lambda: outbox.outbox_directory() is not None,
        unavailable=_(
            "E-mails are sent to a real mail server (EMAIL_URL), so they are not kept here."
        ),
    ),
)
