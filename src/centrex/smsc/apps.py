from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmscConfig(AppConfig):
    """The SMPP transport: the dispatcher (`centrex smsd`), the builtin simulator, `/metrics`.
    No models: it reads and writes the queue of `centrex.sms`."""

    name = "centrex.smsc"
    label = "smsc"
    verbose_name = _("SMSC")
