"""Pages of the user's own mobile number, reached from Opzioni Account (R-U9, R-M1–M3): enter
the number and press «salva», read where the SMS with the «codice di verifica» went, enter it
and press «salva» again; ask for a new code (60 s apart, R-M2); remove the number.

Thin views (STYLE 3): they parse a form, call one action of `centrex.verification.actions` and render.
The code is never written back into a page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from centrex.accounts.forms import add_domain_error
from centrex.accounts.models import User
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError
from centrex.core.pages import page_for
from centrex.verification.actions import (
    OWN,
    display_number,
    remove_own_mobile,
    require_mobile_owner,
    set_own_mobile,
    verify_own_mobile,
)
from centrex.verification.codes import is_usable, live_code, seconds_until_next_code
from centrex.verification.forms import OwnMobileForm, VerificationCodeForm


def _throttled(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    """R-M2: a code asked for too soon answers 429 with Retry-After, like the API."""
    if retry_after:
        response.status_code = 429
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def _already_verified(request: HttpRequest, user: User) -> HttpResponse:
    messages.info(
        request,
        _("Your mobile number %(number)s is verified: nothing to do.")
        % {"number": display_number(user.mobile_number)},
    )
    return redirect("accounts:options")


@never_cache
@page_for(require_mobile_owner)
@require_http_methods(["GET", "POST"])
def own_mobile(request: HttpRequest, user: User) -> HttpResponse:
    """Enter the number and press «salva»: it is stored not verified (R-M3) and a code is
    sent to it (R-M2); then the verification page. The same verified number changes nothing."""
    initial = {"number": display_number(user.mobile_number)} if user.mobile_number else {}
    form = OwnMobileForm(request.POST or None, initial=initial)
    retry_after: int | None = None
    if request.method == "POST" and form.is_valid():
        try:
            change = set_own_mobile(user, form.cleaned_data["number"], ip=client_address(request))
        except DomainError as error:
            add_domain_error(form, error)
            retry_after = error.retry_after
        else:
            if not change.code_sent:
                return _already_verified(request, user)
            return redirect("verification:own_mobile_verify")
    response = render(request, "verification/mobile_number.html", {"form": form, "account": user})
    return _throttled(response, retry_after)


@sensitive_post_parameters("code")
@never_cache
@page_for(require_mobile_owner)
@require_http_methods(["GET", "POST"])
def own_mobile_verify(request: HttpRequest, user: User) -> HttpResponse:
    """Says where the SMS went; the «codice di verifica» and «salva» verify the number and go
    back to Opzioni Account. «Invia un nuovo codice» sends another (60 s apart, 5 an hour)."""
    if not user.mobile_number:
        return redirect("verification:own_mobile")
    if user.mobile_verified:
        return _already_verified(request, user)
    form = VerificationCodeForm()
    retry_after: int | None = None
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            set_own_mobile(user, user.mobile_number, ip=client_address(request))
        except DomainError as error:
            messages.error(request, str(error.message))
            retry_after = error.retry_after
        else:
            messages.success(
                request,
                _("We sent a new verification code to %(number)s.")
                % {"number": display_number(user.mobile_number)},
            )
            return redirect("verification:own_mobile_verify")
    elif request.method == "POST":
        form = VerificationCodeForm(request.POST)
        if form.is_valid():
            try:
                verify_own_mobile(user, form.cleaned_data["code"], ip=client_address(request))
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Your mobile number %(number)s is verified.")
                    % {"number": display_number(user.mobile_number)},
                )
                return redirect("accounts:options")
    assert user.customer is not None
    code = live_code(purpose=OWN, customer=user.customer, user=user, number=user.mobile_number)
    context = {
        "form": form,
        "account": user,
        "number": display_number(user.mobile_number),
        "code": code,
        "code_usable": code is not None and is_usable(code),
        "resend_wait": seconds_until_next_code(user.mobile_number),
    }
    response = render(request, "verification/mobile_verify.html", context)
    return _throttled(response, retry_after)


@never_cache
@page_for(require_mobile_owner)
@require_http_methods(["GET", "POST"])
def own_mobile_remove(request: HttpRequest, user: User) -> HttpResponse:
    """Asks for confirmation, then removes the number (and any code waiting for it)."""
    if not user.mobile_number:
        return redirect("accounts:options")
    if request.method == "POST":
        number = display_number(user.mobile_number)
        remove_own_mobile(user, ip=client_address(request))
        messages.success(
            request, _("Your mobile number %(number)s is removed.") % {"number": number}
        )
        return redirect("accounts:options")
    return render(
        request,
        "verification/mobile_remove.html",
        {"account": user, "number": display_number(user.mobile_number)},
    )
