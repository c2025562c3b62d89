"""Who is online on the registrar (R-V6): a user whose identity `sip:<extension>@<domain>` has
a registration that has not expired, read from Kamailio's `location` table. Handed to
`accounts.presence` at start-up for the user shape's `communicator_online`."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from centrex.accounts.models import User, UserQuerySet
from centrex.communicator.models import Registration


def annotate_online(users: UserQuerySet) -> UserQuerySet:
    """Each user with `communicator_online`, in the list's one query."""
    current = Registration.objects.current().filter(
        username=OuterRef("extension__number"), domain=OuterRef("customer__sip_domain__name")
    )
    return users.annotate(communicator_online=Exists(current))


def user_is_online(user: User) -> bool:
    if user.extension_id is None or user.customer_id is None or not user.is_active:
        return False
    domains = User.objects.filter(pk=user.pk).values("customer__sip_domain__name")
    return (
        Registration.objects.current()
        .filter(username=user.extension.number if user.extension else "", domain__in=domains)
        .exists()
    )
