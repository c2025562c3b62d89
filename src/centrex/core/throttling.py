"""Sliding-window throttles kept in the database, so every web process sees the same counts."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone

from centrex.core.models import ThrottleEvent


def seconds_until_allowed(scope: str, key: str, *, limit: int, window: timedelta) -> int:
    """0 if fewer than `limit` events of `key` fell in the last `window`; else the seconds
    until the oldest counted one leaves the window (the Retry-After)."""
    now = timezone.now()
    recent = ThrottleEvent.objects.filter(scope=scope, key=key, created_at__gt=now - window)
    times = list(recent.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return 0
    oldest_counted = times[-1]
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def seconds_until_all_allowed(limits: Iterable[tuple[str, str, int]], *, window: timedelta) -> int:
    """The longest wait of several throttles over one window, each `(scope, key, limit)` (one
    per e-mail and one per client address, say); 0 if none is reached."""
    waits = (
        seconds_until_allowed(scope, key, limit=limit, window=window)
        for scope, key, limit in limits
    )
    return max(waits, default=0)


def count_event(scope: str, key: str) -> None:
    ThrottleEvent.objects.create(scope=scope, key=key, created_at=timezone.now())


def forget_events(scope: str, key: str) -> None:
    ThrottleEvent.objects.filter(scope=scope, key=key).delete()


def prune_events(older_than: timedelta) -> int:
    deleted, _ = ThrottleEvent.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
