"""The pages of two-step verification (R-Z1–Z3): the sign-in's second step, Opzioni Account >
«Verifica in due passaggi» (set up with a QR code and a first code, the recovery codes shown
once, turn off), Impostazioni > «Sicurezza» where an admin requires it, and the reset an
admin makes from Modifica Utente. The rules are in `accounts.actions`.

The second step: the sign-in page checks the password (`authenticate_login`); for a person
with two-step verification on it answers `mfa_required`, and the page keeps who passed the
password in the session for `PENDING_SECONDS`, then asks for the code here. A person who must
set it up and has not (R-Z3) is signed in with `SETUP_FLAG` in the session: every page but the
set-up, signing out and the language sends them to the set-up (`TwoStepSetupMiddleware`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from centrex.accounts.access import access_user, require_customer_admin, require_signed_in
from centrex.accounts.actions import (
    complete_two_step_login,
    confirm_totp,
    disable_mfa,
    mfa_enabled,
    mfa_must_be_set_up,
    mfa_requirement_of,
    reset_mfa,
    set_mfa_requirement,
    start_totp,
)
from centrex.accounts.models import MfaRequirement, User
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pages import page_for
from centrex.core.qr import qr_svg

PENDING_USER = "two_step_user"
PENDING_SINCE = "two_step_since"
PENDING_NEXT = "two_step_next"
PENDING_SECONDS = 300
SETUP_FLAG = "two_step_setup_required"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=gettext_lazy(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
    )


class RequirementForm(forms.Form):
    mfa_required = forms.ChoiceField(
        label=gettext_lazy("Two-step verification is required of"),
        choices=MfaRequirement.choices,
        widget=forms.RadioSelect,
    )


# --- Signing in (R-Z2, R-Z3) ----------------------------------------------------------------


def begin_second_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right and the person has two-step verification on: ask for the code."""
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_SINCE] = int(time.time())
    request.session[PENDING_NEXT] = next_url
    return redirect("accounts:login_code")


def sign_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """Open the session; a person who must set two-step verification up goes there first."""
    login(request, user)
    if mfa_must_be_set_up(user):
        request.session[SETUP_FLAG] = True
        return redirect("accounts:two_step")
    return redirect(next_url)


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if pending is None or time.time() - since > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=int(pending), is_active=True).first()


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The sign-in's second step: the authenticator app's code or a recovery code, under the
    login throttle (R-Z2)."""
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Sign in again: the time to enter the code ran out."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    status = 200
    response_headers: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        try:
            complete_two_step_login(
                user,
                form.cleaned_data["code"],
                ip_address=client_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except DomainError as error:
            form.add_error(
                "code" if error.code != ErrorCode.THROTTLED else None, str(error.message)
            )
            if error.retry_after:
                status, response_headers = 429, {"Retry-After": str(error.retry_after)}
        else:
            next_url = request.session.get(PENDING_NEXT) or reverse("home")
            for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT):
                request.session.pop(key, None)
            return sign_in(request, user, next_url)
    response = render(request, "accounts/login_code.html", {"form": form}, status=status)
    for name, value in response_headers.items():
        response[name] = value
    return response


class TwoStepSetupMiddleware:
    """R-Z3: a person signed in who must set up two-step verification can do nothing else
    meanwhile (the API's tokens are limited the same way, `accounts.authentication`)."""

    ALLOWED = ("accounts:two_step", "accounts:logout", "accounts:language")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(SETUP_FLAG) and not request.path.startswith(("/api/", "/static/")):
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed:
                return redirect("accounts:two_step")
        return self.get_response(request)


# --- Opzioni Account > Verifica in due passaggi (R-Z1) ----------------------------------------


@sensitive_post_parameters("code")
@never_cache
@page_for(require_signed_in)
@require_http_methods(["GET", "POST"])
def two_step(request: HttpRequest, user: User) -> HttpResponse:
    """Set up (a new secret as a QR code and as text, confirmed with a first code; the ten
    recovery codes shown once, in this answer only) or turn off with a code."""
    action = request.POST.get("action", "")
    context: dict[str, object] = {"enabled": mfa_enabled(user), "form": CodeForm()}
    context["required"] = bool(request.session.get(SETUP_FLAG)) or mfa_must_be_set_up(user)
    if request.method == "POST" and action == "start":
        setup = start_totp(user)
        context.update(setup=setup, qr=qr_svg(setup.otpauth_uri, title=_("QR code")))
    elif request.method == "POST" and action == "confirm":
        form = CodeForm(request.POST)
        context["form"] = form
        if form.is_valid():
            try:
                codes = confirm_totp(
                    user, form.cleaned_data["code"], ip_address=client_address(request)
                )
            except DomainError as error:
                form.add_error("code", str(error.message))
                context["confirming"] = True
            else:
                request.session.pop(SETUP_FLAG, None)
                context.update(enabled=True, recovery_codes=codes, required=False)
        else:
            context["confirming"] = True
    elif request.method == "POST" and action == "disable":
        form = CodeForm(request.POST)
        context["form"] = form
        if form.is_valid():
            try:
                disable_mfa(user, form.cleaned_data["code"], ip_address=client_address(request))
            except DomainError as error:
                form.add_error("code", str(error.message))
            else:
                messages.success(request, _("Two-step verification is off."))
                return redirect("accounts:two_step")
    return render(request, "accounts/two_step.html", context)


# --- Impostazioni > Sicurezza (R-Z3) --------------------------------------------------------


@page_for(require_customer_admin)
@require_http_methods(["GET", "POST"])
def security(request: HttpRequest, admin: User) -> HttpResponse:
    """Who of the company must use two-step verification."""
    assert admin.customer is not None  # require_customer_admin
    form = RequirementForm(
        request.POST or None, initial={"mfa_required": mfa_requirement_of(admin.customer)}
    )
    if request.method == "POST" and form.is_valid():
        set_mfa_requirement(admin.customer, form.cleaned_data["mfa_required"], acting_user=admin)
        messages.success(
            request,
            _("Saved. Whoever must use two-step verification sets it up at the next sign-in."),
        )
        return redirect("accounts:security")
    return render(request, "accounts/security.html", {"form": form})


@require_POST
@page_for(require_customer_admin)
def user_reset_two_step(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    """Modifica Utente: reset a user's two-step verification (a lost phone; R-Z3, audited)."""
    user = access_user(admin, pk)
    reset_mfa(user, acting_user=admin, ip_address=client_address(request))
    messages.success(
        request,
        _("Two-step verification of %(name)s is reset: they set it up again if it is required.")
        % {"name": user.full_name or user.email},
    )
    return redirect("accounts:user_edit", pk=user.pk)
