from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SmsConfig(AppConfig):
    name = "centrex.sms"
    label = "sms"
    verbose_name = _("SMS")

    def ready(self) -> None:
        # R-A11: a revoked or withdrawn alias fails the queued messages that use it, in the
        # transaction that moved the alias. The signal lives in `aliases` (below `sms` in
        # DESIGN's layers), so `aliases` never imports `sms`.
        from centrex.aliases.actions.decisions import alias_became_unusable
        from centrex.sms.queue import fail_queued_of_unusable_alias

        alias_became_unusable.connect(
            fail_queued_of_unusable_alias, dispatch_uid="sms.fail_queued_of_unusable_alias"
        )
        # R-S2: once that commits, the admins of a customer whose policy sends with the alias
        # are told by e-mail that nobody can send SMS until they choose another sender.
        from centrex.sms.policy import on_alias_unusable

        alias_became_unusable.connect(on_alias_unusable, dispatch_uid="sms.policy_alias_unusable")
