"""The steps every change of an alias shares (R-A6): lock the row, check the move against
`ALLOWED_TRANSITIONS`, append the event to the alias history — who, when, from, to, reason, from
which address."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.utils.translation import gettext_lazy as _

from centrex.accounts.models import User
from centrex.aliases.models import AliasEvent, AliasEventAction, AliasStatus, SenderAlias
from centrex.core.errors import DomainError, ErrorCode, NotFound


def lock_alias(alias: SenderAlias) -> SenderAlias:
    """The alias row, locked until the transaction ends, as it is now."""
    try:
        return (
            SenderAlias.objects.select_for_update(of=("self",))
            .select_related("customer", "approved_by")
            .get(pk=alias.pk)
        )
    except SenderAlias.DoesNotExist:
        raise NotFound() from None


def fresh_alias(alias_id: int) -> SenderAlias:
    try:
        return SenderAlias.objects.select_related("customer", "approved_by").get(pk=alias_id)
    except SenderAlias.DoesNotExist:
        raise NotFound() from None


def require_move(alias: SenderAlias, status: str) -> None:
    """R-A6: only the moves of ALLOWED_TRANSITIONS."""
    if not alias.can_move_to(status):
        raise invalid_transition(
            _("An alias that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": AliasStatus(alias.status).label,
                "target": AliasStatus(status).label,
            }
        )


def invalid_transition(message: Any) -> DomainError:
    return DomainError(ErrorCode.INVALID_TRANSITION, message, field="status")


def clean_ip(ip_address: str | None) -> str | None:
    """An IP address as the database stores it; None for anything that is not one."""
    if not ip_address:
        return None
    try:
        return str(ipaddress.ip_address(ip_address.strip()))
    except ValueError:
        return None


def record_event(
    alias: SenderAlias,
    action: AliasEventAction,
    *,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    ip_address: str | None = None,
    data: dict[str, Any] | None = None,
) -> AliasEvent:
    """Append one event to the alias history (R-A6)."""
    real_actor = actor if actor is not None and actor.is_authenticated else None
    return AliasEvent.objects.create(
        alias=alias,
        alias_text=alias.text,
        customer_id=alias.customer_id,
        actor=real_actor,
        actor_email=real_actor.email if real_actor is not None else "",
        actor_is_operator=bool(real_actor is not None and real_actor.is_operator),
        action=action.value,
        from_status=str(from_status),
        to_status=str(to_status),
        reason=reason,
        ip_address=clean_ip(ip_address),
        data=data or {},
    )
