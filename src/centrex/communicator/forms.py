"""Forms of the Communicator pages (R-V1, R-V2). They only shape input: the rules live in
`centrex.communicator.actions`, whose DomainErrors go back on the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from centrex.communicator.actions import DEVICE_NAME_MAX_LENGTH
from centrex.communicator.models import SIP_DOMAIN_MAX_LENGTH


class DeviceForm(forms.Form):
    """Opzioni Account > Dispositivi Communicator: a name for the new device (R-V2)."""

    name = forms.CharField(
        label=_("Device name"),
        max_length=DEVICE_NAME_MAX_LENGTH,
        help_text=_("Such as “Portatile” or “iPhone”, to tell your devices apart."),
    )


class SipDomainForm(forms.Form):
    """The back office's customer page: the customer's SIP domain (R-V1)."""

    sip_domain = forms.CharField(
        label=pgettext_lazy("page", "SIP domain"),
        max_length=SIP_DOMAIN_MAX_LENGTH,
        help_text=_("Changing it revokes the customer's devices: their users must add them again."),
    )
