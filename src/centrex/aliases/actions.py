"""Operations on SMS sender aliases: the only place that changes an alias (STYLE 2).

Every change is one transaction that locks the alias row, moves it only along
`ALLOWED_TRANSITIONS` (R-A6), and appends an AliasEvent — who, when, from, to, reason, from which
address. E-mails and tasks leave only once the transaction commits.

R-A4 (one live alias per name within a customer, and one pending or validated alias per name
across customers) is checked under a lock on the name: on PostgreSQL a transaction-scoped
advisory lock on the name's hash, on SQLite the write lock every transaction takes at BEGIN
(`transaction_mode=IMMEDIATE`). It is checked when the alias is created, again when it is
submitted, and again when an operator approves it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import require_operator
from centrex.accounts.models import Role, User
from centrex.aliases import emails, sla
from centrex.aliases.access import consumer_not_allowed
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_language, consent_wording
from centrex.aliases.models import (
    CLAIMING_STATUSES,
    LIVE_STATUSES,
    AliasConsent,
    AliasEvent,
    AliasSettings,
    AliasStatus,
    GenericWord,
    RegistryState,
    ReservedName,
    SenderAlias,
)
from centrex.aliases.registry import RegistryError, registration_document, registry_adapter
from centrex.aliases.relatedness import relatedness
from centrex.aliases.rules import FIELD, alias_match_key, check_alias
from centrex.aliases.tasks import register_alias, remind_operators, schedule
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode, FieldError, NotFound, PermissionDenied
from centrex.customers.models import Customer

logger = logging.getLogger(__name__)

# Aliases that may be deleted outright (R-A6; API.md DELETE /aliases/{id}).
DELETABLE_STATUSES = frozenset({AliasStatus.DRAFT, AliasStatus.REJECTED})
MAX_REASON_LENGTH = 2000
_MAX_LIST_ENTRY = 100
# R-A9: waits before the automatic retries of a failed registration: 1, 5, 15, 60 minutes,
# then every hour until `CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS` attempts were made.
REGISTRY_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)


class AliasEventAction(models.TextChoices):
    """What an AliasEvent records (R-A6, R-A7, R-A9, R-A10, R-A11)."""

    CREATED = "created", _("created")
    SUBMITTED = "submitted", _("validation requested")
    CONSENT_GIVEN = "consent_given", _("AGCOM authorisation given")
    CANCELLED = "cancelled", _("request cancelled")
    DELETED = "deleted", _("deleted")
    APPROVED = "approved", _("approved")
    REGISTRY_ACCEPTED = "registry_accepted", _("registered with AGCOM")
    REGISTRY_FAILED = "registry_failed", _("AGCOM registration failed")
    VALIDATED = "validated", _("validated")
    REJECTED = "rejected", _("rejected")
    REVOKED = "revoked", _("revoked")
    WITHDRAWN = "withdrawn", _("withdrawn")
    UNUSABLE = "unusable", _("no longer usable as a sender")
    OVERDUE_REMINDER = "overdue_reminder", _("operators reminded of the due time")


@dataclass
class AliasCheck:
    """The outcome of checking an alias text for a customer: whether it may be requested,
    every rule it breaks, and how much it relates to the company's names (R-A5)."""

    valid: bool
    errors: list[FieldError]
    relatedness: float
    matched: str | None


# --- Checking ---------------------------------------------------------------------------


def check_alias_text(
    customer: Customer, text: str, *, exclude: SenderAlias | None = None
) -> AliasCheck:
    """Every rule `text` breaks as an alias of `customer`, and the relatedness hint; no side
    effect (the live check of the page and of `POST /aliases/check`).

    A consumer customer gets only `alias_consumer_not_allowed` (R-A3). Otherwise: the text
    rules (R-A1, R-A1b, R-A2, R-A4b) with the current word lists and charset setting, and
    R-A4's `alias_duplicate` (the customer already has a live alias with that name) and
    `alias_taken` (another customer's alias with that name is pending or validated).
    `exclude` is the alias being re-checked itself.
    """
    if not customer.is_business:  # R-A3
        error = consumer_not_allowed()
        return AliasCheck(False, list(error.errors), 0.0, None)
    errors = check_alias(
        text,
        reserved=ReservedName.objects.values_list("name", flat=True),
        generic=GenericWord.objects.values_list("word", flat=True),
        extended_charset=_extended_charset(),
    )
    errors = [*_name_conflicts(customer, text, exclude=exclude), *errors]
    hint = relatedness(text, customer.name, customer.brands or [])  # R-A5
    return AliasCheck(not errors, errors, hint.score, hint.matched)


