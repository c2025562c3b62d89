"""Registering an approved alias with the AGCOM registry and retrying it (R-A9). The
registry is called with no transaction open and no row locked; the outcome is applied afterwards
only if nothing else registered or decided the alias meanwhile."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from centrex.accounts.models import User
from centrex.aliases import emails
from centrex.aliases.actions.transitions import fresh_alias, lock_alias, record_event
from centrex.aliases.models import AliasEventAction, AliasStatus, RegistryState, SenderAlias
from centrex.aliases.registry import RegistryError, registration_document, registry_adapter
from centrex.aliases.tasks import register_alias, schedule
from centrex.core.errors import NotFound

logger = logging.getLogger(__name__)

# R-A9: waits before the automatic retries of a failed registration: 1, 5, 15, 60 minutes,
# then every hour until `CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS` attempts were made.
REGISTRY_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)


def attempt_scheduled_registration(alias_id: int, attempt: int) -> None:
    """The worker's automatic retry (R-A9): nothing if the alias was registered, decided or
    deleted meanwhile, or if another attempt happened since this one was scheduled."""
    try:
        attempt_registration(alias_id, actor=None, expected_attempts=attempt)
    except NotFound:
        logger.info("registration of alias %s not retried: it no longer exists", alias_id)


def registry_retry_delay(attempts_made: int) -> timedelta:
    """How long to wait before the next automatic attempt after `attempts_made` attempts."""
    index = min(max(attempts_made, 1), len(REGISTRY_RETRY_DELAYS)) - 1
    return REGISTRY_RETRY_DELAYS[index]


def awaiting_registration(alias: SenderAlias) -> bool:
    return (
        alias.status == AliasStatus.PENDING
        and alias.approved_at is not None
        and alias.registry_state != RegistryState.ACCEPTED
    )


def attempt_registration(
    alias_id: int,
    *,
    actor: User | None,
    ip_address: str | None = None,
    expected_attempts: int | None = None,
) -> SenderAlias:
    """Send an approved alias to the registry and record the outcome. The registry is called
    with no transaction open and no row locked: a slow registry holds nobody up, and the
    outcome is applied afterwards only if nothing else registered or decided the alias."""
    alias = fresh_alias(alias_id)
    if not awaiting_registration(alias):
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
        locked = lock_alias(alias)
        if not awaiting_registration(locked):
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
            record_event(
                locked,
                AliasEventAction.REGISTRY_ACCEPTED,
                actor=actor,
                ip_address=ip_address,
                data={"attempt": attempt, "reference": reference},
            )
            record_event(
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
        record_event(
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
            schedule_registration_retry(locked.pk, attempt, run_after=retry_at)
    return locked


def _next_retry(attempts_made: int, failure: RegistryError) -> datetime | None:
    """When to retry automatically, or None: refusals are not retried, and retries stop after
    `CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS` attempts (operators can still retry)."""
    if not failure.transient or attempts_made >= settings.CENTREX_ALIAS_REGISTRY_MAX_ATTEMPTS:
        return None
    return timezone.now() + registry_retry_delay(attempts_made)


def schedule_registration_retry(
    alias_id: int, attempts_made: int, *, run_after: datetime | None = None
) -> None:
    when = run_after or timezone.now() + registry_retry_delay(attempts_made)
    transaction.on_commit(lambda: schedule(register_alias, when, alias_id, attempts_made))
