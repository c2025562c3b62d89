"""Cross-cutting records: the audit trail and throttling events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change of state made by someone (who, when, what, from, to, reason). Append-only."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the trail stays readable if the account is ever removed.
    actor_email = models.CharField(_("who (e-mail)"), max_length=254, blank=True)
    # A plain id, not a foreign key: core stands below customers (DESIGN "Layers").
    customer_id = models.BigIntegerField(_("customer"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    from_state = models.CharField(_("from"), max_length=32, blank=True)
    to_state = models.CharField(_("to"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_repr}"
        )


class ThrottleEvent(models.Model):
    """One counted event (a failed login, a code sent) for a throttled key, in a time window."""

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=254)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"])]
        verbose_name = _("throttle event")
        verbose_name_plural = _("throttle events")

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}@{self.created_at:%Y-%m-%d %H:%M:%S}"
