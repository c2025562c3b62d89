"""The dispatcher's own tables: SQLite's single-dispatcher lease and the per-SMSC statistics
`/metrics` reads. Transport state, not domain state: the SMS domain (`centrex.sms`) never reads
them. The tables keep the names they had when they lived in `sms` (moved by issue 11 without
copying a row: `migrations/0001_dispatcher_tables_from_sms.py`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DispatcherLease(models.Model):
    """Who may run the dispatcher on a database without row locks (SQLite): one row per `slot`,
    held by `dispatcher_id` until `expires_at`. The holder renews it; a dispatcher that died
    (kill -9) stops renewing, and the next one takes the slot when it expires."""

    slot = models.CharField(_("slot"), max_length=32, primary_key=True)
    dispatcher_id = models.CharField(_("dispatcher"), max_length=64)
    heartbeat_at = models.DateTimeField(_("heartbeat"))
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        db_table = "sms_dispatcherlease"
        verbose_name = _("dispatcher lease")
        verbose_name_plural = _("dispatcher leases")

    def __str__(self) -> str:
        return f"{self.slot}: {self.dispatcher_id}"


class DispatcherStats(models.Model):
    """The counters of one dispatcher's binds to one SMSC account, written by `centrex smsd`
    every few seconds and read by `/metrics` (the dispatcher is another process). Counters are
    totals since the dispatcher started; `gauges` hold current values (window in use, binds)."""

    dispatcher_id = models.CharField(_("dispatcher"), max_length=64)
    smsc = models.CharField(_("SMSC account"), max_length=128)
    counters = models.JSONField(_("counters"), default=dict)
    gauges = models.JSONField(_("gauges"), default=dict)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        db_table = "sms_dispatcherstats"
        verbose_name = _("dispatcher statistics")
        verbose_name_plural = _("dispatcher statistics")
        constraints = [
            models.UniqueConstraint(fields=["dispatcher_id", "smsc"], name="sms_stats_unique")
        ]

    def __str__(self) -> str:
        return f"{self.dispatcher_id} → {self.smsc}"
