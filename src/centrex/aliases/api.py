"""SMS sender aliases through the API (API.md "Aliases" and "Back office"; R-A1–A10, R-B1).

`router` (mounted at /aliases) is for the admins of business customers: the live check, the
list, "aggiungi", "invia richiesta" with the AGCOM authorisation, and cancel / withdraw / delete.
`backoffice_router` (mounted at /backoffice/aliases) is for operators: the queue by due time,
one alias with its history, approve, reject, revoke and "retry now" of the registration. Each
endpoint fetches through the access helpers, calls one action and shapes the answer.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from centrex.accounts.access import api_caller, authenticated_as, require_operator
from centrex.aliases.access import access_alias, require_alias_admin
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.actions.decisions import (
    approve_alias,
    reject_alias,
    retry_registration,
    revoke_alias,
)
from centrex.aliases.actions.lifecycle import create_alias, delete_alias, submit_alias
from centrex.aliases.models import AliasStatus, SenderAlias, SenderAliasQuerySet
from centrex.aliases.schemas import (
    STATUS_QUERY_DESCRIPTION,
    AliasCheckOut,
    AliasOut,
    AliasTextIn,
    BackofficeAliasDetailOut,
    BackofficeAliasOut,
    ConsentIn,
    ReasonIn,
)
from centrex.core.addresses import client_address
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.pagination import paginated

router = Router(tags=["aliases"], auth=authenticated_as(require_alias_admin))
backoffice_router = Router(tags=["backoffice"], auth=authenticated_as(require_operator))


def _in_status(aliases: SenderAliasQuerySet, status: str | None) -> SenderAliasQuerySet:
    """`?status=`: only the aliases in that state of R-A6; not given, all of them."""
    if status is not None and status not in AliasStatus.values:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Unknown status “%(status)s”: use one of %(statuses)s.")
            % {"status": status, "statuses": ", ".join(AliasStatus.values)},
            field="status",
        )
    return aliases.in_status(status)


# --- Customer admins --------------------------------------------------------------------


@router.post("/check", response=AliasCheckOut, summary="Check an alias while typing")
def post_check(request: HttpRequest, payload: AliasTextIn) -> dict[str, Any]:
    """Every rule the text breaks, each with its code and what to change (R-A1, R-A1b, R-A2,
    R-A4, R-A4b), and how much it looks like the ragione sociale or a brand (R-A5). Nothing is
    saved."""
    admin = api_caller(request)
    assert admin.customer is not None
    check = check_alias_text(admin.customer, payload.text)
    return {
        "valid": check.valid,
        "errors": [
            {"code": str(error.code), "message": str(error.message)} for error in check.errors
        ],
        "relatedness": check.relatedness,
        "matched": check.matched,
    }


@router.get("", response=list[AliasOut], summary="Communicator > Alias: the company's aliases")
@paginated
def list_aliases(
    request: HttpRequest, status: str | None = Query(None, description=STATUS_QUERY_DESCRIPTION)
) -> SenderAliasQuerySet:
    """The company's aliases with their status (R-A6); `status` keeps only those in it."""
    aliases = SenderAlias.objects.visible_to(api_caller(request))
    return _in_status(aliases, status).order_by("text", "id")


@router.post("", response={201: AliasOut}, summary="Aggiungi: a new alias, as a draft")
def post_alias(request: HttpRequest, payload: AliasTextIn) -> tuple[int, SenderAlias]:
    """A draft that breaks no rule; when it breaks several, `code` is the first in API.md's
    order and `errors` lists each (R-A1–A4b)."""
    admin = api_caller(request)
    assert admin.customer is not None
    alias = create_alias(
        admin.customer, payload.text, acting_user=admin, ip_address=client_address(request)
    )
    return 201, alias


@router.get("/{alias_id}", response=AliasOut, summary="One alias")
def get_alias(request: HttpRequest, alias_id: int) -> SenderAlias:
    return access_alias(api_caller(request), alias_id)


@router.post("/{alias_id}/submit", response=AliasOut, summary="Invia richiesta")
def post_submit(request: HttpRequest, alias_id: int, payload: ConsentIn) -> SenderAlias:
    """Asks for validation with the AGCOM authorisation (R-A7): the draft becomes `pending`,
    with the outcome due within 8 business hours (`due_at`, R-A8). Without `"consent": true`,
    422 `consent_required`; a rejected alias is not resubmitted (409 `invalid_transition`)."""
    admin = api_caller(request)
    alias = access_alias(admin, alias_id)
    return submit_alias(
        alias,
        consent=bool(payload.consent),
        acting_user=admin,
        ip_address=client_address(request),
        language=str(admin.language),
    )


