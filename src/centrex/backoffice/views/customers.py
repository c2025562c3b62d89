"""Clienti (R-C1–C3): the list with its search, «Nuovo cliente» with the first administrator,
one customer's data, users and extensions at a glance, its changes and its activation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centrex.accounts.access import require_operator
from centrex.accounts.actions import UserData
from centrex.accounts.models import Role, User
from centrex.backoffice.actions import change_customer, onboard_customer
from centrex.backoffice.forms.customers import (
    CustomerForm,
    CustomerSearchForm,
    FirstAdminForm,
    show_domain_error,
)
from centrex.core.errors import DomainError
from centrex.core.pages import filters_without_page, one_page, page_for, posted
from centrex.customers.access import access_customer
from centrex.customers.models import Customer, Extension

CUSTOMERS_PER_PAGE = 25
USERS_PER_PAGE = 50


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """A per-customer count as a subquery (no join fan-out, one query for the whole page)."""
    counted = queryset.order_by().values("customer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@require_GET
@page_for(require_operator)
def customer_list(request: HttpRequest, operator: User) -> HttpResponse:
    """Clienti: search by ragione sociale, partita IVA, codice fiscale or e-mail; paginated."""
    form = CustomerSearchForm(request.GET)
    customers = Customer.objects.visible_to(operator).annotate(
        user_count=_count_of(User.objects.filter(customer=OuterRef("pk"))),
        extension_count=_count_of(Extension.objects.filter(customer=OuterRef("pk"))),
    )
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if query:
        digits = query.upper().removeprefix("IT") if query.upper().startswith("IT") else query
        customers = customers.filter(
            Q(name__icontains=query)
            | Q(vat_number__icontains=digits)
            | Q(tax_code__icontains=query)
            | Q(email__icontains=query)
            | Q(pec__icontains=query)
        )
    context = {
        "form": form,
        "query": query,
        "page": one_page(request, customers, CUSTOMERS_PER_PAGE),
        "filters": filters_without_page(request),
    }
    return render(request, "backoffice/customer_list.html", context)


@require_http_methods(["GET", "POST"])
@page_for(require_operator)
def customer_create(request: HttpRequest, operator: User) -> HttpResponse:
    """Nuovo cliente with every R-C2 field and its first administrator, both or neither
    (R-C1, R-U3); without a password the administrator gets an invitation e-mail."""
    customer_form = CustomerForm(posted(request))
    admin_form = FirstAdminForm(posted(request), prefix="admin")
    both_valid = all([customer_form.is_valid(), admin_form.is_valid()])  # errors of both
    if request.method == "POST" and both_valid:
        admin = admin_form.cleaned_data
        try:
            customer, _admin = onboard_customer(
                customer_form.to_data(),
                UserData(
                    email=admin["email"],
                    first_name=admin["first_name"],
                    last_name=admin["last_name"],
                    role=Role.ADMIN,
                ),
                admin_password=admin["password"] or None,
                acting_user=operator,
            )
        except DomainError as error:
            show_domain_error(error, customer_form, admin_form)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("backoffice:customer_detail", pk=customer.pk)
    context = {"customer_form": customer_form, "admin_form": admin_form}
    return render(request, "backoffice/customer_form.html", context)


@require_GET
@page_for(require_operator)
def customer_detail(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """A customer's data (R-C2), its users (R-U2) and its extensions at a glance."""
    customer = access_customer(operator, pk)
    users = (
        User.objects.visible_to(operator)
        .customer_users()
        .filter(customer=customer)
        .select_related("extension")
    )
    extensions = (
        Extension.objects.visible_to(operator)
        .filter(customer=customer)
        .aggregate(total=Count("pk"), used=Count("user"))
    )
    context = {
        "customer": customer,
        "page": one_page(request, users, USERS_PER_PAGE),
        "extensions": extensions,
        "free_extensions": extensions["total"] - extensions["used"],
    }
    return render(request, "backoffice/customer_detail.html", context)


@require_http_methods(["GET", "POST"])
@page_for(require_operator)
def customer_edit(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Modifica cliente: the same checks as on creation (R-C1, R-C2)."""
    customer = access_customer(operator, pk)
    form = CustomerForm(posted(request), initial=CustomerForm.initial_for(customer))
    if request.method == "POST" and form.is_valid():
        try:
            change_customer(customer, dict(form.to_data().__dict__), acting_user=operator)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            messages.success(request, _("Customer data saved."))
            return redirect("backoffice:customer_detail", pk=customer.pk)
    return render(request, "backoffice/customer_edit.html", {"customer": customer, "form": form})


@require_POST
@page_for(require_operator)
def customer_set_active(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Activate or deactivate a customer: its users cannot log in while it is inactive."""
    customer = access_customer(operator, pk)
    active = request.POST.get("active") == "1"
    change_customer(customer, {}, is_active=active, acting_user=operator)
    if active:
        messages.success(request, _("Customer %(name)s is active.") % {"name": customer.name})
    else:
        messages.warning(
            request,
            _("Customer %(name)s is deactivated: its users can no longer log in.")
            % {"name": customer.name},
        )
    return redirect("backoffice:customer_detail", pk=customer.pk)
