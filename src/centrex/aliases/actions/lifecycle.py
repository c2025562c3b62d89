"""The customer admin's side of an alias (manual §2–3, R-A6, R-A7): «aggiungi», «invia
richiesta» with the AGCOM authorisation, and cancel / withdraw / delete."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.accounts.models import Role, User
from centrex.aliases import emails, sla
from centrex.aliases.access import consumer_not_allowed
from centrex.aliases.actions.checking import check_alias_text, lock_name, name_conflicts
from centrex.aliases.actions.decisions import on_alias_unusable
from centrex.aliases.actions.transitions import (
    clean_ip,
    invalid_transition,
    lock_alias,
    record_event,
    require_move,
)
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_language, consent_wording
from centrex.aliases.models import AliasConsent, AliasEventAction, AliasStatus, SenderAlias
from centrex.aliases.rules import FIELD, alias_match_key
from centrex.aliases.tasks import remind_operators, schedule
from centrex.core.errors import DomainError, ErrorCode, FieldError, NotFound, PermissionDenied
from centrex.customers.models import Customer

DELETABLE_STATUSES = frozenset({AliasStatus.DRAFT, AliasStatus.REJECTED})


def create_alias(
    customer: Customer, text: str, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """The "aggiungi" of the manual: a new alias in `draft` (R-A6), after every rule was checked."""
    _require_customer_side(customer, acting_user)
    key = alias_match_key(text)
    with transaction.atomic():
        lock_name(key)
        check = check_alias_text(customer, text)
        if not check.valid:
            raise DomainError.from_errors(check.errors)
        try:
            with transaction.atomic():
                alias = SenderAlias.objects.create(
                    customer=customer,
                    text=text,
                    match_key=key,
                    status=AliasStatus.DRAFT,
                    relatedness=check.relatedness,
                    relatedness_match=(check.matched or "")[:200],
                    created_by=acting_user,
                )
        except IntegrityError:
            # The database's own R-A4 constraint: a concurrent "aggiungi" of the same name.
            raise DomainError.from_errors(
                name_conflicts(customer, text, exclude=None)
                or [FieldError(FIELD, ErrorCode.ALIAS_DUPLICATE, _DUPLICATE_FALLBACK)]
            ) from None
        record_event(
            alias,
            AliasEventAction.CREATED,
            actor=acting_user,
            to_status=AliasStatus.DRAFT,
            ip_address=ip_address,
            data={"relatedness": check.relatedness, "matched": check.matched},
        )
    return alias


def submit_alias(
    alias: SenderAlias,
    *,
    consent: bool,
    acting_user: User,
    ip_address: str | None,
    language: str,
    now: datetime | None = None,
) -> SenderAlias:
    """The "invia richiesta" of the manual: `draft` → `pending` (R-A6), with the admin's AGCOM authorisation
    recorded word for word (R-A7) and the outcome due 8 business hours later (R-A8). The rules
    are checked again (the lists may have changed, another company may have asked first);
    operators are told by e-mail."""
    _require_customer_side(alias.customer, acting_user)
    with transaction.atomic():
        locked = lock_alias(alias)
        require_move(locked, AliasStatus.PENDING)
        if not consent:  # R-A7
            raise DomainError(
                ErrorCode.CONSENT_REQUIRED,
                _(
                    "To send the request, authorise the provider to insert your company's data "
                    "into the AGCOM database: AGCOM requires it before an alias can be used."
                ),
                field="consent",
            )
        lock_name(locked.match_key)
        check = check_alias_text(locked.customer, locked.text, exclude=locked)
        if not check.valid:
            raise DomainError.from_errors(check.errors)
        moment = now or timezone.now()
        locked.status = AliasStatus.PENDING
        locked.submitted_at = moment
        locked.due_at = sla.due_at_for(moment)  # R-A8
        locked.requested_by = acting_user
        locked.reason = ""
        locked.relatedness = check.relatedness
        locked.relatedness_match = (check.matched or "")[:200]
        locked.overdue_reminder_sent_at = None
        locked.save()
        ip = clean_ip(ip_address)
        wording_language = consent_language(language)
        consent_row = AliasConsent.objects.create(
            alias=locked,
            alias_text=locked.text,
            customer=locked.customer,
            given_by=acting_user,
            given_by_email=acting_user.email,
            ip_address=ip,
            wording_version=CURRENT_CONSENT_VERSION,
            wording_language=wording_language,
            wording=consent_wording(wording_language),
        )
        record_event(
            locked,
            AliasEventAction.SUBMITTED,
            actor=acting_user,
            from_status=AliasStatus.DRAFT,
            to_status=AliasStatus.PENDING,
            ip_address=ip,
            data={"due_at": locked.due_at.isoformat(), "relatedness": check.relatedness},
        )
        record_event(
            locked,
            AliasEventAction.CONSENT_GIVEN,
            actor=acting_user,
            ip_address=ip,
            data={
                "consent_id": consent_row.pk,
                "wording_version": CURRENT_CONSENT_VERSION,
                "wording_language": wording_language,
            },
        )
        emails.send_alias_requested(locked)  # R-A8
        reminder_at = sla.reminder_at_for(moment)
        transaction.on_commit(lambda: schedule(remind_operators, reminder_at, locked.pk))
    return locked


def delete_alias(
    alias: SenderAlias, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias | None:
    """The customer's "delete" (API.md DELETE /aliases/{id}): a `draft` or `rejected` alias is
    deleted (None is returned; its history stays); a `pending` one goes back to `draft` (the
    request is cancelled, unless an operator already approved it); a `validated` one is
    `withdrawn` and stops being usable (R-A11); `revoked` and `withdrawn` cannot change."""
    _require_customer_side(alias.customer, acting_user)
    with transaction.atomic():
        locked = lock_alias(alias)
        status = locked.status
        if status in DELETABLE_STATUSES:
            record_event(
                locked,
                AliasEventAction.DELETED,
                actor=acting_user,
                from_status=status,
                ip_address=ip_address,
            )
            # The events and the consents keep their copy of the text and the customer; their
            # link to the alias becomes NULL (on_delete=SET_NULL).
            locked.delete()
            return None
        if status == AliasStatus.PENDING:
            if locked.approved_at is not None:
                raise invalid_transition(
                    _(
                        "An operator has already approved this request and it is being "
                        "registered with AGCOM: it can no longer be cancelled. Once it is "
                        "validated you can withdraw it."
                    )
                )
            return _cancel(locked, acting_user=acting_user, ip_address=ip_address)
        require_move(locked, AliasStatus.WITHDRAWN)
        locked.status = AliasStatus.WITHDRAWN
        locked.save()
        record_event(
            locked,
            AliasEventAction.WITHDRAWN,
            actor=acting_user,
            from_status=status,
            to_status=AliasStatus.WITHDRAWN,
            ip_address=ip_address,
        )
        on_alias_unusable(locked, actor=acting_user, ip_address=ip_address)  # R-A11
    return locked


def _cancel(alias: SenderAlias, *, acting_user: User, ip_address: str | None) -> SenderAlias:
    """`pending` → `draft`: the request is withdrawn before anyone decided it."""
    require_move(alias, AliasStatus.DRAFT)
    alias.status = AliasStatus.DRAFT
    alias.submitted_at = None
    alias.due_at = None
    alias.requested_by = None
    alias.overdue_reminder_sent_at = None
    alias.save()
    record_event(
        alias,
        AliasEventAction.CANCELLED,
        actor=acting_user,
        from_status=AliasStatus.PENDING,
        to_status=AliasStatus.DRAFT,
        ip_address=ip_address,
    )
    return alias


_DUPLICATE_FALLBACK = _(
    "You already have an alias with this name (case, spaces and punctuation aside). Use it, or "
    "choose another name."
)


def _require_customer_side(customer: Customer, acting_user: User) -> None:
    """Aliases are managed by the customer's own admins (and by operators); another
    customer's alias does not exist for the caller (R-C3); consumers have none (R-A3)."""
    if not acting_user.is_authenticated or not acting_user.is_active:
        raise PermissionDenied()
    if not acting_user.is_operator and acting_user.customer_id != customer.pk:
        raise NotFound()
    if not customer.is_business:
        raise consumer_not_allowed()
    if not acting_user.is_operator and acting_user.role != Role.ADMIN:
        raise PermissionDenied()
