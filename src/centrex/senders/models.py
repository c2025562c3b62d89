"""The sender side of SMS (R-S1–S4, R-T6): what a sender is, and a customer's sender policy,
«Mittenti SMS» of the Communicator section. The policy is changed only by `actions`; who may
send with what follows from it in `resolution`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.aliases.models import SenderAlias
from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer


class SenderType(models.TextChoices):
    """R-S4: a sender is a (verified) mobile number or a validated alias."""

    MOBILE = "mobile", _("mobile number")
    ALIAS = "alias", _("alias")


# R-T6: source address TON/NPI by sender type (alias 5/0 alphanumeric, number 1/1 international).
SENDER_TON_NPI: dict[str, tuple[int, int]] = {
    SenderType.ALIAS: (5, 0),
    SenderType.MOBILE: (1, 1),
}


class SenderPolicyMode(models.TextChoices):
    """R-S1: the four options of the Communicator section, with the manual's wording."""

    OWN_MOBILE = "own_mobile", _("each user uses their own mobile number")
    SHARED_MOBILE = "shared_mobile", _("a single mobile number for all users")
    SHARED_ALIAS = "shared_alias", _("a single alias for all users")
    USER_CHOICE = "user_choice", _("chosen by each user")


# R-S3: what a consumer customer may choose.
CONSUMER_MODES = frozenset({SenderPolicyMode.OWN_MOBILE, SenderPolicyMode.SHARED_MOBILE})


class SenderPolicy(models.Model):
    """A customer's SMS sender policy (R-S1–S3). A customer without a row has the default,
    `own_mobile` (R-S2): read it with `SenderPolicy.for_customer`.

    `shared_mobile_number` is the number the admin entered for `shared_mobile`; it is the sender
    only once `shared_mobile_verified_at` is set (R-M2, R-M3: entering another number clears
    it). `shared_alias` is the alias of `shared_alias`; it is usable only while validated."""

    customer = models.OneToOneField(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="sms_sender_policy",
    )
    mode = models.CharField(
        _("mode"),
        max_length=16,
        choices=SenderPolicyMode.choices,
        default=SenderPolicyMode.OWN_MOBILE,
    )
    shared_mobile_number = models.CharField(_("shared mobile number"), max_length=16, blank=True)
    shared_mobile_verified_at = models.DateTimeField(
        _("shared mobile number verified"), null=True, blank=True
    )
    shared_alias = models.ForeignKey(
        SenderAlias,
        verbose_name=_("shared alias"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TenantQuerySet["SenderPolicy"].as_manager()

    class Meta:
        db_table = "sms_senderpolicy"  # its table from before issue 11 (senders.0001)
        verbose_name = _("SMS sender policy")
        verbose_name_plural = _("SMS sender policies")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.mode}"

    @classmethod
    def for_customer(cls, customer: Customer) -> SenderPolicy:
        """The customer's policy; the default (unsaved, `own_mobile`) when none was chosen."""
        # Read on every send (R-S4); the SMS intake reads it with the caller's token instead.
        found = cls.objects.filter(customer_id=customer.pk).select_related("shared_alias").first()
        if found is None:
            return cls(customer=customer)
        found.customer = customer
        return found

    @property
    def shared_mobile_verified(self) -> bool:
        return bool(self.shared_mobile_number) and self.shared_mobile_verified_at is not None
