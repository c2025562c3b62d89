"""Pages of SMS sender aliases (manual §2–3, R-A1–A12, R-B1).

Customer area: the Communicator section, its Alias list with the «campo stato», «aggiungi» with
the live check while typing, «invia richiesta» with the AGCOM authorisation, cancel / withdraw /
delete, and the page «Regole sull'utilizzo dei mittenti SMS». Back office: the alias queue, the
review of one alias with its decisions, the editable word lists and the alias audit trail with
its CSV export. Thin views: parse a form, fetch through the access helpers, call one action,
render (STYLE 3, 4).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.aliases.access import access_alias, require_alias_admin
from centrex.aliases.actions import (
    AliasEventAction,
    add_generic_word,
    add_reserved_name,
    approve_alias,
    check_alias_text,
    create_alias,
    delete_alias,
    reject_alias,
    remove_generic_word,
    remove_reserved_name,
    retry_registration,
    revoke_alias,
    set_extended_charset,
    submit_alias,
)
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_language, consent_wording
from centrex.aliases.forms import (
    TEXT_INPUT_MAX,
    AliasAuditFilterForm,
    AliasForm,
    AliasQueueFilterForm,
    AliasSettingsForm,
    ConsentForm,
    GenericWordForm,
    ReasonForm,
    ReservedNameForm,
    show_domain_error,
)
from centrex.aliases.models import (
    AliasEvent,
    AliasSettings,
    AliasStatus,
    GenericWord,
    RegistryState,
    ReservedName,
    SenderAlias,
)
from centrex.aliases.relatedness import relatedness
from centrex.aliases.rules import ALIAS_SYMBOLS, EXTENDED_SYMBOLS
from centrex.aliases.sla import business_calendar, business_hours_left, is_overdue
from centrex.aliases.templatetags.alias_dates import weekday_datetime
from centrex.core.addresses import client_address
from centrex.core.csv_export import csv_download, spreadsheet_safe
from centrex.core.errors import DomainError, ErrorCode, NotFound
from centrex.core.pages import refusal_page
from centrex.customers.models import Customer

ALIASES_PER_PAGE = 50
QUEUE_PER_PAGE = 50
EVENTS_PER_PAGE = 50

View = Callable[..., HttpResponseBase]


def _page_language() -> str:
    """Hand-written pages (the rules) exist in Italian and English."""
    language = translation.get_language() or "it"
    return "en" if language.startswith("en") else "it"


def _refusal(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The 404 page for "not there / not yours" (R-C3); R-A3's explanation for a consumer
    customer; the 403 page for a role too low."""
    if error.code == ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED:
        return render(request, "aliases/consumer.html", {"error": error}, status=403)
    return refusal_page(request, error)


def alias_admin_page(view: View) -> View:
    """Communicator > Alias pages: an admin of a business customer (R-A3); plain users and
    operators get 403, a consumer customer the explanation, another customer's alias 404.
    The view receives the acting admin."""

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            admin = require_alias_admin(request.user)
            return view(request, admin, *args, **kwargs)
        except DomainError as error:
            return _refusal(request, error)

    return login_required(page)


def operator_page(view: View) -> View:
    """Back-office alias pages (R-B1): operators only; anonymous → login, anyone else → 403,
    an alias that does not exist → 404. The view receives the operator."""

    @wraps(view)
    def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            operator = require_operator(request.user)
            return view(request, operator, *args, **kwargs)
        except DomainError as error:
            return _refusal(request, error)

    return page


def _posted(request: HttpRequest) -> QueryDict | None:
    """A form's data: the POST, even an empty one (it shows "required"), or None on GET."""
    return request.POST if request.method == "POST" else None


def _page(request: HttpRequest, queryset: QuerySet[Any], per_page: int) -> Page[Any]:
    """One page of a list: a COUNT and one query for the rows, whatever the page size."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _filters_without_page(request: HttpRequest) -> str:
    filters = request.GET.copy()
    filters.pop("page", None)
    return filters.urlencode()


def _display_zone() -> str:
    """Due times are shown on the provider's calendar (Europe/Rome, R-A8)."""
    return business_calendar().time_zone


