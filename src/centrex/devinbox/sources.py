"""The sources the developer inbox shows, one section each.

Two today: the e-mails of the embedded file outbox, and the SMS the builtin SMSC simulator
received. Another source is added by writing its listing function and a section template, and
appending one `InboxSource` to `SOURCES`; the index page renders every source in order and
needs no change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from centrex.devinbox import outbox, received_sms


@dataclass(frozen=True)
class InboxListing:
    """What one source shows: its newest entries, and how many it holds in all (`more`: at
    least that many; the source holds older ones it did not count)."""

    entries: Sequence[Any]
    total: int
    more: bool = False


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


def _sms_listing(limit: int) -> InboxListing:
    found = received_sms.latest(limit)
    return InboxListing(found.entries, found.total, found.more)


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
    InboxSource(
        key="sms",
        title=_("SMS"),
        template="devinbox/_sms.html",
        listing=_sms_listing,
        available=received_sms.uses_builtin_smsc,
        unavailable=_("SMS are sent to a real SMSC (CENTREX_SMSC_URL), so they are not kept here."),
    ),
)
