"""Writing the audit trail (called by actions inside their transaction) and reading it out as
the CSV of a Registro attività (the operators' and a customer's own, R-B1, R-Z4): the codes,
which machines read, and the sentence in words last (`core.activity_words`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from centrex.core.activity_words import activity_in_words
from centrex.core.csv_export import spreadsheet_safe
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


ACTIVITY_CSV_COLUMNS = (
    "created_at",
    "actor_email",
    "customer_id",
    "customer",
    "action",
    "object_type",
    "object_id",
    "object",
    "from_state",
    "to_state",
    "reason",
    "ip_address",
    "data",
    "description",
)


def activity_csv_rows(events: QuerySet[AuditEvent], names: dict[int, str]) -> Iterator[list[str]]:
    """A Registro attività as CSV rows, the header first (`names`: customers' names by id)."""
    yield list(ACTIVITY_CSV_COLUMNS)
    for event in events.select_related("actor").iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at).isoformat(),
            spreadsheet_safe(event.actor_email),
            "" if event.customer_id is None else str(event.customer_id),
            spreadsheet_safe(names.get(event.customer_id or 0, "")),
            spreadsheet_safe(event.action),
            event.object_type,
            spreadsheet_safe(event.object_id),
            spreadsheet_safe(event.object_repr),
            spreadsheet_safe(event.from_state),
            spreadsheet_safe(event.to_state),
            spreadsheet_safe(event.reason),
            event.ip_address or "",
            spreadsheet_safe(json.dumps(event.data, ensure_ascii=False, sort_keys=True)),
            spreadsheet_safe(activity_in_words(event)),
        ]
