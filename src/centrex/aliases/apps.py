from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AliasesConfig(AppConfig):
    name = "centrex.aliases"
    label = "aliases"
    verbose_name = _("SMS sender aliases")
