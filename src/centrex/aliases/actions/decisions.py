"""The operators' decisions on an alias (R-A6, R-A9–A11): approve (and register with AGCOM),
retry the registration now, reject, revoke; and what follows when a validated alias stops being
usable."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.aliases import emails
from centrex.aliases.actions.checking import lock_name, name_conflicts
from centrex.aliases.actions.registration import (
    attempt_registration,
    awaiting_registration,
    schedule_registration_retry,
)
from centrex.aliases.actions.transitions import (
    fresh_alias,
    invalid_transition,
    lock_alias,
    record_event,
    require_move,
)
from centrex.aliases.models import AliasEventAction, AliasStatus, RegistryState, SenderAlias
from centrex.core.errors import DomainError, ErrorCode

MAX_REASON_LENGTH = 2000


def approve_alias(
    alias: SenderAlias, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """An operator approves a `pending` request (R-A9). The approval is recorded and committed
    first, so a registry outage can never lose it; then the alias and the customer's data are
    sent to the AGCOM registry. Accepted: `validated`, and the customer is told (R-A10).
    Failed: still `pending`, with the registry error shown to operators and a retry scheduled.
    Approving again an alias whose registration failed retries the registration. Call it
    outside any transaction (as the pages and the API do): the approval must really be
    committed before the registry is called, and no lock may be held while it answers."""
    require_operator(acting_user)
    with transaction.atomic():
        locked = lock_alias(alias)
        require_move(locked, AliasStatus.VALIDATED)
        if locked.approved_at is None:
            lock_name(locked.match_key)
            conflicts = [
                error
                for error in name_conflicts(locked.customer, locked.text, exclude=locked)
                if error.code == ErrorCode.ALIAS_TAKEN
            ]
            if conflicts:  # R-A4: never two companies with one name
                raise DomainError.from_errors(conflicts)
            locked.approved_at = timezone.now()
            locked.approved_by = acting_user
            locked.registry_state = RegistryState.QUEUED
            locked.registry_error = ""
            locked.save()
            record_event(
                locked,
                AliasEventAction.APPROVED,
                actor=acting_user,
                ip_address=ip_address,
                data={"relatedness": locked.relatedness, "matched": locked.relatedness_match},
            )
            # If this process dies before the registry answers, the worker still registers it.
            schedule_registration_retry(locked.pk, locked.registry_attempts)
    return attempt_registration(locked.pk, actor=acting_user, ip_address=ip_address)


def retry_registration(
    alias: SenderAlias, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """An operator's "retry now" of an approved alias whose registration has not been
    accepted yet (R-A9)."""
    require_operator(acting_user)
    current = fresh_alias(alias.pk)
    if not awaiting_registration(current):
        raise invalid_transition(
            _("Only an approved request whose AGCOM registration has not succeeded can be retried.")
        )
    return attempt_registration(current.pk, actor=acting_user, ip_address=ip_address)


def reject_alias(
    alias: SenderAlias, reason: str, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """An operator rejects a `pending` request, saying why (R-A6); the customer is told by
    e-mail (R-A10). A rejected alias is never resubmitted: the customer deletes it."""
    require_operator(acting_user)
    cleaned = _clean_reason(reason)
    with transaction.atomic():
        locked = lock_alias(alias)
        require_move(locked, AliasStatus.REJECTED)
        _decide(locked, AliasStatus.REJECTED, cleaned, acting_user, ip_address)
        emails.send_alias_rejected(locked)
    return locked


def revoke_alias(
    alias: SenderAlias, reason: str, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """An operator revokes a `validated` alias, saying why (R-A6): it stops being usable at
    once (R-A11) and the customer is told by e-mail (R-A10)."""
    require_operator(acting_user)
    cleaned = _clean_reason(reason)
    with transaction.atomic():
        locked = lock_alias(alias)
        require_move(locked, AliasStatus.REVOKED)
        _decide(locked, AliasStatus.REVOKED, cleaned, acting_user, ip_address)
        on_alias_unusable(locked, actor=acting_user, ip_address=ip_address)  # R-A11
        emails.send_alias_revoked(locked)
    return locked


# R-A11: sent with `alias=` inside the transaction that moved a validated alias to revoked or
# withdrawn. A signal, because the apps that use aliases (sms) stand above this one.
alias_became_unusable = Signal()


def on_alias_unusable(
    alias: SenderAlias, *, actor: User | None = None, ip_address: str | None = None
) -> None:
    """R-A11: `alias` has just left `validated` (revoked or withdrawn), inside the transaction
    that moved it.

    Sender resolution only ever offers `SenderAlias.objects.usable()`, so from this commit on
    nobody can pick the alias for a new SMS. This function is the one place where whatever
    still refers to the alias learns about it: the alias history records the moment, and
    `alias_became_unusable` tells the apps above this one (the SMS queue fails its queued
    messages that use the alias with `alias_not_validated`), in this same transaction.
    """
    alias_became_unusable.send(sender=SenderAlias, alias=alias)
    record_event(
        alias,
        AliasEventAction.UNUSABLE,
        actor=actor,
        ip_address=ip_address,
        data={"status": alias.status},
    )


def _decide(
    alias: SenderAlias, status: str, reason: str, acting_user: User, ip_address: str | None
) -> None:
    previous = alias.status
    alias.status = status
    alias.reason = reason
    alias.decided_at = timezone.now()
    alias.decided_by = acting_user
    alias.save()
    record_event(
        alias,
        AliasEventAction(status),
        actor=acting_user,
        from_status=previous,
        to_status=status,
        reason=reason,
        ip_address=ip_address,
    )


def _clean_reason(reason: str) -> str:
    cleaned = (reason or "").strip() if isinstance(reason, str) else ""
    if not cleaned:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Give the reason: the customer receives it by e-mail."),
            field="reason",
        )
    if len(cleaned) > MAX_REASON_LENGTH:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Shorten the reason to at most %(count)d characters.") % {"count": MAX_REASON_LENGTH},
            field="reason",
        )
    return cleaned
