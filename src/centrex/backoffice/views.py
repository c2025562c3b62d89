"""The operators' back office pages (R-B1): dashboard, customers (R-C*), their extensions
(R-U1) and users (R-U3–U7), and the Registro attività. Thin views: parse the form, fetch
through `visible_to`, call one action, render (STYLE 3, 4)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centrex.accounts.access import require_operator
from centrex.accounts.actions import (
    UserData,
    create_user,
    resend_invitation,
    update_user,
)
from centrex.accounts.models import Role, User
from centrex.backoffice.actions import change_customer, onboard_customer
from centrex.backoffice.forms import (
    AuditFilterForm,
    CustomerForm,
    CustomerSearchForm,
    EditUserForm,
    ExtensionCsvForm,
    ExtensionNumberForm,
    ExtensionRangeForm,
    FirstAdminForm,
    NewUserForm,
    show_domain_error,
)
from centrex.core.csv_export import csv_download, spreadsheet_safe
from centrex.core.errors import DomainError, ErrorCode, NotFound
from centrex.core.models import AuditEvent
from centrex.core.pages import refusal_page
from centrex.customers.actions import (
    parse_extension_numbers,
    parse_extension_range,
    parse_extensions_csv,
    provision_extensions,
    remove_extension,
)
from centrex.customers.models import Customer, Extension
from centrex.support.models import SupportQuestion

CUSTOMERS_PER_PAGE = 25
EXTENSIONS_PER_PAGE = 50
USERS_PER_PAGE = 50
AUDIT_PER_PAGE = 50
RECENT_EVENTS = 10
EXTENSION_SUGGESTIONS = 500

View = Callable[..., HttpResponseBase]


def operator_page(view: View) -> View:
    """Back office pages are for operators only: anonymous → login, anyone else → 403."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            require_operator(request.user)
            return view(request, *args, **kwargs)
        except DomainError as error:
            return refusal_page(request, error)

    return guarded


def _operator(request: HttpRequest) -> User:
    return require_operator(request.user)


def _customer(request: HttpRequest, pk: int) -> Customer:
    """A customer the operator may see; otherwise 404 (R-C3)."""
    customer = Customer.objects.visible_to(request.user).filter(pk=pk).first()
    if customer is None:
        raise NotFound()
    return customer


def _customer_user(request: HttpRequest, customer: Customer, user_pk: int) -> User:
    """A user of this customer, through the operator's visibility (R-C3)."""
    user = (
        User.objects.visible_to(request.user)
        .customer_users()
        .select_related("customer", "extension")
        .filter(customer=customer, pk=user_pk)
        .first()
    )
    if user is None:
        raise NotFound()
    return user


def _page(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page[Any]:
    """One page of a list: a COUNT and one query for the rows, whatever the page size."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _posted(request: HttpRequest) -> QueryDict | None:
    """A form's data: the POST, even an empty one (it shows "required"), or None on GET."""
    return request.POST if request.method == "POST" else None


def _filters_without_page(request: HttpRequest) -> str:
    """The list's query string for the pagination links."""
    filters = request.GET.copy()
    filters.pop("page", None)
    return filters.urlencode()


# --- Dashboard ---------------------------------------------------------------------------


@require_GET
@operator_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """Counts at a glance and the latest entries of the Registro attività (R-B1)."""
    customers = Customer.objects.visible_to(request.user).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    users = (
        User.objects.visible_to(request.user)
        .customer_users()
        .aggregate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)))
    )
    extensions = Extension.objects.visible_to(request.user).aggregate(
        total=Count("pk"), used=Count("user")
    )
    extensions["free"] = extensions["total"] - extensions["used"]
    context = {
        "customers": customers,
        "users": users,
        "extensions": extensions,
        "open_questions": SupportQuestion.objects.visible_to(request.user).open().count(),
        "events": _with_customer_names(AuditEvent.objects.all()[:RECENT_EVENTS]),
    }
    return render(request, "backoffice/dashboard.html", context)


# --- Customers ---------------------------------------------------------------------------


def _count_of(queryset: QuerySet[Any]) -> Coalesce:
    """A per-customer count as a subquery (no join fan-out, one query for the whole page)."""
    counted = queryset.order_by().values("customer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@require_GET
@operator_page
def customer_list(request: HttpRequest) -> HttpResponse:
    """Clienti: search by ragione sociale, partita IVA, codice fiscale or e-mail; paginated."""
    form = CustomerSearchForm(request.GET)
    customers = Customer.objects.visible_to(request.user).annotate(
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
        "page": _page(request, customers, CUSTOMERS_PER_PAGE),
        "filters": _filters_without_page(request),
    }
    return render(request, "backoffice/customer_list.html", context)


@require_http_methods(["GET", "POST"])
@operator_page
def customer_create(request: HttpRequest) -> HttpResponse:
    """Nuovo cliente with every R-C2 field and its first administrator, both or neither
    (R-C1, R-U3); without a password the administrator gets an invitation e-mail."""
    customer_form = CustomerForm(_posted(request))
    admin_form = FirstAdminForm(_posted(request), prefix="admin")
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
                acting_user=_operator(request),
            )
        except DomainError as error:
            show_domain_error(error, customer_form, admin_form)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("backoffice:customer_detail", pk=customer.pk)
    context = {"customer_form": customer_form, "admin_form": admin_form}
    return render(request, "backoffice/customer_form.html", context)


