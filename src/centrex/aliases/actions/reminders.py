"""Reminding the operators of requests near or past their due time (R-A8, R-A10)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from centrex.aliases import emails, sla
from centrex.aliases.actions.transitions import record_event
from centrex.aliases.models import AliasEventAction, AliasStatus, SenderAlias


def send_overdue_reminders(now: datetime | None = None) -> int:
    """E-mail the operators once about every pending request within one business hour of its
    due time, or past it, that they were not reminded of yet; the number of requests. Run by
    the deferred task scheduled at submission and by `centrex alias_reminders`."""
    moment = now or timezone.now()
    candidates = SenderAlias.objects.filter(
        status=AliasStatus.PENDING,
        overdue_reminder_sent_at__isnull=True,
        due_at__lte=sla.reminder_cutoff(moment),
    ).values_list("pk", flat=True)
    return sum(1 for alias_id in list(candidates) if send_overdue_reminder(alias_id, now=moment))


def send_overdue_reminder(alias_id: int, *, now: datetime | None = None) -> bool:
    """Remind the operators of one request if it is still pending, due within one business
    hour (or overdue) and not reminded yet; True when the reminder went out. Claimed with a
    conditional UPDATE, so two workers never both send it."""
    moment = now or timezone.now()
    with transaction.atomic():
        claimed = SenderAlias.objects.filter(
            pk=alias_id,
            status=AliasStatus.PENDING,
            overdue_reminder_sent_at__isnull=True,
            due_at__lte=sla.reminder_cutoff(moment),
        ).update(overdue_reminder_sent_at=moment)
        if not claimed:
            return False
        alias = SenderAlias.objects.select_related("customer").get(pk=alias_id)
        record_event(
            alias,
            AliasEventAction.OVERDUE_REMINDER,
            actor=None,
            data={"due_at": alias.due_at.isoformat() if alias.due_at else None},
        )
        emails.send_alias_overdue_reminder(alias)
    return True
