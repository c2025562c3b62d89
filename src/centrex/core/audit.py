"""Writing the audit trail; called by actions inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from centrex.core.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def record_audit(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    target: models.Model | None = None,
    customer_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    ip_address: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. `customer_id` defaults to the target's own customer."""
    if customer_id is None and target is not None:
        customer_id = getattr(target, "customer_id", None)
    real_actor: Any = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=real_actor,
        actor_email=getattr(real_actor, "email", "") or "",
        customer_id=customer_id,
        action=action,
        object_type=(target._meta.model_name or "") if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        ip_address=ip_address if ip_address and ip_address != "unknown" else None,
        data=data or {},
    )