@require_GET
@operator_page
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer's data (R-C2), its users (R-U2) and its extensions at a glance."""
    customer = _customer(request, pk)
    users = (
        User.objects.visible_to(request.user)
        .customer_users()
        .filter(customer=customer)
        .select_related("extension")
    )
    extensions = (
        Extension.objects.visible_to(request.user)
        .filter(customer=customer)
        .aggregate(total=Count("pk"), used=Count("user"))
    )
    context = {
        "customer": customer,
        "page": _page(request, users, USERS_PER_PAGE),
        "extensions": extensions,
        "free_extensions": extensions["total"] - extensions["used"],
    }
    return render(request, "backoffice/customer_detail.html", context)


@require_http_methods(["GET", "POST"])
@operator_page
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Modifica cliente: the same checks as on creation (R-C1, R-C2)."""
    customer = _customer(request, pk)
    form = CustomerForm(_posted(request), initial=CustomerForm.initial_for(customer))
    if request.method == "POST" and form.is_valid():
        try:
            change_customer(customer, dict(form.to_data().__dict__), acting_user=_operator(request))
        except DomainError as error:
            show_domain_error(error, form)
        else:
            messages.success(request, _("Customer data saved."))
            return redirect("backoffice:customer_detail", pk=customer.pk)
    return render(request, "backoffice/customer_edit.html", {"customer": customer, "form": form})


@require_POST
@operator_page
def customer_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate or deactivate a customer: its users cannot log in while it is inactive."""
    customer = _customer(request, pk)
    active = request.POST.get("active") == "1"
    change_customer(customer, {}, is_active=active, acting_user=_operator(request))
    if active:
        messages.success(request, _("Customer %(name)s is active.") % {"name": customer.name})
    else:
        messages.warning(
            request,
            _("Customer %(name)s is deactivated: its users can no longer log in.")
            % {"name": customer.name},
        )
    return redirect("backoffice:customer_detail", pk=customer.pk)


# --- Extensions (R-U1) -------------------------------------------------------------------


def _extensions_page(
    request: HttpRequest, customer: Customer, status: int = 200, **bound: Any
) -> HttpResponse:
    extensions = (
        Extension.objects.in_number_order()
        .visible_to(request.user)
        .filter(customer=customer)
        .select_related("user")
    )
    context = {
        "customer": customer,
        "page": _page(request, extensions, EXTENSIONS_PER_PAGE),
        "number_form": bound.get("number_form") or ExtensionNumberForm(prefix="one"),
        "range_form": bound.get("range_form") or ExtensionRangeForm(prefix="range"),
        "csv_form": bound.get("csv_form") or ExtensionCsvForm(prefix="csv"),
    }
    return render(request, "backoffice/extensions.html", context, status=status)


@require_GET
@operator_page
def extension_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Interni IP Centrex of a customer, in numeric order, with the user of each."""
    return _extensions_page(request, _customer(request, pk))


def _provisioned(
    request: HttpRequest, customer: Customer, requested: Iterable[str | tuple[str, str]]
) -> HttpResponse:
    """Create what does not exist yet; tell how many were created and skipped."""
    wanted = list(requested)
    distinct = len({item if isinstance(item, str) else item[0] for item in wanted})
    created = provision_extensions(customer, wanted, acting_user=_operator(request))
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
@operator_page
def extension_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one extension number, with an optional label."""
    customer = _customer(request, pk)
    form = ExtensionNumberForm(request.POST, prefix="one")
    if form.is_valid():
        try:
            numbers = parse_extension_numbers([form.cleaned_data["number"]])
            return _provisioned(request, customer, [(numbers[0], form.cleaned_data["label"])])
        except DomainError as error:
            show_domain_error(error, form, default_field="number")
    return _extensions_page(request, customer, number_form=form)