def _extended_charset() -> bool:
    """The operator setting of R-A1, read without creating the settings row."""
    value = AliasSettings.objects.filter(pk=1).values_list("extended_charset", flat=True).first()
    return bool(value)


def _name_conflicts(
    customer: Customer, text: str, *, exclude: SenderAlias | None
) -> list[FieldError]:
    """R-A4: the same name (ignoring case, accents, spaces and punctuation) live for this
    customer, or pending or validated for another one."""
    key = alias_match_key(text)
    if not key or len(key) > SenderAlias._meta.get_field("match_key").max_length:  # type: ignore[operator]
        return []
    same_name = SenderAlias.objects.filter(match_key=key)
    if exclude is not None:
        same_name = same_name.exclude(pk=exclude.pk)
    errors: list[FieldError] = []
    own = same_name.filter(customer=customer, status__in=LIVE_STATUSES).first()
    if own is not None:
        errors.append(
            FieldError(
                FIELD,
                ErrorCode.ALIAS_DUPLICATE,
                _(
                    "You already have the alias “%(existing)s”, which differs from this one at "
                    "most in case, accents, spaces or punctuation. Use it, or choose another name."
                )
                % {"existing": own.text},
            )
        )
    if same_name.exclude(customer=customer).filter(status__in=CLAIMING_STATUSES).exists():
        errors.append(
            FieldError(
                FIELD,
                ErrorCode.ALIAS_TAKEN,
                _(
                    "Another company has already requested or registered this alias (case, "
                    "spaces and punctuation do not make a difference, Delibera 12/23/CIR). "
                    "Choose a name of your own company or brand."
                ),
            )
        )
    return errors


# --- Customer admins: aggiungi, invia richiesta, cancel / withdraw / delete -------------


