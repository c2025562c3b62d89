"""API shapes of SMS sender aliases, for customer admins and for the back office (API.md
"Aliases", "Back office"; R-A1–A9)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import StrictBool

from centrex.aliases import sla
from centrex.aliases.models import (
    AliasConsent,
    AliasEvent,
    AliasStatus,
    RegistryState,
    SenderAlias,
)
from centrex.customers.schemas import Timestamp, enum_of

# An alias has at most 11 septets (R-A1); longer text is still answered with the rule codes
# (`alias_too_long`), but a body far beyond any alias is refused by the schema (422
# `validation_error`) so that checking it can never be slow.
MAX_TEXT_INPUT = 200
# A rejection or revocation reason is read by people: a page of text is plenty.
MAX_REASON = 2000

_STATUSES = enum_of(AliasStatus.values)

# `?status=` of the lists, as the OpenAPI document describes it (the API checks the value,
# with a translated message).
STATUS_QUERY_DESCRIPTION = "Only aliases in this state: " + ", ".join(AliasStatus.values)
_REGISTRY_STATES = enum_of([state for state in RegistryState.values if state], nullable=True)


def _or_none(value: str) -> str | None:
    """Blank text is answered as null, not as an empty string."""
    return value or None


class AliasTextIn(Schema):
    """POST /aliases and POST /aliases/check: the alias as typed (case is kept, R-A1)."""

    text: str = Field(..., max_length=MAX_TEXT_INPUT)


class ConsentIn(Schema):
    """POST /aliases/{id}/submit: the AGCOM authorisation (R-A7). Left out or false, the
    request is refused with `consent_required`."""

    consent: StrictBool | None = None


class ReasonIn(Schema):
    """POST /backoffice/aliases/{id}/reject and /revoke: the reason the customer is told
    (R-A6, R-A10); blank is refused with `validation_error`."""

    reason: str = Field(..., max_length=MAX_REASON)


class CheckErrorOut(Schema):
    """One broken rule of POST /aliases/check, with what to change."""

    code: str
    message: str


class AliasCheckOut(Schema):
    """POST /aliases/check: every rule the text breaks and the relatedness hint (R-A5)."""

    valid: bool
    errors: list[CheckErrorOut]
    relatedness: float = Field(..., ge=0.0, le=1.0)
    matched: str | None


class AliasOut(Schema):
    """An alias as its customer sees it (API.md "Aliases"). `reason` is null until an
    operator rejects or revokes it; `due_at` is when the outcome is due (R-A8)."""

    id: int
    text: str
    status: str = Field(..., json_schema_extra=_STATUSES)
    reason: str | None
    submitted_at: Timestamp | None
    due_at: Timestamp | None
    decided_at: Timestamp | None
    relatedness: float

    @staticmethod
    def resolve_reason(obj: SenderAlias) -> str | None:
        return _or_none(obj.reason)


class AliasCustomerOut(Schema):
    """The customer who asked for an alias."""

    id: int
    name: str


class RegistryOut(Schema):
    """Where the AGCOM registration of an approved alias stands (R-A9): `state` is null until
    the alias is approved; `error` is the last failure, null when there is none."""

    state: str | None = Field(..., json_schema_extra=_REGISTRY_STATES)
    error: str | None


class BackofficeAliasOut(AliasOut):
    """An alias as operators review it (R-B1): the customer, whether the outcome is overdue
    (R-A8), the registry's state (R-A9) and the name the relatedness hint matched (R-A5)."""

    customer: AliasCustomerOut
    overdue: bool
    registry: RegistryOut
    matched: str | None

    @staticmethod
    def resolve_overdue(obj: SenderAlias) -> bool:
        return sla.is_overdue(obj)

    @staticmethod
    def resolve_registry(obj: SenderAlias) -> dict[str, str | None]:
        return {"state": _or_none(obj.registry_state), "error": _or_none(obj.registry_error)}

    @staticmethod
    def resolve_matched(obj: SenderAlias) -> str | None:
        return _or_none(obj.relatedness_match)


class AliasEventOut(Schema):
    """One step of an alias's history (R-A6): who, when, from, to, reason."""

    at: Timestamp
    actor: str | None
    actor_is_operator: bool
    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None

    @staticmethod
    def resolve_at(obj: AliasEvent) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_actor(obj: AliasEvent) -> str | None:
        return _or_none(obj.actor_email)

    @staticmethod
    def resolve_from_status(obj: AliasEvent) -> str | None:
        return _or_none(obj.from_status)

    @staticmethod
    def resolve_to_status(obj: AliasEvent) -> str | None:
        return _or_none(obj.to_status)

    @staticmethod
    def resolve_reason(obj: AliasEvent) -> str | None:
        return _or_none(obj.reason)


class ConsentOut(Schema):
    """The AGCOM authorisation given for an alias (R-A7): who, when, from which address, and
    which version of the wording, in which language."""

    given_by: str
    given_at: Timestamp
    ip_address: str | None
    wording_version: str
    wording_language: str

    @staticmethod
    def resolve_given_by(obj: AliasConsent) -> str:
        return obj.given_by_email


class BackofficeAliasDetailOut(BackofficeAliasOut):
    """GET /backoffice/aliases/{id}: the alias with its history, newest first, and its
    authorisations (R-A6, R-A7)."""

    history: list[AliasEventOut]
    consents: list[ConsentOut]

    @staticmethod
    def resolve_history(obj: SenderAlias) -> list[AliasEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_consents(obj: SenderAlias) -> list[AliasConsent]:
        return list(obj.consents.all())