# --- Communicator section (customer area) ------------------------------------------------


@login_required
@require_GET
def communicator(request: HttpRequest) -> HttpResponse:
    """The Communicator section: the user's own Communicator state (R-U6) and its menu —
    Alias for the admins (manual §2), the rules page for everyone (R-A12)."""
    user: User = request.user  # type: ignore[assignment]
    if user.is_operator:
        return redirect("aliases:queue")
    counts: dict[str, int] = {}
    if user.is_customer_admin and user.customer is not None and user.customer.is_business:
        counts = dict(
            SenderAlias.objects.visible_to(user)
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    summary = [
        (status.label, counts[status.value]) for status in AliasStatus if counts.get(status.value)
    ]
    return render(request, "aliases/communicator.html", {"account": user, "summary": summary})


@login_required
@require_GET
def alias_list(request: HttpRequest) -> HttpResponse:
    """Communicator > Alias (manual §2): each alias with its «campo stato» — the outcome due
    time while it waits (R-A8), the reason when rejected or revoked — and «aggiungi». A
    consumer customer's admin reads why aliases are not available instead (R-A3)."""
    try:
        admin = require_alias_admin(request.user)
    except DomainError as error:
        if error.code == ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED:
            return render(request, "aliases/consumer.html", {"error": error})
        return _refusal(request, error)
    aliases = SenderAlias.objects.visible_to(admin).order_by("text", "id")
    context = {"page": _page(request, aliases, ALIASES_PER_PAGE), "zone": _display_zone()}
    return render(request, "aliases/alias_list.html", context)


@alias_admin_page
@require_http_methods(["GET", "POST"])
def alias_create(request: HttpRequest, admin: User) -> HttpResponse:
    """«aggiungi»: the alias with its live check; «Salva» creates it as a draft (R-A6)."""
    form = AliasForm(_posted(request), check_url=reverse("aliases:alias_check"))
    if request.method == "POST" and form.is_valid():
        assert admin.customer is not None
        try:
            alias = create_alias(
                admin.customer,
                form.cleaned_data["text"],
                acting_user=admin,
                ip_address=client_address(request),
            )
        except DomainError as error:
            show_domain_error(error, form)
        else:
            messages.success(
                request,
                _(
                    "Alias “%(alias)s” saved as a draft. Press “send request” to ask for its "
                    "validation."
                )
                % {"alias": alias.text},
            )
            return redirect("aliases:alias_list")
    context = {"form": form, "customer": admin.customer}
    return render(request, "aliases/alias_form.html", context)


@require_POST
@alias_admin_page
def alias_check(request: HttpRequest, admin: User) -> HttpResponse:
    """The live check while typing (htmx, no side effect): every rule the text breaks, with
    what to change (R-A1–A4b), or ✓; and how much it looks like the company's names (R-A5)."""
    text = request.POST.get("text", "")[:TEXT_INPUT_MAX]
    assert admin.customer is not None
    check = check_alias_text(admin.customer, text) if text else None
    context = {"check": check, "percent": round(check.relatedness * 100) if check else 0}
    return render(request, "aliases/_alias_check.html", context)


@alias_admin_page
@require_http_methods(["GET", "POST"])
def alias_submit(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    """«invia richiesta» (R-A7): the AGCOM authorisation, word for word in the admin's
    language; with the box ticked the alias waits for validation, due in 8 business hours."""
    alias = access_alias(admin, pk)
    if not alias.can_move_to(AliasStatus.PENDING):
        messages.error(
            request,
            _("The request for “%(alias)s” cannot be sent: it is %(status)s.")
            % {"alias": alias.text, "status": alias.get_status_display()},
        )
        return redirect("aliases:alias_list")
    language = consent_language(translation.get_language())
    initial = {"wording_version": CURRENT_CONSENT_VERSION}
    form = ConsentForm(_posted(request), initial=initial)
    stale_wording = False
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["wording_version"] != CURRENT_CONSENT_VERSION:
            # The text changed while the page was open: the admin reads the new one and
            # ticks the box again under it.
            stale_wording = True
            form = ConsentForm(initial=initial)
        else:
            try:
                alias = submit_alias(
                    alias,
                    consent=form.cleaned_data["consent"],
                    acting_user=admin,
                    ip_address=client_address(request),
                    language=language,
                )
            except DomainError as error:
                show_domain_error(error, form)
            else:
                messages.success(request, _submitted_message(alias))
                return redirect("aliases:alias_list")
    context = {
        "alias": alias,
        "form": form,
        "wording": consent_wording(language),
        "wording_language": language,
        "wording_version": CURRENT_CONSENT_VERSION,
        "stale_wording": stale_wording,
        "customer": admin.customer,
    }
    return render(request, "aliases/alias_submit.html", context)


def _submitted_message(alias: SenderAlias) -> str:
    if alias.due_at is None:
        return _("Request sent for “%(alias)s”.") % {"alias": alias.text}
    return _("Request sent for “%(alias)s”: the outcome is due by %(when)s.") % {
        "alias": alias.text,
        "when": weekday_datetime(alias.due_at, _display_zone()),
    }


@require_POST
@alias_admin_page
def alias_delete(request: HttpRequest, admin: User, pk: int) -> HttpResponse:
    """Cancel a pending request (back to draft), withdraw a validated alias, delete a draft or
    rejected one (R-A6; API.md DELETE /aliases/{id}). Other moves are refused with the reason."""
    alias = access_alias(admin, pk)
    before, text = alias.status, alias.text
    try:
        delete_alias(alias, acting_user=admin, ip_address=client_address(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        if before == AliasStatus.PENDING:
            done = _("Request for “%(alias)s” cancelled: the alias is a draft again.")
        elif before == AliasStatus.VALIDATED:
            done = _("Alias “%(alias)s” withdrawn: it can no longer be used as an SMS sender.")
        else:
            done = _("Alias “%(alias)s” deleted.")
        messages.success(request, done % {"alias": text})
    return redirect("aliases:alias_list")


@require_GET
def alias_rules(request: HttpRequest) -> HttpResponse:
    """«Regole sull'utilizzo dei mittenti SMS» (R-A12): the rules R-A1–A7 in the reader's
    language, citing Delibere 42/13/CIR and 12/23/CIR. Public: it is linked from e-mails."""
    context = {
        "symbols": " ".join(ALIAS_SYMBOLS),
        "extended_symbols": " ".join(EXTENDED_SYMBOLS),
        # Read without creating the settings row: this page is public.
        "extended_charset": bool(
            AliasSettings.objects.filter(pk=1).values_list("extended_charset", flat=True).first()
        ),
    }
    return render(request, f"aliases/rules_{_page_language()}.html", context)


# --- Back office: queue and review (R-A8, R-A9, R-B1) ------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One alias of the queue with where it stands against its due time (R-A8)."""

    alias: SenderAlias
    overdue: bool
    hours_left: float | None

    @classmethod
    def of(cls, alias: SenderAlias, now: datetime) -> QueueRow:
        return cls(alias, is_overdue(alias, now), business_hours_left(alias, now))

    @property
    def due_within(self) -> int | None:
        """Whole business hours left, rounded up ("due within 3 business hours")."""
        if self.overdue or self.hours_left is None:
            return None
        return max(1, math.ceil(self.hours_left))

    @property
    def late_by(self) -> int:
        """Whole business hours past the due time (0 when overdue only outside business
        hours, or not overdue)."""
        if not self.overdue or self.hours_left is None:
            return 0
        return max(0, math.ceil(-self.hours_left))


def _labelled(events: Iterable[AliasEvent]) -> list[AliasEvent]:
    """The events with `from_label` / `to_label`: the status words the people involved read
    (bozza, in attesa di validazione, …) rather than the stored values."""
    labels = dict(AliasStatus.choices)
    actions = dict(AliasEventAction.choices)
    rows = list(events)
    for event in rows:
        event.action_label = actions.get(event.action, event.action)  # type: ignore[attr-defined]
        event.from_label = labels.get(event.from_status, event.from_status)  # type: ignore[attr-defined]
        event.to_label = labels.get(event.to_status, event.to_status)  # type: ignore[attr-defined]
    return rows


def _customers_of(operator: User, rows: QuerySet[Any]) -> list[tuple[int, str]]:
    """The customers `rows` (aliases, alias events) belong to, for the filters."""
    return list(
        Customer.objects.visible_to(operator)
        .filter(pk__in=rows.values("customer_id"))
        .order_by("name", "pk")
        .values_list("pk", "name")
    )


@require_GET
@operator_page
def alias_queue(request: HttpRequest, operator: User) -> HttpResponse:
    """The alias queue: pending requests first, earliest due first, overdue ones highlighted
    with the business hours left (R-A8); then the others, latest change first. Filters by
    status and customer."""
    customers = _customers_of(operator, SenderAlias.objects.visible_to(operator))
    form = AliasQueueFilterForm(request.GET or None, customers=customers)
    aliases = (
        SenderAlias.objects.visible_to(operator)
        .filter(**form.lookups())
        .select_related("customer", "requested_by")
        .annotate(
            waiting=Case(
                When(status=AliasStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            waiting_due=Case(When(status=AliasStatus.PENDING, then=F("due_at"))),
            waiting_since=Case(When(status=AliasStatus.PENDING, then=F("id"))),
        )
        .order_by(
            "waiting",
            F("waiting_due").asc(nulls_last=True),
            F("waiting_since").asc(nulls_last=True),
            "-updated_at",
            "-id",
        )
    )
    page = _page(request, aliases, QUEUE_PER_PAGE)
    now = timezone.now()
    rows = [QueueRow.of(alias, now) for alias in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filters": _filters_without_page(request),
        "zone": _display_zone(),
    }
    return render(request, "aliases/backoffice/queue.html", context)


def _review_page(
    request: HttpRequest,
    operator: User,
    alias: SenderAlias,
    *,
    reject_form: ReasonForm | None = None,
    revoke_form: ReasonForm | None = None,
) -> HttpResponse:
    """One alias for the operator: the customer's R-C2 data, the relatedness hint (R-A5), the
    history (R-A6), the authorisations (R-A7), the registry (R-A9) and the decisions."""
    customer = alias.customer
    hint = relatedness(alias.text, customer.name, customer.brands or [])
    context = {
        "alias": alias,
        "customer": customer,
        "hint": hint,
        "hint_percent": round(hint.score * 100),
        "events": _labelled(alias.events.order_by("created_at", "id")),
        "consents": alias.consents.order_by("-given_at", "-id"),
        "sla": QueueRow.of(alias, timezone.now()),
        "zone": _display_zone(),
        "reject_form": reject_form or ReasonForm(prefix="reject"),
        "revoke_form": revoke_form or ReasonForm(prefix="revoke"),
        "can_retry": alias.status == AliasStatus.PENDING and alias.approved_at is not None,
    }
    return render(request, "aliases/backoffice/review.html", context)


@require_GET
@operator_page
def alias_review(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    return _review_page(request, operator, access_alias(operator, pk))


def _approval_message(request: HttpRequest, alias: SenderAlias) -> None:
    """What the approval did (R-A9): validated once the registry accepted it, else pending."""
    if alias.status == AliasStatus.VALIDATED:
        messages.success(
            request,
            _("“%(alias)s” is validated: registered with AGCOM, the customer is told by e-mail.")
            % {"alias": alias.text},
        )
    elif alias.registry_state == RegistryState.FAILED:
        messages.warning(
            request,
            _(
                "Approval of “%(alias)s” recorded, but the AGCOM registry did not accept it yet "
                "(%(error)s). It stays pending and is retried automatically."
            )
            % {"alias": alias.text, "error": alias.registry_error or "—"},
        )
    else:
        messages.info(
            request,
            _("Approval of “%(alias)s” recorded: the AGCOM registration is in progress.")
            % {"alias": alias.text},
        )


@require_POST
@operator_page
def alias_approve(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Approve a pending request: registered with AGCOM, then validated (R-A9, R-A10)."""
    alias = access_alias(operator, pk)
    try:
        alias = approve_alias(alias, acting_user=operator, ip_address=client_address(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        _approval_message(request, alias)
    return redirect("aliases:review", pk=pk)


@require_POST
@operator_page
def alias_retry(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Ask the registry again now for an approved alias it has not accepted yet (R-A9)."""
    alias = access_alias(operator, pk)
    try:
        alias = retry_registration(alias, acting_user=operator, ip_address=client_address(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        _approval_message(request, alias)
    return redirect("aliases:review", pk=pk)


def _decision_with_reason(
    request: HttpRequest,
    operator: User,
    pk: int,
    *,
    prefix: str,
    decide: Callable[..., SenderAlias],
    done: str,
) -> HttpResponse:
    """Reject or revoke with the reason the customer will read (R-A6, R-A10)."""
    alias = access_alias(operator, pk)
    form = ReasonForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            alias = decide(
                alias,
                form.cleaned_data["reason"],
                acting_user=operator,
                ip_address=client_address(request),
            )
        except DomainError as error:
            if error.code != ErrorCode.INVALID_TRANSITION:
                show_domain_error(error, form)
                return _review_page(request, operator, alias, **{f"{prefix}_form": form})
            messages.error(request, str(error.message))
        else:
            messages.success(request, done % {"alias": alias.text})
        return redirect("aliases:review", pk=pk)
    return _review_page(request, operator, alias, **{f"{prefix}_form": form})


@require_POST
@operator_page
def alias_reject(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    return _decision_with_reason(
        request,
        operator,
        pk,
        prefix="reject",
        decide=reject_alias,
        done=_("“%(alias)s” is rejected: the customer is told the reason by e-mail."),
    )


@require_POST
@operator_page
def alias_revoke(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    return _decision_with_reason(
        request,
        operator,
        pk,
        prefix="revoke",
        decide=revoke_alias,
        done=_(
            "“%(alias)s” is revoked: it can no longer be used, and the customer is told "
            "the reason by e-mail."
        ),
    )


# --- Back office: word lists and settings (R-A1, R-A4b) ----------------------------------


def _lists_page(request: HttpRequest, status: int = 200, **bound: Any) -> HttpResponse:
    context = {
        "reserved_names": ReservedName.objects.order_by("name"),
        "generic_words": GenericWord.objects.order_by("word"),
        "reserved_form": bound.get("reserved_form") or ReservedNameForm(prefix="reserved"),
        "generic_form": bound.get("generic_form") or GenericWordForm(prefix="generic"),
        "settings_form": bound.get("settings_form")
        or AliasSettingsForm(
            prefix="settings",
            initial={"extended_charset": AliasSettings.current().extended_charset},
        ),
        "extended_symbols": " ".join(EXTENDED_SYMBOLS),
    }
    return render(request, "aliases/backoffice/lists.html", context, status=status)


@require_GET
@operator_page
def alias_lists(request: HttpRequest, operator: User) -> HttpResponse:
    """The reserved names and generic words (R-A4b) and the character-set setting (R-A1)."""
    return _lists_page(request)


@require_POST
@operator_page
def reserved_name_add(request: HttpRequest, operator: User) -> HttpResponse:
    form = ReservedNameForm(request.POST, prefix="reserved")
    if form.is_valid():
        try:
            entry = add_reserved_name(form.cleaned_data["name"], acting_user=operator)
        except DomainError as error:
            show_domain_error(error, form, fields={"name": "name"})
        else:
            messages.success(
                request, _("“%(name)s” added to the reserved names.") % {"name": entry}
            )
            return redirect("aliases:lists")
    return _lists_page(request, reserved_form=form)


@require_POST
@operator_page
def reserved_name_remove(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    entry = ReservedName.objects.filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    remove_reserved_name(entry, acting_user=operator)
    messages.success(
        request, _("“%(name)s” removed from the reserved names.") % {"name": entry.name}
    )
    return redirect("aliases:lists")


@require_POST
@operator_page
def generic_word_add(request: HttpRequest, operator: User) -> HttpResponse:
    form = GenericWordForm(request.POST, prefix="generic")
    if form.is_valid():
        try:
            entry = add_generic_word(form.cleaned_data["word"], acting_user=operator)
        except DomainError as error:
            show_domain_error(error, form, fields={"name": "word"})
        else:
            messages.success(request, _("“%(word)s” added to the generic words.") % {"word": entry})
            return redirect("aliases:lists")
    return _lists_page(request, generic_form=form)


@require_POST
@operator_page
def generic_word_remove(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    entry = GenericWord.objects.filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    remove_generic_word(entry, acting_user=operator)
    messages.success(
        request, _("“%(word)s” removed from the generic words.") % {"word": entry.word}
    )
    return redirect("aliases:lists")


@require_POST
@operator_page
def alias_settings(request: HttpRequest, operator: User) -> HttpResponse:
    form = AliasSettingsForm(request.POST, prefix="settings")
    if form.is_valid():
        set_extended_charset(form.cleaned_data["extended_charset"], acting_user=operator)
        if form.cleaned_data["extended_charset"]:
            messages.success(request, _("Aliases may now use the extended character set."))
        else:
            messages.success(request, _("Aliases may now use only the basic character set."))
        return redirect("aliases:lists")
    return _lists_page(request, settings_form=form)


# --- Back office: alias audit trail (R-B1) -----------------------------------------------


def _alias_events(operator: User, form: AliasAuditFilterForm) -> QuerySet[AliasEvent]:
    return (
        AliasEvent.objects.visible_to(operator)
        .filter(form.filters())
        .select_related("customer")
        .order_by("-created_at", "-id")
    )


@require_GET
@operator_page
def alias_audit(request: HttpRequest, operator: User) -> HttpResponse:
    """Every alias decision and authorisation (R-A6, R-A7, R-B1): who, when, from, to, why,
    from which address; searchable, paginated, exportable with the same filters."""
    customers = _customers_of(operator, AliasEvent.objects.visible_to(operator))
    form = AliasAuditFilterForm(request.GET or None, customers=customers)
    page = _page(request, _alias_events(operator, form), EVENTS_PER_PAGE)
    page.object_list = _labelled(page.object_list)
    context = {"form": form, "page": page, "filters": _filters_without_page(request)}
    return render(request, "aliases/backoffice/audit.html", context)


AUDIT_CSV_COLUMNS = (
    "created_at",
    "customer_id",
    "customer",
    "alias_id",
    "alias",
    "action",
    "from_status",
    "to_status",
    "reason",
    "actor_email",
    "actor_is_operator",
    "ip_address",
    "data",
)


def _audit_csv_rows(events: QuerySet[AliasEvent]) -> Iterator[list[str]]:
    yield list(AUDIT_CSV_COLUMNS)
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.created_at).isoformat(),
            str(event.customer_id),
            spreadsheet_safe(event.customer.name),
            "" if event.alias_id is None else str(event.alias_id),
            spreadsheet_safe(event.alias_text),
            spreadsheet_safe(event.action),
            spreadsheet_safe(event.from_status),
            spreadsheet_safe(event.to_status),
            spreadsheet_safe(event.reason),
            spreadsheet_safe(event.actor_email),
            "1" if event.actor_is_operator else "0",
            event.ip_address or "",
            spreadsheet_safe(json.dumps(event.data, ensure_ascii=False, sort_keys=True)),
        ]


@require_GET
@operator_page
def alias_audit_export(request: HttpRequest, operator: User) -> HttpResponseBase:
    """The alias audit trail as CSV with the page's filters; invalid filters go back to the
    page, which says what to correct."""
    customers = _customers_of(operator, AliasEvent.objects.visible_to(operator))
    form = AliasAuditFilterForm(request.GET or None, customers=customers)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('aliases:audit')}?{request.GET.urlencode()}")
    return csv_download(_audit_csv_rows(_alias_events(operator, form)), "registro-alias")
