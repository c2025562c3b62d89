"""Pages of Communicator devices (R-V1, R-V2, R-V4, R-V6). Their sections sit on pages of
apps below this one — Opzioni Account and Modifica Utente (accounts), the customer's page in
the back office — through `{% load communicator_pages %}`; the forms there post here.

Thin views (STYLE 3): guarded by `page_for`, they parse a form, fetch through the access
helpers, call one action of `centrex.communicator.actions` and render.

The password of a new device is in the response to the POST that created it and nowhere
else: no redirect carries it, the session never holds it, the response is not cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from centrex.accounts.access import access_user, require_customer_admin, require_operator
from centrex.accounts.forms import add_domain_error
from centrex.accounts.models import User
from centrex.communicator.access import access_device
from centrex.communicator.actions import (
    change_sip_domain,
    create_device,
    require_communicator_user,
    revoke_device,
    sip_domain_of,
)
from centrex.communicator.forms import DeviceForm, SipDomainForm
from centrex.communicator.models import Device
from centrex.communicator.provisioning import sip_account
from centrex.core.errors import DomainError
from centrex.core.pages import page_for
from centrex.customers.access import access_customer

OWN_DEVICES_ANCHOR = "dispositivi"


def _own_devices_url() -> str:
    return f"{reverse('accounts:options')}#{OWN_DEVICES_ANCHOR}"


@never_cache
@page_for(require_communicator_user)
@require_http_methods(["GET", "POST"])
def own_device_add(request: HttpRequest, user: User) -> HttpResponse:
    """Opzioni Account > Dispositivi Communicator > «Aggiungi» (R-V2): the new device's SIP
    account, shown once in this response — as text and as a QR code — and never again."""
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, password = create_device(user, form.cleaned_data["name"], acting_user=user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            assert user.extension is not None and user.customer is not None
            account = sip_account(
                extension=user.extension.number,
                domain=sip_domain_of(user.customer),
                username=device.sip_username,
                password=password,
            )
            response = render(
                request, "communicator/device_created.html", {"device": device, "account": account}
            )
            # `never_cache` keeps it out of every cache (no-store); nor is its address sent on.
            response["Referrer-Policy"] = "same-origin"
            return response
    return render(request, "communicator/device_add.html", {"form": form})


@page_for(require_communicator_user)
@require_http_methods(["GET", "POST"])
def own_device_revoke(request: HttpRequest, user: User, device_pk: int) -> HttpResponse:
    """A device's «Revoca» (R-V4): the confirmation page, then the revocation."""
    device = access_device(user, device_pk, owner=user)
    if request.method == "POST":
        revoke_device(device, acting_user=user)
        messages.success(request, _revoked_message(device))
        return redirect(_own_devices_url())
    return render(
        request,
        "communicator/device_revoke.html",
        {"device": device, "owner": user, "cancel_url": _own_devices_url(), "own": True},
    )


@page_for(require_customer_admin)
@require_http_methods(["GET", "POST"])
def user_device_revoke(request: HttpRequest, admin: User, pk: int, device_pk: int) -> HttpResponse:
    """Modifica Utente > Dispositivi Communicator > «Revoca» (R-V2, R-V4): an admin revokes a
    device of one of the customer's users (another customer's user or device: 404)."""
    owner = access_user(admin, pk)
    device = access_device(admin, device_pk, owner=owner)
    cancel_url = reverse("accounts:user_edit", args=[owner.pk])
    if request.method == "POST":
        revoke_device(device, acting_user=admin)
        messages.success(request, _revoked_message(device))
        return redirect(f"{cancel_url}#{OWN_DEVICES_ANCHOR}")
    return render(
        request,
        "communicator/device_revoke.html",
        {"device": device, "owner": owner, "cancel_url": cancel_url, "own": False},
    )


def _revoked_message(device: Device) -> str:
    return _(
        "The device “%(name)s” is revoked: it can no longer register or call, and is "
        "disconnected within seconds."
    ) % {"name": device.name}


@page_for(require_operator)
@require_http_methods(["GET", "POST"])
def customer_sip_domain(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """The back office's customer page > Dominio SIP (R-V1): the operator renames the
    customer's SIP domain; its devices are revoked (the realm of their hashes changed)."""
    customer = access_customer(operator, pk)
    current = sip_domain_of(customer)
    form = SipDomainForm(request.POST or None, initial={"sip_domain": current})
    if request.method == "POST" and form.is_valid():
        try:
            domain = change_sip_domain(
                customer, form.cleaned_data["sip_domain"], acting_user=operator
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if domain.name != current:
                messages.success(
                    request,
                    _("The SIP domain of %(customer)s is now %(domain)s.")
                    % {"customer": customer.name, "domain": domain.name},
                )
            return redirect("backoffice:customer_detail", pk=customer.pk)
    return render(
        request,
        "communicator/sip_domain_form.html",
        {"customer": customer, "sip_domain": current, "form": form},
    )