def create_alias(
    customer: Customer, text: str, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """The "aggiungi" of the manual: a new alias in `draft` (R-A6), after every rule was checked."""
    _require_customer_side(customer, acting_user)
    key = alias_match_key(text)
    with transaction.atomic():
        _lock_name(key)
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
                _name_conflicts(customer, text, exclude=None)
                or [FieldError(FIELD, ErrorCode.ALIAS_DUPLICATE, _DUPLICATE_FALLBACK)]
            ) from None
        _record(
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
        locked = _lock(alias)
        _require_move(locked, AliasStatus.PENDING)
        if not consent:  # R-A7
            raise DomainError(
                ErrorCode.CONSENT_REQUIRED,
                _(
                    "To send the request, authorise the provider to insert your company's data "
                    "into the AGCOM database: AGCOM requires it before an alias can be used."
                ),
                field="consent",
            )
        _lock_name(locked.match_key)
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
        ip = _clean_ip(ip_address)
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
        _record(
            locked,
            AliasEventAction.SUBMITTED,
            actor=acting_user,
            from_status=AliasStatus.DRAFT,
            to_status=AliasStatus.PENDING,
            ip_address=ip,
            data={"due_at": locked.due_at.isoformat(), "relatedness": check.relatedness},
        )
        _record(
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
        locked = _lock(alias)
        status = locked.status
        if status in DELETABLE_STATUSES:
            _record(
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
                raise _invalid_transition(
                    _(
                        "An operator has already approved this request and it is being "
                        "registered with AGCOM: it can no longer be cancelled. Once it is "
                        "validated you can withdraw it."
                    )
                )
            return _cancel(locked, acting_user=acting_user, ip_address=ip_address)
        _require_move(locked, AliasStatus.WITHDRAWN)
        locked.status = AliasStatus.WITHDRAWN
        locked.save()
        _record(
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
    _require_move(alias, AliasStatus.DRAFT)
    alias.status = AliasStatus.DRAFT
    alias.submitted_at = None
    alias.due_at = None
    alias.requested_by = None
    alias.overdue_reminder_sent_at = None
    alias.save()
    _record(
        alias,
        AliasEventAction.CANCELLED,
        actor=acting_user,
        from_status=AliasStatus.PENDING,
        to_status=AliasStatus.DRAFT,
        ip_address=ip_address,
    )
    return alias


# --- Operators: approve (and register), reject, revoke ----------------------------------


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
        locked = _lock(alias)
        _require_move(locked, AliasStatus.VALIDATED)
        if locked.approved_at is None:
            _lock_name(locked.match_key)
            conflicts = [
                error
                for error in _name_conflicts(locked.customer, locked.text, exclude=locked)
                if error.code == ErrorCode.ALIAS_TAKEN
            ]
            if conflicts:  # R-A4: never two companies with one name
                raise DomainError.from_errors(conflicts)
            locked.approved_at = timezone.now()
            locked.approved_by = acting_user
            locked.registry_state = RegistryState.QUEUED
            locked.registry_error = ""
            locked.save()
            _record(
                locked,
                AliasEventAction.APPROVED,
                actor=acting_user,
                ip_address=ip_address,
                data={"relatedness": locked.relatedness, "matched": locked.relatedness_match},
            )
            # If this process dies before the registry answers, the worker still registers it.
            _schedule_registration_retry(locked.pk, locked.registry_attempts)
    return _attempt_registration(locked.pk, actor=acting_user, ip_address=ip_address)


def retry_registration(
    alias: SenderAlias, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """An operator's "retry now" of an approved alias whose registration has not been
    accepted yet (R-A9)."""
    require_operator(acting_user)
    current = _fresh(alias)
    if not _awaiting_registration(current):
        raise _invalid_transition(
            _("Only an approved request whose AGCOM registration has not succeeded can be retried.")
        )
    return _attempt_registration(current.pk, actor=acting_user, ip_address=ip_address)


def attempt_scheduled_registration(alias_id: int, attempt: int) -> None:
    """The worker's automatic retry (R-A9): nothing if the alias was registered, decided or
    deleted meanwhile, or if another attempt happened since this one was scheduled."""
    try:
        _attempt_registration(alias_id, actor=None, expected_attempts=attempt)
    except NotFound:
        logger.info("registration of alias %s not retried: it no longer exists", alias_id)


def reject_alias(
    alias: SenderAlias, reason: str, *, acting_user: User, ip_address: str | None = None
) -> SenderAlias:
    """An operator rejects a `pending` request, saying why (R-A6); the customer is told by
    e-mail (R-A10). A rejected alias is never resubmitted: the customer deletes it."""
    require_operator(acting_user)
    cleaned = _clean_reason(reason)
    with transaction.atomic():
        locked = _lock(alias)
        _require_move(locked, AliasStatus.REJECTED)
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
        locked = _lock(alias)
        _require_move(locked, AliasStatus.REVOKED)
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
    _record(
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
    _record(
        alias,
        AliasEventAction(status),
        actor=acting_user,
        from_status=previous,
        to_status=status,
        reason=reason,
        ip_address=ip_address,
    )


# --- Registry (R-A9) --------------------------------------------------------------------


def registry_retry_delay(attempts_made: int) -> timedelta:
    """How long to wait before the next automatic attempt after `attempts_made` attempts."""
    index = min(max(attempts_made, 1), len(REGISTRY_RETRY_DELAYS)) - 1
    return REGISTRY_RETRY_DELAYS[index]


def _awaiting_registration(alias: SenderAlias) -> bool:
    return (
        alias.status == AliasStatus.PENDING
        and alias.approved_at is not None
        and alias.registry_state != RegistryState.ACCEPTED
    )


def _attempt_registration(
    alias_id: int,
    *,
    actor: User | None,
    ip_address: str | None = None,
    expected_attempts: int | None = None,
) -> SenderAlias:
    """Send an approved alias to the registry and record the outcome. The registry is called
    with no transaction open and no row locked: a slow registry holds nobody up, and the
    outcome is applied afterwards only if nothing else registered or decided the alias."""
    alias = _fresh_by_id(alias_id)
    if not _awaiting_registration(alias):
        return alias
    if expected_attempts is not None and alias.registry_attempts != expected_attempts:
        return alias  # a stale retry: another attempt happened since it was scheduled
    document = registration_document(alias)
    reference = ""
    failure: RegistryError | None = None
    try:
        reference = registry_adapter().register(document)
    except RegistryError as error:
        failure = error
    with transaction.atomic():
        locked = _lock(alias)
        if not _awaiting_registration(locked):
            return locked
        locked.registry_attempts += 1
        attempt = locked.registry_attempts
        now = timezone.now()
        if failure is None:
            locked.status = AliasStatus.VALIDATED
            locked.decided_at = now
            locked.decided_by = locked.approved_by
            locked.registry_state = RegistryState.ACCEPTED
            locked.registry_reference = reference[:200]
            locked.registry_error = ""
            locked.registered_at = now
            locked.save()
            _record(
                locked,
                AliasEventAction.REGISTRY_ACCEPTED,
                actor=actor,
                ip_address=ip_address,
                data={"attempt": attempt, "reference": reference},
            )
            _record(
                locked,
                AliasEventAction.VALIDATED,
                actor=locked.approved_by,
                from_status=AliasStatus.PENDING,
                to_status=AliasStatus.VALIDATED,
                data={"reference": reference},
            )
            emails.send_alias_validated(locked)  # R-A10
            return locked
        retry_at = _next_retry(attempt, failure)
        message = str(failure)
        if retry_at is None:
            message += " — " + (
                "automatic retries stopped: the registry refused the document"
                if not failure.transient
                else f"automatic retries stopped after {attempt} attempts"
            )
        locked.registry_state = RegistryState.FAILED
        locked.registry_error = message
        locked.save()
        _record(
            locked,
            AliasEventAction.REGISTRY_FAILED,
            actor=actor,
            ip_address=ip_address,
            reason=message,
            data={
                "attempt": attempt,
                "transient": failure.transient,
                "next_attempt_at": retry_at.isoformat() if retry_at else None,
            },
        )
        logger.warning(
            "registration of alias %s failed (attempt %d): %s", alias_id, attempt, failure
        )
        if retry_at is not None:
            _schedule_registration_retry(locked.pk, attempt, run_after=retry_at)
    return locked


def _next_retry(attempts_made: int, failure: RegistryError) -> datetime | None:
    """When to retry automatically, or None: refusals are not retried, and retries stop after
    `CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS` attempts (operators can still retry)."""
    if not failure.transient or attempts_made >= settings.CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS:
        return None
    return timezone.now() + registry_retry_delay(attempts_made)


def _schedule_registration_retry(
    alias_id: int, attempts_made: int, *, run_after: datetime | None = None
) -> None:
    when = run_after or timezone.now() + registry_retry_delay(attempts_made)
    transaction.on_commit(lambda: schedule(register_alias, when, alias_id, attempts_made))


# --- Reminders (R-A8, R-A10) ------------------------------------------------------------


def send_overdue_reminders(now: datetime | None = None) -> int:
    """E-mail the operators once about every pending request within one business hour of its
    due time, or past it, that they were not reminded of yet; the number of requests. Run by
    the deferred task scheduled at submission and by `centrex alias_reminders`."""
    moment = now or timezone.now()
    candidates = SenderAlias.objects.filter(
        status=AliasStatus.PENDING,
        overdue_reminder_sent_at__isnull=True,
        due_at__lte=sla.reminder_cutoff(moment),
    ).values_list("pk", flat=True)
    return sum(1 for alias_id in list(candidates) if send_overdue_reminder(alias_id, now=moment))


def send_overdue_reminder(alias_id: int, *, now: datetime | None = None) -> bool:
    """Remind the operators of one request if it is still pending, due within one business
    hour (or overdue) and not reminded yet; True when the reminder went out. Claimed with a
    conditional UPDATE, so two workers never both send it."""
    moment = now or timezone.now()
    with transaction.atomic():
        claimed = SenderAlias.objects.filter(
            pk=alias_id,
            status=AliasStatus.PENDING,
            overdue_reminder_sent_at__isnull=True,
            due_at__lte=sla.reminder_cutoff(moment),
        ).update(overdue_reminder_sent_at=moment)
        if not claimed:
            return False
        alias = SenderAlias.objects.select_related("customer").get(pk=alias_id)
        _record(
            alias,
            AliasEventAction.OVERDUE_REMINDER,
            actor=None,
            data={"due_at": alias.due_at.isoformat() if alias.due_at else None},
        )
        emails.send_alias_overdue_reminder(alias)
    return True


# --- Operators: the word lists (R-A4b) and the charset setting (R-A1) ------------------


def add_reserved_name(name: str, *, acting_user: User) -> ReservedName:
    """An operator adds a name reserved to public bodies (R-A4b). Names that differ only in
    case, accents, spaces or punctuation from one in the list are refused: they would match
    the same aliases."""
    require_operator(acting_user)
    cleaned = _clean_list_entry(name)
    with transaction.atomic():
        _refuse_listed(cleaned, ReservedName.objects.values_list("name", flat=True))
        entry = ReservedName.objects.create(name=cleaned)
        record_audit("alias.reserved_name_added", actor=acting_user, target=entry)
    return entry


def remove_reserved_name(entry: ReservedName, *, acting_user: User) -> None:
    """An operator removes a reserved name (R-A4b); aliases already validated stay as they are."""
    require_operator(acting_user)
    with transaction.atomic():
        record_audit("alias.reserved_name_removed", actor=acting_user, target=entry)
        ReservedName.objects.filter(pk=entry.pk).delete()


def add_generic_word(word: str, *, acting_user: User) -> GenericWord:
    """An operator adds a word too generic to be an alias by itself (R-A4b)."""
    require_operator(acting_user)
    cleaned = _clean_list_entry(word)
    with transaction.atomic():
        _refuse_listed(cleaned, GenericWord.objects.values_list("word", flat=True))
        entry = GenericWord.objects.create(word=cleaned)
        record_audit("alias.generic_word_added", actor=acting_user, target=entry)
    return entry


def remove_generic_word(entry: GenericWord, *, acting_user: User) -> None:
    """An operator removes a generic word (R-A4b)."""
    require_operator(acting_user)
    with transaction.atomic():
        record_audit("alias.generic_word_removed", actor=acting_user, target=entry)
        GenericWord.objects.filter(pk=entry.pk).delete()


def set_extended_charset(enabled: bool, *, acting_user: User) -> AliasSettings:
    """An operator widens (or narrows again) R-A1's character set with + * / = < > ( ) @ _ # &.
    Aliases already requested keep their text; new checks use the setting at once."""
    require_operator(acting_user)
    with transaction.atomic():
        row, _created = AliasSettings.objects.select_for_update().get_or_create(pk=1)
        previous = row.extended_charset
        row.extended_charset = bool(enabled)
        row.save()
        record_audit(
            "alias.settings_changed",
            actor=acting_user,
            target=row,
            data={"extended_charset": {"from": previous, "to": row.extended_charset}},
        )
    return row


def _clean_list_entry(value: str) -> str:
    cleaned = " ".join(value.split()) if isinstance(value, str) else ""
    if not alias_match_key(cleaned):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Enter a name or word with at least one letter or digit."),
            field="name",
        )
    if len(cleaned) > _MAX_LIST_ENTRY:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Shorten it to at most %(count)d characters.") % {"count": _MAX_LIST_ENTRY},
            field="name",
        )
    return cleaned


def _refuse_listed(value: str, listed: Any) -> None:
    key = alias_match_key(value)
    existing = next((entry for entry in listed if alias_match_key(entry) == key), None)
    if existing is not None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("“%(existing)s” is already in the list, which ignores case, accents and spaces.")
            % {"existing": existing},
            field="name",
        )


# --- Shared pieces ----------------------------------------------------------------------

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


def _lock(alias: SenderAlias) -> SenderAlias:
    """The alias row, locked until the transaction ends, as it is now."""
    try:
        return (
            SenderAlias.objects.select_for_update(of=("self",))
            .select_related("customer", "approved_by")
            .get(pk=alias.pk)
        )
    except SenderAlias.DoesNotExist:
        raise NotFound() from None


def _fresh(alias: SenderAlias) -> SenderAlias:
    return _fresh_by_id(alias.pk)


def _fresh_by_id(alias_id: int) -> SenderAlias:
    try:
        return SenderAlias.objects.select_related("customer", "approved_by").get(pk=alias_id)
    except SenderAlias.DoesNotExist:
        raise NotFound() from None


def _lock_name(match_key: str) -> None:
    """R-A4: serialise, until the transaction ends, everything that claims the name
    `match_key`. PostgreSQL: an advisory lock on the name's hash (two names sharing a hash
    only wait for each other). SQLite: every transaction already holds the database's write
    lock from BEGIN (`transaction_mode=IMMEDIATE`), so claims are serialised anyway."""
    if connection.vendor != "postgresql" or not match_key:
        return
    digest = hashlib.sha256(f"centrex.alias:{match_key}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _require_move(alias: SenderAlias, status: str) -> None:
    """R-A6: only the moves of ALLOWED_TRANSITIONS."""
    if not alias.can_move_to(status):
        raise _invalid_transition(
            _("An alias that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": AliasStatus(alias.status).label,
                "target": AliasStatus(status).label,
            }
        )


def _invalid_transition(message: Any) -> DomainError:
    return DomainError(ErrorCode.INVALID_TRANSITION, message, field="status")


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


def _clean_ip(ip_address: str | None) -> str | None:
    """An IP address as the database stores it; None for anything that is not one."""
    if not ip_address:
        return None
    try:
        return str(ipaddress.ip_address(ip_address.strip()))
    except ValueError:
        return None


def _record(
    alias: SenderAlias,
    action: AliasEventAction,
    *,
    actor: User | None,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    ip_address: str | None = None,
    data: dict[str, Any] | None = None,
) -> AliasEvent:
    """Append one event to the alias history (R-A6)."""
    real_actor = actor if actor is not None and actor.is_authenticated else None
    return AliasEvent.objects.create(
        alias=alias,
        alias_text=alias.text,
        customer_id=alias.customer_id,
        actor=real_actor,
        actor_email=real_actor.email if real_actor is not None else "",
        actor_is_operator=bool(real_actor is not None and real_actor.is_operator),
        action=action.value,
        from_status=str(from_status),
        to_status=str(to_status),
        reason=reason,
        ip_address=_clean_ip(ip_address),
        data=data or {},
    )
