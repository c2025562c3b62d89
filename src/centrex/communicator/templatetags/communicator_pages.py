"""`{% load communicator_pages %}`: the Communicator sections of pages that belong to apps
below this one (accounts' Opzioni Account and Modifica Utente, the back office's customer
page), which cannot import it. Each section reads through the models and posts to this app's
views (R-V1, R-V2, R-V6)."""

from __future__ import annotations

from typing import Any

from django import template

from centrex.accounts.models import User
from centrex.accounts.presence import is_communicator_online
from centrex.communicator.actions import can_use_communicator, sip_domain_of
from centrex.communicator.forms import DeviceForm, SipDomainForm
from centrex.communicator.models import MAX_DEVICES_PER_USER, Device
from centrex.communicator.provisioning import TRANSPORT, registrar_address
from centrex.communicator.views import OWN_DEVICES_ANCHOR
from centrex.customers.models import Customer

register = template.Library()


def _devices(user: User) -> dict[str, Any]:
    """The devices, and whether the user is online — the same answer as the users list's and
    the API's `communicator_online` (accounts.presence)."""
    return {
        "devices": list(Device.objects.listed_for(user)),
        "online": is_communicator_online(user),
        "anchor": OWN_DEVICES_ANCHOR,
    }


def _identity(user: User) -> dict[str, Any]:
    """`sip:<extension>@<domain>` on the registrar (R-V1), of a Communicator-enabled user."""
    assert user.extension is not None and user.customer is not None
    return {
        "extension": user.extension.number,
        "sip_domain": sip_domain_of(user.customer),
        "registrar": registrar_address(),
        "transport": TRANSPORT,
    }


@register.inclusion_tag("communicator/_own_devices.html", takes_context=True)
def own_devices(context: template.Context, user: User) -> dict[str, Any]:
    """Opzioni Account > Dispositivi Communicator: the user's identity, devices and the form
    to add one; for a user without Communicator, why not."""
    section: dict[str, Any] = {
        "csrf_token": context.get("csrf_token"),
        "enabled": can_use_communicator(user),
        "anchor": OWN_DEVICES_ANCHOR,
    }
    if section["enabled"]:
        section.update(_identity(user), **_devices(user))
        section["form"] = DeviceForm()
        section["room"] = len(section["devices"]) < MAX_DEVICES_PER_USER
        section["limit"] = MAX_DEVICES_PER_USER
    return section


@register.inclusion_tag("communicator/_user_devices.html")
def user_devices(edited: User) -> dict[str, Any]:
    """Modifica Utente > Dispositivi Communicator: the user's devices, their last
    registration and the «Revoca» of each (R-V2, R-V6)."""
    section: dict[str, Any] = {"edited": edited, "enabled": can_use_communicator(edited)}
    section.update(_devices(edited))
    if section["enabled"]:
        section.update(_identity(edited))
    return section


@register.inclusion_tag("communicator/_customer_sip_domain.html", takes_context=True)
def customer_sip_domain(context: template.Context, customer: Customer) -> dict[str, Any]:
    """The back office's customer page > Dominio SIP, with the operator's form (R-V1)."""
    name = sip_domain_of(customer)
    return {
        "csrf_token": context.get("csrf_token"),
        "customer": customer,
        "sip_domain": name,
        "form": SipDomainForm(initial={"sip_domain": name}),
    }
