from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SendersConfig(AppConfig):
    """The SMS sender policy of each customer and who may send with what (R-S1–S4)."""

    name = "centrex.senders"
    label = "senders"
    verbose_name = _("SMS senders")

    def ready(self) -> None:
        # R-S2: once a revoked or withdrawn alias commits, the admins of a customer whose policy
        # sends with it are told by e-mail that nobody can send SMS until they choose another
        # sender. The signal lives in `aliases` (below `senders`), so `aliases` never imports
        # `senders`.
        from centrex.aliases.actions.decisions import alias_became_unusable
        from centrex.senders.actions import on_alias_unusable

        alias_became_unusable.connect(on_alias_unusable, dispatch_uid="sms.policy_alias_unusable")
