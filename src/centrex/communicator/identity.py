"""R-V4: when a user loses Communicator or changes identity — extension removed or changed,
user deactivated, customer suspended — the registrations of the identity they had are dropped
from the registrar once the change commits.

These are receivers of accounts' and customers' model signals (connected in
`CommunicatorConfig.ready`): those apps stand below this one and never import it, and every
path that changes a user or a customer (the actions, Django admin, the back office) saves the
row, so none can forget to tell the registrar. Refusing the *next* REGISTER or INVITE needs
nothing here: the credentials view leaves the device out as soon as the change commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from centrex.accounts.models import User
from centrex.communicator import registrar
from centrex.communicator.models import SipDomain
from centrex.communicator.registrar import Aor
from centrex.customers.models import Customer, Extension

# Only saves of these fields can change a user's identity; a login's `last_login` is not one.
_USER_IDENTITY_FIELDS = {"is_active", "extension", "extension_id", "customer", "customer_id"}


def aor_of_user(user_id: int) -> Aor | None:
    """The committed identity `sip:<extension>@<domain>` of a Communicator-enabled user of an
    active customer (R-V1), else None."""
    row = (
        User.objects.filter(
            pk=user_id, is_active=True, extension__isnull=False, customer__is_active=True
        )
        .values_list("extension__number", "customer__sip_domain__name")
        .first()
    )
    if row is None or row[1] is None:
        return None
    return Aor(row[0], row[1])


def _touches_identity(update_fields: Any) -> bool:
    return update_fields is None or bool(set(update_fields) & _USER_IDENTITY_FIELDS)


def remember_user_identity(
    sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    """pre_save of User: the identity before this save."""
    if instance.pk is not None and _touches_identity(update_fields):
        instance._communicator_aor_before = aor_of_user(instance.pk)  # type: ignore[attr-defined]


def drop_lost_user_identity(
    sender: type[User], instance: User, update_fields: Any = None, **kwargs: Any
) -> None:
    """post_save of User: the identity it had, if it is not its identity any more."""
    before = getattr(instance, "_communicator_aor_before", None)
    if before is None:
        return
    del instance._communicator_aor_before  # type: ignore[attr-defined]
    if aor_of_user(instance.pk) != before:
        registrar.drop_aors_on_commit([before])


def remember_customer_state(sender: type[Customer], instance: Customer, **kwargs: Any) -> None:
    """pre_save of Customer: whether it was active."""
    if instance.pk is not None:
        instance._communicator_was_active = (  # type: ignore[attr-defined]
            Customer.objects.filter(pk=instance.pk, is_active=True).exists()
        )


def on_customer_saved(
    sender: type[Customer], instance: Customer, created: bool = False, **kwargs: Any
) -> None:
    """post_save of Customer: a new customer gets its SIP domain (R-V1); a suspended one's
    registrations are dropped (R-V4)."""
    from centrex.communicator.actions import ensure_sip_domain

    if created:
        ensure_sip_domain(instance)
        return
    was_active = getattr(instance, "_communicator_was_active", False)
    if was_active and not instance.is_active:
        domain = SipDomain.objects.filter(customer=instance).values_list("name", flat=True).first()
        if domain:
            transaction.on_commit(lambda: registrar.drop_domain(domain))


def drop_deleted_extension(sender: type[Extension], instance: Extension, **kwargs: Any) -> None:
    """pre_delete of Extension: deleting it dissociates its user by a bulk update (no save),
    so its identity is dropped here."""
    holder = User.objects.filter(extension=instance).values_list("pk", flat=True).first()
    if holder is not None:
        aor = aor_of_user(holder)
        if aor is not None:
            registrar.drop_aors_on_commit([aor])
