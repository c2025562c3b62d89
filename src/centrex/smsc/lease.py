"""SQLite's one-dispatcher rule (API.md: a second dispatcher exits, the next one starts within
10 seconds of a crash): a lease row in `DispatcherLease`. Transport state, so it lives with the
transport; PostgreSQL needs none (its dispatchers share the queue with SKIP LOCKED)."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from centrex.smsc.models import DispatcherLease


class DispatcherBusy(Exception):
    """Another live dispatcher holds the queue (SQLite allows one)."""


class SingleDispatcherLock:
    """The one-dispatcher rule of SQLite (no row locks to share the queue with): a lease row the
    holder renews (`renew`, every few seconds) and gives back on exit (`release`). A dispatcher
    killed with -9 stops renewing; its lease expires after `lease_seconds` and the next one
    starts then — no stale lock (API.md: within 10 seconds).
    """

    slot = "sms-dispatcher"

    def __init__(self, dispatcher_id: str, lease_seconds: float = 8.0) -> None:
        self.dispatcher_id = dispatcher_id
        self.lease = timedelta(seconds=lease_seconds)

    @staticmethod
    def required() -> bool:
        """Whether the database needs it: those without SKIP LOCKED (SQLite)."""
        return not connection.features.has_select_for_update_skip_locked

    def acquire(self) -> None:
        """Take the lease, or raise DispatcherBusy if another dispatcher's lease is live."""
        now = timezone.now()
        with transaction.atomic():
            taken = (
                DispatcherLease.objects.filter(slot=self.slot)
                .filter(Q(expires_at__lte=now) | Q(dispatcher_id=self.dispatcher_id))
                .update(
                    dispatcher_id=self.dispatcher_id, heartbeat_at=now, expires_at=now + self.lease
                )
            )
            if taken:
                return
            try:
                with transaction.atomic():
                    DispatcherLease.objects.create(
                        slot=self.slot,
                        dispatcher_id=self.dispatcher_id,
                        heartbeat_at=now,
                        expires_at=now + self.lease,
                    )
            except IntegrityError:
                holder = DispatcherLease.objects.filter(slot=self.slot).first()
                holder_id = holder.dispatcher_id if holder else "?"
                until = holder.expires_at.isoformat() if holder else "?"
                raise DispatcherBusy(
                    f"Dispatcher {holder_id} is already running (its lease ends at {until}): "
                    "only one dispatcher with SQLite; use PostgreSQL for several."
                ) from None

    def renew(self) -> None:
        """Extend the lease (the heartbeat); DispatcherBusy if it was lost meanwhile."""
        now = timezone.now()
        renewed = DispatcherLease.objects.filter(
            slot=self.slot, dispatcher_id=self.dispatcher_id
        ).update(heartbeat_at=now, expires_at=now + self.lease)
        if not renewed:
            raise DispatcherBusy(
                f"Dispatcher {self.dispatcher_id} lost its lease: another dispatcher took over."
            )

    def release(self) -> None:
        """Give the lease back so the next dispatcher can start at once."""
        DispatcherLease.objects.filter(slot=self.slot, dispatcher_id=self.dispatcher_id).delete()
