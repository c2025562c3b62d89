"""One function per e-mail of the alias workflow (R-A10), each sent in every recipient's own
language, as text and HTML, once the transaction commits.

Customers hear about outcomes — validated, rejected, revoked — at the requester's address and
at every active admin's; operators hear about new requests and requests about to be overdue.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse

from centrex.accounts.models import User
from centrex.aliases import sla
from centrex.core.mail import send_email_after_commit

if TYPE_CHECKING:
    from centrex.aliases.models import SenderAlias

TEMPLATES = "aliases/emails"


def send_alias_validated(alias: SenderAlias) -> None:
    """R-A10: the alias is validated and can be used as an SMS sender."""
    _send_to_customer(alias, "validated")


def send_alias_rejected(alias: SenderAlias) -> None:
    """R-A10: the request was rejected, with the operator's reason."""
    _send_to_customer(alias, "rejected")


def send_alias_revoked(alias: SenderAlias) -> None:
    """R-A10: a validated alias was revoked, with the operator's reason; it is no longer
    usable (R-A11)."""
    _send_to_customer(alias, "revoked")


def send_alias_requested(alias: SenderAlias) -> None:
    """R-A8: tell every active operator about a new request and when its outcome is due."""
    _send_to_operators(alias, "requested")


def send_alias_overdue_reminder(alias: SenderAlias) -> None:
    """R-A8: tell every active operator that a request is about to become (or is) overdue."""
    _send_to_operators(alias, "overdue_reminder")


def customer_recipients(alias: SenderAlias) -> list[User]:
    """The requester and every active admin of the alias's customer, each once."""
    people: dict[int, User] = {
        admin.pk: admin for admin in User.objects.active_admins_of(alias.customer)
    }
    requester = alias.requested_by
    if (
        requester is not None
        and requester.is_active
        and requester.customer_id == alias.customer_id
        and requester.pk not in people
    ):
        people[requester.pk] = requester
    return list(people.values())


def _send_to_customer(alias: SenderAlias, name: str) -> None:
    _send(name, customer_recipients(alias), alias, link=_link("aliases:alias_list"))


def _send_to_operators(alias: SenderAlias, name: str) -> None:
    _send(name, User.objects.operators(), alias, link=_link("backoffice:alias_review", alias.pk))


def _send(name: str, recipients: Iterable[User], alias: SenderAlias, *, link: str) -> None:
    """One message per recipient, in their language: nobody learns who else was told."""
    for person in sorted(recipients, key=lambda user: user.email):
        send_email_after_commit(
            f"{TEMPLATES}/{name}",
            to=[person.email],
            language=person.language,
            context={
                "recipient": person,
                "alias": alias,
                "customer": alias.customer,
                "link": link,
                "time_zone": sla.business_calendar().time_zone,
            },
        )


def _link(url_name: str, *args: object) -> str:
    """An absolute link to a portal page, for the e-mail."""
    return f"{settings.CENTREX_BASE_URL}{reverse(url_name, args=args)}"
