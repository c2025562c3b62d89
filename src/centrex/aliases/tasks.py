"""Background tasks of the alias workflow: registry retries (R-A9) and the operators' reminder
before a request becomes overdue (R-A8, R-A10).

django-tasks does not retry by itself, so retries are scheduled here with `run_after`. A
backend that cannot defer (the immediate backend of the tests) gets nothing scheduled: running a
retry "later" at once would hammer a registry that just failed, and the periodic
`centrex alias_reminders` command and the operators' "retry" cover for it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django_tasks import task
from django_tasks.base import Task
from django_tasks.exceptions import InvalidTaskError

logger = logging.getLogger(__name__)


@task()
def register_alias(alias_id: int, attempt: int) -> None:
    """Retry the AGCOM registration of an approved alias (R-A9). `attempt` is the number of
    attempts already made when this retry was scheduled: if another attempt happened since
    (an operator's retry), this one is stale and does nothing."""
    from centrex.aliases.actions.registration import attempt_scheduled_registration

    attempt_scheduled_registration(alias_id, attempt)


@task()
def remind_operators(alias_id: int) -> None:
    """One business hour before a request is due, remind the operators (R-A8, R-A10); nothing
    if it was decided, cancelled or already reminded meanwhile."""
    from centrex.aliases.actions.reminders import send_overdue_reminder

    send_overdue_reminder(alias_id)


def schedule(deferred: Task[..., None], run_after: datetime, *args: object) -> bool:
    """Enqueue `deferred(*args)` to run at `run_after`; False when the task backend cannot
    defer work (then nothing is enqueued)."""
    if not deferred.get_backend().supports_defer:
        logger.info("%s not scheduled: the task backend cannot defer", deferred.name)
        return False
    try:
        deferred.using(run_after=run_after).enqueue(*args)
    except InvalidTaskError:
        logger.exception("%s could not be scheduled", deferred.name)
        return False
    return True
