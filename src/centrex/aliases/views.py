"""Pages of SMS sender aliases in the customer area (manual §2–3, R-A1–A12): the Communicator
section, its Alias list with the «campo stato», «aggiungi» with the live check while typing,
«invia richiesta» with the AGCOM authorisation, cancel / withdraw / delete, and the page «Regole
sull'utilizzo dei mittenti SMS». The operators' alias pages are in the back office
(`centrex.backoffice.views.aliases`, `wordlists`, `audit`). Thin views: parse a form, fetch
through the access helpers, call one action, render (STYLE 3, 4).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from centrex.accounts.access import is_business_admin, is_operator, require_signed_in
from centrex.accounts.models import User
from centrex.aliases.access import access_alias, require_alias_admin
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.actions.lifecycle import create_alias, delete_alias, submit_alias
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_language, consent_wording
from centrex.aliases.forms import (
    TEXT_INPUT_MAX,
    AliasFilterForm,
    AliasForm,
    ConsentForm,
    show_domain_error,
)
from centrex.aliases.models import AliasSettings, AliasStatus, SenderAlias
from centrex.aliases.rules import ALIAS_SYMBOLS, EXTENDED_SYMBOLS
from centrex.aliases.sla import display_zone
from centrex.aliases.templatetags.alias_dates import weekday_datetime
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pages import (
    Refusal,
    one_page,
    page_for,
    refusal_page,
    wants_fragment,
)
from centrex.customers.models import Customer

ALIASES_PER_PAGE = 50


def _page_language() -> str:
    """Hand-written pages (the rules) exist in Italian and English."""
    language = translation.get_language() or "it"
    return "en" if language.startswith("en") else "it"


def _explaining_r_a3(status: int) -> Refusal:
    """The refusal of an alias page: R-A3's explanation for a consumer customer's user, with
    `status`; otherwise the 404 page for "not there / not yours" (R-C3) and the 403 page for
    a role too low."""

    def refusal(request: HttpRequest, error: DomainError) -> HttpResponseBase:
        if error.code == ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED:
            return render(request, "aliases/consumer.html", {"error": error}, status=status)
        return refusal_page(request, error)

    return refusal


# Communicator > Alias itself answers a consumer with the explanation (it is what the section
# has for them); its forms and actions refuse them with it (403).
explained_to_a_consumer = _explaining_r_a3(200)
refused_to_a_consumer = _explaining_r_a3(403)


# --- Communicator section (customer area) ------------------------------------------------


@page_for(require_signed_in)
@require_GET
def communicator(request: HttpRequest, user: User) -> HttpResponse:
    """The Communicator section: the user's own Communicator state (R-U6) and its menu —
    Alias for the admins (manual §2), the rules page for everyone (R-A12)."""
    if is_operator(user):
        return redirect("backoffice:alias_queue")
    counts: dict[str, int] = {}
    if is_business_admin(user):
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


@page_for(require_alias_admin, refusal=explained_to_a_consumer)
@require_GET
def alias_list(request: HttpRequest, admin: User) -> HttpResponse:
    """Communicator > Alias (manual §2): each alias with its «campo stato» — the outcome due
    time while it waits (R-A8), the reason when rejected or revoked — and «Aggiungi»;
    searched by text and filtered by status (htmx swaps the table while typing), paginated.
    A consumer customer's admin reads why aliases are not available instead (R-A3)."""
    filters = AliasFilterForm(request.GET)
    text, status = filters.search_text(), filters.wanted_status()
    aliases = SenderAlias.objects.visible_to(admin).order_by("text", "id")
    if text:
        aliases = aliases.filter(text__icontains=text)
    if status:
        aliases = aliases.filter(status=status)
    context = {
        "filters": filters,
        "q": text,
        "status": status,
        "page": one_page(request, aliases, ALIASES_PER_PAGE),
        "zone": display_zone(),
    }
    template = "aliases/_alias_table.html" if wants_fragment(request) else "aliases/alias_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@page_for(require_alias_admin, refusal=refused_to_a_consumer)
@require_http_methods(["GET", "POST"])
def alias_create(request: HttpRequest, admin: User) -> HttpResponse:
    """«aggiungi»: the alias with its live check; «Salva» creates it as a draft (R-A6)."""
    data = request.POST if request.method == "POST" else None  # an empty POST shows "required"
    form = AliasForm(data, check_url=reverse("aliases:alias_check"))
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
                    "Alias “%(alias)s” saved as a draft. Press “Send request” to ask for its "
                    "validation."
                )
                % {"alias": alias.text},
            )
            return redirect("aliases:alias_list")
    context = {"form": form, "alias_examples": alias_examples(admin.customer)}
    return render(request, "aliases/alias_form.html", context)


def alias_examples(customer: Customer | None) -> list[str]:
    """The company's name and brands that pass the rules themselves, as the examples of the
    manual's first condition (issue 14: an example that the check refuses misleads)."""
    if customer is None:
        return []
    names = dict.fromkeys([customer.name, *(customer.brands or [])])
    return [name for name in names if check_alias_text(customer, name).valid]


@require_POST
@page_for(require_alias_admin, refusal=refused_to_a_consumer)
def alias_check(request: HttpRequest, admin: User) -> HttpResponse:
    """The live check while typing (htmx, no side effect): every rule the text breaks, with
    what to change (R-A1–A4b), or ✓; and how much it looks like the company's names (R-A5)."""
    text = request.POST.get("text", "")[:TEXT_INPUT_MAX]
    assert admin.customer is not None
    check = check_alias_text(admin.customer, text) if text else None
    context = {"check": check, "percent": round(check.relatedness * 100) if check else 0}
    return render(request, "aliases/_alias_check.html", context)


@page_for(require_alias_admin, refusal=refused_to_a_consumer)
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
    form = ConsentForm(request.POST if request.method == "POST" else None, initial=initial)
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
        "when": weekday_datetime(alias.due_at, display_zone()),
    }


@require_POST
@page_for(require_alias_admin, refusal=refused_to_a_consumer)
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
