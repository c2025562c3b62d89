"""Interni IP Centrex of a customer (R-U1): the list in number order, one number, a range, a
CSV import, and removing a free extension."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.backoffice.forms.customers import (
    ExtensionCsvForm,
    ExtensionNumberForm,
    ExtensionRangeForm,
    show_domain_error,
)
from centrex.core.errors import DomainError
from centrex.core.pages import one_page, page_for
from centrex.customers.access import access_customer, access_extension
from centrex.customers.actions import (
    parse_extension_numbers,
    parse_extension_range,
    parse_extensions_csv,
    provision_extensions,
    remove_extension,
)
from centrex.customers.models import Customer, Extension

EXTENSIONS_PER_PAGE = 50


def _extensions_page(
    request: HttpRequest, operator: User, customer: Customer, status: int = 200, **bound: Any
) -> HttpResponse:
    extensions = (
        Extension.objects.in_number_order()
        .visible_to(operator)
        .filter(customer=customer)
        .select_related("user")
    )
    context = {
        "customer": customer,
        "page": one_page(request, extensions, EXTENSIONS_PER_PAGE),
        "number_form": bound.get("number_form") or ExtensionNumberForm(prefix="one"),
        "range_form": bound.get("range_form") or ExtensionRangeForm(prefix="range"),
        "csv_form": bound.get("csv_form") or ExtensionCsvForm(prefix="csv"),
    }
    return render(request, "backoffice/extensions.html", context, status=status)


@require_GET
@page_for(require_operator)
def extension_list(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Interni IP Centrex of a customer, in numeric order, with the user of each."""
    return _extensions_page(request, operator, access_customer(operator, pk))


def _provisioned(
    request: HttpRequest,
    operator: User,
    customer: Customer,
    requested: Iterable[str | tuple[str, str]],
) -> HttpResponse:
    """Create what does not exist yet; tell how many were created and skipped."""
    wanted = list(requested)
    distinct = len({item if isinstance(item, str) else item[0] for item in wanted})
    created = provision_extensions(customer, wanted, acting_user=operator)
    skipped = distinct - created
    messages.success(
        request,
        ngettext("%(created)d extension created", "%(created)d extensions created", created)
        % {"created": created}
        + ", "
        + ngettext(
            "%(skipped)d skipped because it exists already",
            "%(skipped)d skipped because they exist already",
            skipped,
        )
        % {"skipped": skipped}
        + ".",
    )
    return redirect("backoffice:extension_list", pk=customer.pk)


@require_POST
@page_for(require_operator)
def extension_add(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Add one extension number, with an optional label."""
    customer = access_customer(operator, pk)
    form = ExtensionNumberForm(request.POST, prefix="one")
    if form.is_valid():
        try:
            numbers = parse_extension_numbers([form.cleaned_data["number"]])
            return _provisioned(
                request, operator, customer, [(numbers[0], form.cleaned_data["label"])]
            )
        except DomainError as error:
            show_domain_error(error, form, default_field="number")
    return _extensions_page(request, operator, customer, number_form=form)


@require_POST
@page_for(require_operator)
def extension_add_range(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Add a range such as 201-240."""
    customer = access_customer(operator, pk)
    form = ExtensionRangeForm(request.POST, prefix="range")
    if form.is_valid():
        try:
            return _provisioned(
                request, operator, customer, parse_extension_range(form.cleaned_data["range"])
            )
        except DomainError as error:
            show_domain_error(error, form, default_field="range")
    return _extensions_page(request, operator, customer, range_form=form)


@require_POST
@page_for(require_operator)
def extension_import(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Add the extensions of a CSV file (number[,label] per line). One bad line refuses the
    whole file, each bad line named."""
    customer = access_customer(operator, pk)
    form = ExtensionCsvForm(request.POST, request.FILES, prefix="csv")
    if form.is_valid():
        text = form.text()
        if form.is_valid():
            try:
                return _provisioned(request, operator, customer, parse_extensions_csv(text))
            except DomainError as error:
                show_domain_error(error, form, default_field="file")
    return _extensions_page(request, operator, customer, csv_form=form)


@require_POST
@page_for(require_operator)
def extension_remove(
    request: HttpRequest, operator: User, pk: int, extension_pk: int
) -> HttpResponse:
    """Remove a free extension; one associated with a user is refused with the reason."""
    customer = access_customer(operator, pk)
    extension = access_extension(operator, extension_pk, customer=customer)
    try:
        remove_extension(extension, acting_user=operator)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Extension %(number)s removed.") % {"number": extension.number})
    target = reverse("backoffice:extension_list", kwargs={"pk": customer.pk})
    page = request.POST.get("page", "")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)
