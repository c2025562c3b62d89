"""The users of a customer, for operators (R-U3–U7): «Nuovo Utente», «Modifica Utente» and the
invitation sent again."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from centrex.accounts.access import access_user, require_operator
from centrex.accounts.actions import (
    UserData,
    create_user,
    mfa_enabled,
    resend_invitation,
    reset_mfa,
    update_user,
)
from centrex.accounts.models import User
from centrex.backoffice.forms.customers import EditUserForm, NewUserForm, show_domain_error
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pages import page_for, posted
from centrex.customers.access import access_customer
from centrex.customers.models import Customer, Extension

EXTENSION_SUGGESTIONS = 500


def _extension_choices(customer: Customer, user: User | None = None) -> list[str]:
    """The customer's free extensions, plus the one the user has now (R-U5): the first
    EXTENSION_SUGGESTIONS in number order are suggested, any other is typed."""
    available = Q(user__isnull=True)
    if user is not None and user.extension_id is not None:
        available |= Q(pk=user.extension_id)
    return list(
        Extension.objects.in_number_order()
        .filter(available, customer=customer)
        .values_list("number", flat=True)[:EXTENSION_SUGGESTIONS]
    )


@require_http_methods(["GET", "POST"])
@page_for(require_operator)
def user_create(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Nuovo Utente of a customer: without a password an invitation e-mail goes out."""
    customer = access_customer(operator, pk)
    form = NewUserForm(posted(request), extension_choices=_extension_choices(customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = create_user(
                customer,
                UserData(
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    language=data["language"],
                    extension=data["extension"] or None,
                ),
                acting_user=operator,
                password=data["password"] or None,
            )
        except DomainError as error:
            show_domain_error(error, form)
        else:
            if data["password"]:
                messages.success(request, _("User %(email)s created.") % {"email": user.email})
            else:
                messages.success(
                    request,
                    _("User %(email)s created: an invitation to set the password was sent.")
                    % {"email": user.email},
                )
            return redirect("backoffice:customer_detail", pk=customer.pk)
    return render(request, "backoffice/user_form.html", {"customer": customer, "form": form})


@require_http_methods(["GET", "POST"])
@page_for(require_operator)
def user_edit(request: HttpRequest, operator: User, pk: int, user_pk: int) -> HttpResponse:
    """Modifica Utente of a customer's user: role, extension, active (R-U4, R-U7)."""
    customer = access_customer(operator, pk)
    user = access_user(operator, user_pk, customer=customer)
    initial = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "language": user.language,
        "is_active": user.is_active,
        "extension": user.extension.number if user.extension else "",
    }
    form = EditUserForm(
        posted(request), initial=initial, extension_choices=_extension_choices(customer, user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_user(
                user,
                acting_user=operator,
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                language=data["language"],
                extension=data["extension"] or None,
                is_active=data["is_active"],
            )
        except DomainError as error:
            if error.code == ErrorCode.LAST_ADMIN and data["role"] == user.role:
                form.add_error("is_active", str(error.message))  # R-U7: it was the deactivation
            else:
                show_domain_error(error, form)
        else:
            messages.success(request, _("User %(email)s saved.") % {"email": data["email"]})
            return redirect("backoffice:customer_detail", pk=customer.pk)
    context = {
        "customer": customer,
        "form": form,
        "edited": user,
        "edited_two_step": mfa_enabled(user),
    }
    return render(request, "backoffice/user_form.html", context)


@require_POST
@page_for(require_operator)
def user_resend_invitation(
    request: HttpRequest, operator: User, pk: int, user_pk: int
) -> HttpResponse:
    """Send the invitation e-mail again to a user who has not set a password yet."""
    customer = access_customer(operator, pk)
    user = access_user(operator, user_pk, customer=customer)
    try:
        resend_invitation(user, acting_user=operator)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": user.email})
    return redirect("backoffice:user_edit", pk=customer.pk, user_pk=user.pk)


@require_POST
@page_for(require_operator)
def user_reset_two_step(
    request: HttpRequest, operator: User, pk: int, user_pk: int
) -> HttpResponse:
    """Reset a customer user's two-step verification — an admin who lost their phone and
    recovery codes (R-Z3, audited)."""
    customer = access_customer(operator, pk)
    user = access_user(operator, user_pk, customer=customer)
    reset_mfa(user, acting_user=operator, ip_address=client_address(request))
    messages.success(
        request,
        _("Two-step verification of %(name)s is reset: they set it up again if it is required.")
        % {"name": user.full_name or user.email},
    )
    return redirect("backoffice:user_edit", pk=customer.pk, user_pk=user.pk)
