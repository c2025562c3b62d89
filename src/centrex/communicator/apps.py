from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicatorConfig(AppConfig):
    """Communicator on the IP Centrex registrar: SIP domains, devices, Kamailio (R-V1–R-V6)."""

    name = "centrex.communicator"
    label = "communicator"
    verbose_name = _("Communicator")

    def ready(self) -> None:
        # R-V1, R-V4: accounts and customers stand below this app and never import it; their
        # rows' signals tell it when an identity is created or lost.
        from django.db.models.signals import post_save, pre_delete, pre_save

        from centrex.accounts.models import User
        from centrex.accounts.presence import answer_online_with
        from centrex.communicator import identity, presence
        from centrex.customers.models import Customer, Extension

        pre_save.connect(
            identity.remember_user_identity, sender=User, dispatch_uid="communicator.user_pre"
        )
        post_save.connect(
            identity.drop_lost_user_identity, sender=User, dispatch_uid="communicator.user_post"
        )
        pre_save.connect(
            identity.remember_customer_state,
            sender=Customer,
            dispatch_uid="communicator.customer_pre",
        )
        post_save.connect(
            identity.on_customer_saved, sender=Customer, dispatch_uid="communicator.customer_post"
        )
        pre_delete.connect(
            identity.drop_deleted_extension,
            sender=Extension,
            dispatch_uid="communicator.extension_delete",
        )
        # R-V6: the user shape's `communicator_online`, answered from the registrar's table.
        answer_online_with(presence.annotate_online, presence.user_is_online)
