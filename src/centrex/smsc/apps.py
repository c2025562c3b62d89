from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmscConfig(AppConfig):
    """The SMPP transport: the dispatcher (`centrex smsd`), the builtin simulator, `/metrics`.
    Its own tables are the lease and statistics of the dispatchers (`models.py`); the messages
    it reads and writes are the queue of `centrex.sms`."""

    name = "centrex.smsc"
    label = "smsc"
    verbose_name = _("SMSC")
