"""The customer admin's pages of the customers app: Impostazioni > Interni (every IP Centrex
extension of the company and who has it, R-U1, R-U5, R-U6) and Impostazioni > Dati aziendali
(the company's AGCOM data, R-C2). Thin views: parse a form, fetch through the access helpers,
call one action, render (STYLE 3, 4).

customers stands below accounts: these views take the acting admin from the guard that
`customers.urls.admin_pages` is given where the URL map is assembled (`centrex.urls`:
`page_for(require_customer_admin)`), and reach an extension's user through the reverse
relation `Extension.user`, never importing accounts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from centrex.core.errors import DomainError
from centrex.core.pages import one_page, posted, wants_fragment
from centrex.customers.access import access_customer
from centrex.customers.actions import update_company_data
from centrex.customers.forms import CompanyDataForm, ExtensionFilterForm
from centrex.customers.models import Extension, ExtensionQuerySet

if TYPE_CHECKING:
    from centrex.accounts.models import User

EXTENSIONS_PER_PAGE = 50
SEARCH_MAX_TERMS = 5


def _search(extensions: ExtensionQuerySet, text: str) -> ExtensionQuerySet:
    """Every word must match the number, the label, or the name or e-mail of who has it."""
    for term in text.split()[:SEARCH_MAX_TERMS]:
        extensions = extensions.filter(
            Q(number__icontains=term)
            | Q(label__icontains=term)
            | Q(user__first_name__icontains=term)
            | Q(user__last_name__icontains=term)
            | Q(user__email__icontains=term)
        )
    return extensions


@require_GET
def extension_list(request: HttpRequest, admin: User) -> HttpResponse:
    """Impostazioni > Interni: the company's extensions in number order, each with who has it
    (R-U5) and their Communicator state (R-U6: active and associated), or «libero»; how many
    are taken and free; searchable and filtered by free / taken, paginated (htmx swaps the
    table while typing). Operators provision them (R-U1): nothing here changes them."""
    filters = ExtensionFilterForm(request.GET)
    text, state = filters.search_text(), filters.wanted_state()
    extensions = Extension.objects.visible_to(admin)
    counts = extensions.aggregate(total=Count("pk"), used=Count("user"))
    shown = extensions.select_related("user").in_number_order()
    if state == "free":
        shown = shown.free()
    elif state == "used":
        shown = shown.filter(user__isnull=False)
    if text:
        shown = _search(shown, text)
    context = {
        "filters": filters,
        "q": text,
        "state": state,
        "page": one_page(request, shown, EXTENSIONS_PER_PAGE),
        "total": counts["total"],
        "used": counts["used"],
        "free": counts["total"] - counts["used"],
    }
    template = (
        "customers/_extension_table.html"
        if wants_fragment(request)
        else "customers/extensions.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def company_data(request: HttpRequest, admin: User) -> HttpResponse:
    """Impostazioni > Dati aziendali: the company's data kept for AGCOM (R-C2). The admin
    changes the referente, PEC, phone and brands («Salva»); the ragione sociale, partita IVA,
    kind and sede legale are shown, and operators change them."""
    assert admin.customer_id is not None
    customer = access_customer(admin, admin.customer_id)
    form = CompanyDataForm(posted(request), initial=CompanyDataForm.initial_for(customer))
    if request.method == "POST" and form.is_valid():
        try:
            update_company_data(customer, form.changes(), acting_user=admin)
        except DomainError as error:
            form.show(error)
        else:
            messages.success(request, _("Company data saved. Your provider has been told."))
            return redirect("customers:company")
    return render(request, "customers/company_data.html", {"customer": customer, "form": form})