@require_POST
@operator_page
def extension_add_range(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a range such as 201-240."""
    customer = _customer(request, pk)
    form = ExtensionRangeForm(request.POST, prefix="range")
    if form.is_valid():
        try:
            return _provisioned(
                request, customer, parse_extension_range(form.cleaned_data["range"])
            )
        except DomainError as error:
            show_domain_error(error, form, default_field="range")
    return _extensions_page(request, customer, range_form=form)


@require_POST
@operator_page
def extension_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the extensions of a CSV file (number[,label] per line). One bad line refuses the
    whole file, each bad line named."""
    customer = _customer(request, pk)
    form = ExtensionCsvForm(request.POST, request.FILES, prefix="csv")
    if form.is_valid():
        text = form.text()
        if form.is_valid():
            try:
                return _provisioned(request, customer, parse_extensions_csv(text))
            except DomainError as error:
                show_domain_error(error, form, default_field="file")
    return _extensions_page(request, customer, csv_form=form)


@require_POST
@operator_page
def extension_remove(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    """Remove a free extension; one associated with a user is refused with the reason."""
    customer = _customer(request, pk)
    extension = (
        Extension.objects.visible_to(request.user)
        .filter(customer=customer, pk=extension_pk)
        .first()
    )
    if extension is None:
        raise NotFound()
    try:
        remove_extension(extension, acting_user=_operator(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Extension %(number)s removed.") % {"number": extension.number})
    target = reverse("backoffice:extension_list", kwargs={"pk": customer.pk})
    page = request.POST.get("page", "")
    return redirect(f"{target}?page={page}" if page.isdigit() else target)


# --- Users of a customer (R-U3–U7) -------------------------------------------------------


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
@operator_page
def user_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Nuovo Utente of a customer: without a password an invitation e-mail goes out."""
    customer = _customer(request, pk)
    form = NewUserForm(_posted(request), extension_choices=_extension_choices(customer))
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
                acting_user=_operator(request),
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
@operator_page
def user_edit(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Modifica Utente of a customer's user: role, extension, active (R-U4, R-U7)."""
    customer = _customer(request, pk)
    user = _customer_user(request, customer, user_pk)
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
        _posted(request), initial=initial, extension_choices=_extension_choices(customer, user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_user(
                user,
                acting_user=_operator(request),
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
    context = {"customer": customer, "form": form, "edited": user}
    return render(request, "backoffice/user_form.html", context)


@require_POST
@operator_page
def user_resend_invitation(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """Send the invitation e-mail again to a user who has not set a password yet."""
    customer = _customer(request, pk)
    user = _customer_user(request, customer, user_pk)
    try:
        resend_invitation(user, acting_user=_operator(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Invitation sent again to %(email)s.") % {"email": user.email})
    return redirect("backoffice:user_edit", pk=customer.pk, user_pk=user.pk)


# --- Registro attività (R-B1) ------------------------------------------------------------


def _customer_names(request: HttpRequest) -> list[tuple[int, str]]:
    return list(Customer.objects.visible_to(request.user).values_list("pk", "name"))


def _with_customer_names(
    events: Iterable[AuditEvent], names: dict[int, str] | None = None
) -> list[AuditEvent]:
    """The events with `customer_name` set (AuditEvent keeps a plain customer id)."""
    rows = list(events)
    if names is None:
        ids = {event.customer_id for event in rows if event.customer_id is not None}
        names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "name"))
    for event in rows:
        event.customer_name = names.get(event.customer_id or 0, "")  # type: ignore[attr-defined]
    return rows


def _audit_events(form: AuditFilterForm) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(**form.lookups())


@require_GET
@operator_page
def audit_list(request: HttpRequest) -> HttpResponse:
    """Registro attività: every recorded change, filterable, paginated, exportable."""
    customers = _customer_names(request)
    form = AuditFilterForm(request.GET or None, customers=customers)
    page = _page(request, _audit_events(form), AUDIT_PER_PAGE)
    page.object_list = _with_customer_names(page.object_list, dict(customers))
    context = {"form": form, "page": page, "filters": _filters_without_page(request)}
    return render(request, "backoffice/audit_list.html", context)


AUDIT_CSV_COLUMNS = (
    "created_at",
    "actor_email",
    "customer_id",
    "customer",
    "action",
    "object_type",
    "object_id",
    "object",
    "from_state",
    "to_state",
    "reason",
    "ip_address",
    "data",
)


def _audit_csv_rows(events: QuerySet[AuditEvent], names: dict[int, str]) -> Iterator[list[str]]:
    yield list(AUDIT_CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at).isoformat(),
            spreadsheet_safe(event.actor_email),
            "" if event.customer_id is None else str(event.customer_id),
            spreadsheet_safe(names.get(event.customer_id or 0, "")),
            spreadsheet_safe(event.action),
            event.object_type,
            spreadsheet_safe(event.object_id),
            spreadsheet_safe(event.object_repr),
            spreadsheet_safe(event.from_state),
            spreadsheet_safe(event.to_state),
            spreadsheet_safe(event.reason),
            event.ip_address or "",
            spreadsheet_safe(json.dumps(event.data, ensure_ascii=False, sort_keys=True)),
        ]


@require_GET
@operator_page
def audit_export(request: HttpRequest) -> HttpResponseBase:
    """The Registro attività as CSV, with the page's filters (R-B1). Invalid filters go back
    to the page, which shows what to correct."""
    customers = _customer_names(request)
    form = AuditFilterForm(request.GET or None, customers=customers)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('backoffice:audit_list')}?{request.GET.urlencode()}")
    return csv_download(_audit_csv_rows(_audit_events(form), dict(customers)), "registro-attivita")
