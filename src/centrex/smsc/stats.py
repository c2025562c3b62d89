"""The dispatcher's counters per SMSC account, as `DispatcherStats` rows that `/metrics` reads
(the dispatcher is another process). Names as the SMS contract fixes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from centrex.smsc.models import DispatcherStats

# Monotonic totals since the dispatcher started.
COUNTERS = (
    "submit_sm",
    "submit_sm_resp_ok",
    "submit_sm_resp_error",
    "throttled",
    "failed",
    "receipts",
    "receipts_unmatched",
    "enquire_link",
    "reconnects",
    "bind_failures",
)
# Current values.
GAUGES = ("window_in_use", "window_size", "binds_up", "binds_configured", "claimed")


@dataclass(frozen=True)
class StatsSnapshot:
    """One account's numbers at one moment."""

    smsc: str
    counters: dict[str, int]
    gauges: dict[str, int]


def save_dispatcher_stats(
    dispatcher_id: str,
    started_at: datetime,
    snapshots: Sequence[StatsSnapshot],
    live_within: timedelta = timedelta(seconds=6),
) -> dict[str, int]:
    """Upsert the rows of one dispatcher (one per account). Returns, per account, how many
    dispatchers are sending to it now (their row is fresh and has a bind up): the account's
    tps is shared among them (DESIGN "Scale-out")."""
    now = timezone.now()
    with transaction.atomic():
        for snapshot in snapshots:
            DispatcherStats.objects.update_or_create(
                dispatcher_id=dispatcher_id,
                smsc=snapshot.smsc,
                defaults={
                    "counters": snapshot.counters,
                    "gauges": snapshot.gauges,
                    "started_at": started_at,
                    "updated_at": now,
                },
            )
    labels = [snapshot.smsc for snapshot in snapshots]
    return dict(
        DispatcherStats.objects.filter(
            smsc__in=labels, updated_at__gte=now - live_within, gauges__binds_up__gt=0
        )
        .values("smsc")
        .annotate(count=Count("id"))
        .values_list("smsc", "count")
    )
