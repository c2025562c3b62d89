"""The one-dispatcher rule of SQLite (API.md: a second dispatcher exits; after a crash the next
one starts within 10 s): the lease of `centrex.smsc.lease`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from centrex.smsc.lease import DispatcherBusy, SingleDispatcherLock
from centrex.smsc.models import DispatcherLease


def test_a_second_dispatcher_is_refused_politely(db: None) -> None:
    # given dispatcher "d1" holding the lease
    SingleDispatcherLock("d1").acquire()
    # when "d2" tries to start
    with pytest.raises(DispatcherBusy) as refused:
        SingleDispatcherLock("d2").acquire()
    # then it is told why and what to do
    assert "only one dispatcher with SQLite; use PostgreSQL for several" in str(refused.value)
    assert "d1" in str(refused.value)


def test_the_lease_of_a_dead_dispatcher_expires_and_the_next_one_starts(db: None) -> None:
    # given "d1" holding the lease, then killed (-9): it renews no more and the lease runs out
    first = SingleDispatcherLock("d1", lease_seconds=8)
    first.acquire()
    DispatcherLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    # when "d2" starts
    second = SingleDispatcherLock("d2", lease_seconds=8)
    second.acquire()
    # then it holds the lease, and "d1" (were it alive) learns it lost it
    assert DispatcherLease.objects.get().dispatcher_id == "d2"
    with pytest.raises(DispatcherBusy):
        first.renew()
    second.renew()


def test_a_released_lease_lets_the_next_dispatcher_start_at_once(db: None) -> None:
    # given "d1" holding the lease, renewing it, and stopping cleanly
    first = SingleDispatcherLock("d1")
    first.acquire()
    first.renew()
    first.acquire()  # taking it again is harmless
    first.release()
    # when "d2" starts
    SingleDispatcherLock("d2").acquire()
    # then it holds the lease
    assert DispatcherLease.objects.get().dispatcher_id == "d2"


def test_the_lock_is_required_on_sqlite_only(db: None) -> None:
    # then SQLite needs the single-dispatcher lock and PostgreSQL shares the queue
    assert SingleDispatcherLock.required() == (connection.vendor == "sqlite")
