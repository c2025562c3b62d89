from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    """Verification codes sent by SMS and the users' own mobile numbers (R-M1–M3, R-U9)."""

    name = "centrex.verification"
    label = "verification"
    verbose_name = _("Verification codes")
