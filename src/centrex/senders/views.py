"""Communicator > Mittenti SMS (manual §4; R-S1–S3, R-M2, R-M3), for the customer's admins.

The four options as radio buttons with the manual's words and explanation; `shared_mobile`
with the manual's two "salva" (the number, then the «codice di verifica» that appears once the
code was sent); `shared_alias` among the validated aliases only. Before saving, the page
previews the effect of the option chosen — how many users could send, who could not and why —
live (htmx, on every change) or with the «anteprima» button without JavaScript. Thin views:
parse the form, call one action of `senders.actions`, render (STYLE 3); the pages are for the
customer's admins (`page_for(require_policy_admin)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from centrex.accounts.models import User
from centrex.aliases.models import SenderAlias
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pages import page_for
from centrex.core.phones import normalize_mobile_number
from centrex.customers.models import Customer
from centrex.senders.actions import (
    CONSUMER_MODES_MESSAGE,
    PolicyPreview,
    policy_problem,
    preview_policy,
    require_policy_admin,
    set_policy,
    set_shared_mobile,
    verify_shared_mobile,
)
from centrex.senders.forms import PREVIEW, RESEND, SAVE, PolicyForm, show_policy_error
from centrex.senders.models import CONSUMER_MODES, SenderPolicy, SenderPolicyMode


def _customer_of(admin: User) -> Customer:
    customer = admin.customer
    assert customer is not None  # require_policy_admin: a customer's admin
    return customer


def _validated_aliases(customer: Customer) -> list[SenderAlias]:
    return list(SenderAlias.objects.filter(customer=customer).usable().order_by("text", "id"))


def _form(customer: Customer, aliases: list[SenderAlias], **kwargs: Any) -> PolicyForm:
    return PolicyForm(is_business=customer.is_business, aliases=aliases, **kwargs)


def _page_url(mode: str | None = None) -> str:
    url = reverse("senders:policy")
    return f"{url}?{urlencode({'mode': mode})}" if mode else url


@page_for(require_policy_admin)
@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest, admin: User) -> HttpResponse:
    """The page: GET shows the option in force (or `?mode=`, preselected) with its effect;
    POST «salva» saves (or sends / checks the code of the shared number), «anteprima» only
    previews, «invia un nuovo codice» sends a new code to the shared number."""
    customer = _customer_of(admin)
    policy = SenderPolicy.for_customer(customer)
    aliases = _validated_aliases(customer)
    if request.method == "GET":
        wanted = request.GET.get("mode")
        form = _form(
            customer,
            aliases,
            initial={
                "mode": wanted if _offered(customer, wanted) else policy.mode,
                "number": policy.shared_mobile_number,
                "shared_alias": policy.shared_alias_id,
            },
        )
        candidate, notes = _candidate(customer, policy, aliases, form.initial)
        return _render(request, customer, policy, aliases, form, candidate, notes)
    form = _form(customer, aliases, data=request.POST)
    action = request.POST.get("action", "save")
    if not form.is_valid():
        return _render(request, customer, policy, aliases, form, None, [])
    if action == "preview":
        try:
            candidate, notes = _candidate(customer, policy, aliases, form.cleaned_data)
        except DomainError as error:
            show_policy_error(error, form)
            return _render(request, customer, policy, aliases, form, None, [])
        return _render(request, customer, policy, aliases, form, candidate, notes)
    try:
        return _save(request, admin, customer, policy, form, action)
    except DomainError as error:
        show_policy_error(error, form)
        return _render(request, customer, policy, aliases, form, None, [])


@require_POST
@page_for(require_policy_admin)
def policy_preview(request: HttpRequest, admin: User) -> HttpResponse:
    """The live preview (htmx, on every change of the form; no side effect): the effect of the
    option chosen on every active user (R-S4)."""
    customer = _customer_of(admin)
    policy = SenderPolicy.for_customer(customer)
    aliases = _validated_aliases(customer)
    form = _form(customer, aliases, data=request.POST)
    context: dict[str, Any] = {"preview": None, "notes": [], "errors": []}
    if not form.is_valid():
        context["errors"] = [str(error) for errors in form.errors.values() for error in errors]
    else:
        try:
            candidate, notes = _candidate(customer, policy, aliases, form.cleaned_data)
        except DomainError as error:
            context["errors"] = [str(item.message) for item in error.errors]
        else:
            context.update(
                preview=preview_policy(customer, candidate, aliases=aliases), notes=notes
            )
    return render(request, "senders/_policy_preview.html", context)


def _offered(customer: Customer, mode: str | None) -> bool:
    return mode in SenderPolicyMode.values and (customer.is_business or mode in CONSUMER_MODES)


def _candidate(
    customer: Customer,
    policy: SenderPolicy,
    aliases: list[SenderAlias],
    data: Mapping[str, Any],
) -> tuple[SenderPolicy, list[str]]:
    """The policy the form describes, not saved, for the preview; and what the preview must
    add about it. A shared number being entered is previewed as the sender it will be once
    verified — it is not in force before (R-S1.2)."""
    mode = data.get("mode") or policy.mode
    candidate = SenderPolicy(
        customer=customer,
        mode=mode,
        shared_mobile_number=policy.shared_mobile_number,
        shared_mobile_verified_at=policy.shared_mobile_verified_at,
    )
    notes: list[str] = []
    if mode == SenderPolicyMode.SHARED_ALIAS:
        by_id = {alias.pk: alias for alias in aliases}
        candidate.shared_alias = by_id.get(_int_or_none(data.get("shared_alias")) or 0)
    elif mode == SenderPolicyMode.SHARED_MOBILE:
        raw = (data.get("number") or "").strip()
        number = (
            normalize_mobile_number(raw, field="number") if raw else policy.shared_mobile_number
        )
        if number and not (number == policy.shared_mobile_number and policy.shared_mobile_verified):
            candidate.shared_mobile_number = number
            candidate.shared_mobile_verified_at = timezone.now()
            notes.append(
                _(
                    "This preview shows %(number)s as the sender: it becomes the sender only once "
                    "verified with the code sent to it by SMS."
                )
                % {"number": number}
            )
    return candidate, notes


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _save(
    request: HttpRequest,
    admin: User,
    customer: Customer,
    policy: SenderPolicy,
    form: PolicyForm,
    action: str,
) -> HttpResponse:
    mode = form.cleaned_data["mode"]
    ip = client_address(request)
    if mode == SenderPolicyMode.SHARED_MOBILE:
        return _save_shared_mobile(request, admin, customer, policy, form, action)
    shared_alias = (
        form.cleaned_data["shared_alias"] if mode == SenderPolicyMode.SHARED_ALIAS else None
    )
    saved = set_policy(customer, mode=mode, shared_alias_id=shared_alias, acting_user=admin, ip=ip)
    messages.success(request, _saved_message(saved))
    return redirect(_page_url())


def _save_shared_mobile(
    request: HttpRequest,
    admin: User,
    customer: Customer,
    policy: SenderPolicy,
    form: PolicyForm,
    action: str,
) -> HttpResponse:
    """The manual's two "salva": a new number gets a code (the option in force stays); the
    code verifies the number and puts the option in force; the number already verified is put
    in force at once. «invia un nuovo codice» sends another code to the number waiting."""
    ip = client_address(request)
    raw = form.cleaned_data["number"].strip()
    number = normalize_mobile_number(raw, field="number") if raw else policy.shared_mobile_number
    if not number:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Enter the mobile number that all users will send from."),
            field="number",
        )
    if action == "resend" or number != policy.shared_mobile_number:
        saved = set_shared_mobile(customer, number, acting_user=admin, ip=ip)
        if saved.shared_mobile_verified:  # the number in force, entered again
            messages.info(request, _("%(number)s is already verified.") % {"number": number})
            return redirect(_page_url(SenderPolicyMode.SHARED_MOBILE))
        messages.success(request, _code_sent_message(saved))
        return redirect(_page_url(SenderPolicyMode.SHARED_MOBILE))
    if policy.shared_mobile_verified:
        saved = set_policy(customer, mode=SenderPolicyMode.SHARED_MOBILE, acting_user=admin, ip=ip)
        messages.success(request, _saved_message(saved))
        return redirect(_page_url())
    code = form.cleaned_data["code"].strip()
    if not code:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _(
                "Enter the verification code sent by SMS to %(number)s and press “%(save)s” "
                "again, or ask for a new code."
            )
            % {"number": number, "save": SAVE},
            field="code",
        )
    saved = verify_shared_mobile(customer, code, acting_user=admin, ip=ip)
    messages.success(
        request,
        _("%(number)s is verified, and it is now the sender of the SMS of all users.")
        % {"number": saved.shared_mobile_number},
    )
    return redirect(_page_url())


def _saved_message(policy: SenderPolicy) -> str:
    message = _("Saved: “%(option)s”.") % {"option": policy.get_mode_display()}
    if policy.mode == SenderPolicyMode.SHARED_ALIAS and policy.shared_alias is not None:
        message = _("Saved: “%(option)s”, with the alias “%(alias)s”.") % {
            "option": policy.get_mode_display(),
            "alias": policy.shared_alias.text,
        }
    return message


def _code_sent_message(policy: SenderPolicy) -> str:
    if policy.mode == SenderPolicyMode.SHARED_MOBILE:
        return _(
            "An SMS with a verification code was sent to %(number)s. Enter the code in "
            "“Verification code” and press “%(save)s”. Until the number is verified, nobody "
            "can send SMS."
        ) % {"number": policy.shared_mobile_number, "save": SAVE}
    return _(
        "An SMS with a verification code was sent to %(number)s. Enter the code in "
        "“Verification code” and press “%(save)s”. Until then the option in force stays "
        "“%(option)s”."
    ) % {
        "number": policy.shared_mobile_number,
        "save": SAVE,
        "option": policy.get_mode_display(),
    }


def _render(
    request: HttpRequest,
    customer: Customer,
    policy: SenderPolicy,
    aliases: list[SenderAlias],
    form: PolicyForm,
    candidate: SenderPolicy | None,
    notes: list[str],
) -> HttpResponse:
    preview: PolicyPreview | None = None
    if candidate is not None:
        preview = preview_policy(customer, candidate, aliases=aliases)
    context = {
        "customer": customer,
        "policy": policy,
        "problem": policy_problem(customer, policy),
        "form": form,
        "aliases": aliases,
        "preview": preview,
        "notes": notes,
        "pending_number": policy.shared_mobile_number and not policy.shared_mobile_verified,
        "consumer_message": None if customer.is_business else CONSUMER_MODES_MESSAGE,
        "save_label": SAVE,
        "preview_label": PREVIEW,
        "resend_label": RESEND,
    }
    return render(request, "senders/policy.html", context)