@router.delete("/{alias_id}", response={204: None}, summary="Cancel, withdraw or delete")
def delete_alias_endpoint(request: HttpRequest, alias_id: int) -> tuple[int, None]:
    """A draft or rejected alias is deleted; a pending request is cancelled (back to draft);
    a validated alias is withdrawn; a revoked or withdrawn one is 409 `invalid_transition`
    (R-A6)."""
    admin = api_caller(request)
    delete_alias(
        access_alias(admin, alias_id), acting_user=admin, ip_address=client_address(request)
    )
    return 204, None


# --- Back office (operators) ------------------------------------------------------------


@backoffice_router.get(
    "", response=list[BackofficeAliasOut], summary="Alias requests, earliest due first"
)
@paginated
def list_backoffice_aliases(
    request: HttpRequest, status: str | None = Query(None, description=STATUS_QUERY_DESCRIPTION)
) -> SenderAliasQuerySet:
    """Every customer's aliases in the queue's order, the back-office page's (R-A8): those
    awaiting validation by when their outcome is due, the earliest first; then those whose
    outcome is not due, newest first. `status=pending` is the queue to work through. Each
    says whether it is overdue and how its registration stands (R-A9)."""
    aliases = SenderAlias.objects.visible_to(api_caller(request)).select_related("customer")
    return _in_status(aliases, status).in_queue_order()


def _reviewed(alias: SenderAlias) -> SenderAlias:
    """The alias as the back office answers it: with its customer in the same query."""
    return SenderAlias.objects.select_related("customer").get(pk=alias.pk)


@backoffice_router.get(
    "/{alias_id}", response=BackofficeAliasDetailOut, summary="One alias with its history"
)
def get_backoffice_alias(request: HttpRequest, alias_id: int) -> SenderAlias:
    """The alias, its customer, the relatedness hint (R-A5), the registration (R-A9), every
    step of its history (R-A6) and the authorisations given (R-A7)."""
    return _reviewed(access_alias(api_caller(request), alias_id))


@backoffice_router.post(
    "/{alias_id}/approve", response=BackofficeAliasOut, summary="Approve and register"
)
def post_approve(request: HttpRequest, alias_id: int) -> SenderAlias:
    """A pending alias is approved and sent to the AGCOM registry (R-A9): `validated` once
    the registry accepted it; if the registry failed it stays `pending` with
    `registry.state` "failed" and the error, and is retried (approving it again retries at
    once). Not pending: 409 `invalid_transition`."""
    operator = api_caller(request)
    alias = access_alias(operator, alias_id)
    return _reviewed(approve_alias(alias, acting_user=operator, ip_address=client_address(request)))


@backoffice_router.post(
    "/{alias_id}/retry", response=BackofficeAliasOut, summary="Retry the registration now"
)
def post_retry(request: HttpRequest, alias_id: int) -> SenderAlias:
    """Asks the registry again now for an approved alias whose registration failed (R-A9)."""
    operator = api_caller(request)
    alias = access_alias(operator, alias_id)
    return _reviewed(
        retry_registration(alias, acting_user=operator, ip_address=client_address(request))
    )


@backoffice_router.post("/{alias_id}/reject", response=BackofficeAliasOut, summary="Reject")
def post_reject(request: HttpRequest, alias_id: int, payload: ReasonIn) -> SenderAlias:
    """A pending alias is rejected with the reason the customer is e-mailed (R-A6, R-A10);
    a blank reason is 422 `validation_error`."""
    operator = api_caller(request)
    alias = access_alias(operator, alias_id)
    return _reviewed(
        reject_alias(
            alias, payload.reason, acting_user=operator, ip_address=client_address(request)
        )
    )


@backoffice_router.post("/{alias_id}/revoke", response=BackofficeAliasOut, summary="Revoke")
def post_revoke(request: HttpRequest, alias_id: int, payload: ReasonIn) -> SenderAlias:
    """A validated alias is revoked with the reason the customer is e-mailed (R-A6, R-A10);
    it can no longer be an SMS sender (R-A11)."""
    operator = api_caller(request)
    alias = access_alias(operator, alias_id)
    return _reviewed(
        revoke_alias(
            alias, payload.reason, acting_user=operator, ip_address=client_address(request)
        )
    )
