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
        # R-M2: verification codes go out through this app's pipeline; `verification` stands
        # below `sms` (DESIGN's layers), so it is handed the function rather than importing it.
        from centrex.sms.actions import send_verification_sms
        from centrex.verification.codes import deliver_codes_with

        deliver_codes_with(send_verification_sms)
