"""Verification codes sent by SMS (R-M2): what a code proves and the row that keeps its hash,
its lifetime and its attempts. Issued and checked only by `codes`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer


class VerificationPurpose(models.TextChoices):
    """What a verification code proves (R-M2)."""

    OWN_MOBILE = "own_mobile", _("own mobile number")
    SHARED_MOBILE = "shared_mobile", _("shared mobile number")


class VerificationCode(models.Model):
    """One verification code sent by SMS (R-M2): 6 digits, stored only as a hash, valid 10
    minutes, dead after 5 wrong attempts or once used. `user` is who asked for it (whose own
    number it proves, or the admin setting the shared number); `customer` the tenant."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=VerificationPurpose.choices)
    number = models.CharField(_("mobile number"), max_length=16)  # E.164
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    failed_attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    superseded = models.BooleanField(_("superseded"), default=False)
    # The SMS that carried the code. By app label, not by import: the SMS pipeline stands above
    # this app (DESIGN layers) and hands the code's SMS over through `codes.CodeSms`.
    sms_request = models.ForeignKey(
        "sms.SmsRequest",
        verbose_name=_("SMS"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TenantQuerySet["VerificationCode"].as_manager()

    class Meta:
        db_table = "sms_verificationcode"  # its table from before issue 11 (verification.0001)
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            # R-M2 throttling: codes sent to a number recently.
            models.Index(fields=["number", "created_at"], name="sms_code_by_number"),
            models.Index(fields=["user", "purpose", "created_at"], name="sms_code_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.number}"
