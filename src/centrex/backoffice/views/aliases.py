"""The operators' alias queue, the review of one alias and the decisions on it (R-A5–A10,
R-B1)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.aliases.access import access_alias
from centrex.aliases.actions.decisions import (
    approve_alias,
    reject_alias,
    retry_registration,
    revoke_alias,
)
from centrex.aliases.forms import show_domain_error
from centrex.aliases.models import AliasStatus, RegistryState, SenderAlias
from centrex.aliases.relatedness import relatedness
from centrex.aliases.sla import business_hours_left, display_zone, is_overdue
from centrex.backoffice.forms.aliases import AliasQueueFilterForm, ReasonForm
from centrex.backoffice.views.pages import customers_of
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pages import filters_without_page, one_page, page_for

QUEUE_PER_PAGE = 50


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


@require_GET
@page_for(require_operator)
def alias_queue(request: HttpRequest, operator: User) -> HttpResponse:
    """The alias queue in the order of `GET /backoffice/aliases` (`in_queue_order`): pending
    requests first, earliest due first, overdue ones highlighted with the business hours left
    (R-A8); then the others, newest first. Filters by status and customer."""
    customers = customers_of(operator, SenderAlias.objects.visible_to(operator))
    form = AliasQueueFilterForm(request.GET or None, customers=customers)
    aliases = (
        form.filtered(SenderAlias.objects.visible_to(operator))
        .select_related("customer", "requested_by")
        .in_queue_order()
    )
    page = one_page(request, aliases, QUEUE_PER_PAGE)
    now = timezone.now()
    rows = [QueueRow.of(alias, now) for alias in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filters": filters_without_page(request),
        "zone": display_zone(),
    }
    return render(request, "backoffice/aliases/queue.html", context)


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
        "events": list(alias.events.select_related("actor").order_by("created_at", "id")),
        "consents": alias.consents.order_by("-given_at", "-id"),
        "sla": QueueRow.of(alias, timezone.now()),
        "zone": display_zone(),
        "reject_form": reject_form or ReasonForm(prefix="reject"),
        "revoke_form": revoke_form or ReasonForm(prefix="revoke"),
        "can_retry": alias.status == AliasStatus.PENDING and alias.approved_at is not None,
    }
    return render(request, "backoffice/aliases/review.html", context)


@require_GET
@page_for(require_operator)
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
@page_for(require_operator)
def alias_approve(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Approve a pending request: registered with AGCOM, then validated (R-A9, R-A10)."""
    alias = access_alias(operator, pk)
    try:
        alias = approve_alias(alias, acting_user=operator, ip_address=client_address(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        _approval_message(request, alias)
    return redirect("backoffice:alias_review", pk=pk)


@require_POST
@page_for(require_operator)
def alias_retry(request: HttpRequest, operator: User, pk: int) -> HttpResponse:
    """Ask the registry again now for an approved alias it has not accepted yet (R-A9)."""
    alias = access_alias(operator, pk)
    try:
        alias = retry_registration(alias, acting_user=operator, ip_address=client_address(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        _approval_message(request, alias)
    return redirect("backoffice:alias_review", pk=pk)


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
        return redirect("backoffice:alias_review", pk=pk)
    return _review_page(request, operator, alias, **{f"{prefix}_form": form})


@require_POST
@page_for(require_operator)
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
@page_for(require_operator)
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
