from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevinboxConfig(AppConfig):
    name = "centrex.devinbox"
    label = "devinbox"
    verbose_name = _("Developer inbox")
