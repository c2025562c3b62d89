"""Whether a user's Communicator is online — a device registered now (R-V6, API.md
`communicator_online`). The registrar's app, `communicator`, stands above accounts: it hands
its two answers here at start-up (`CommunicatorConfig.ready`), so accounts never imports it.
Without it, nobody is online."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import BooleanField, Value

from centrex.accounts.models import User, UserQuerySet

Annotation = Callable[[UserQuerySet], UserQuerySet]
Check = Callable[[User], bool]
ANNOTATION = "communicator_online"

_annotate: Annotation | None = None
_check: Check | None = None


def answer_online_with(annotate: Annotation, check: Check) -> None:
    """`annotate` adds a boolean `communicator_online` to a users queryset (one query for a
    list); `check` answers for one user."""
    global _annotate, _check
    _annotate, _check = annotate, check


def with_communicator_online(users: UserQuerySet) -> UserQuerySet:
    if _annotate is None:
        return users.annotate(**{ANNOTATION: Value(False, output_field=BooleanField())})
    return _annotate(users)


def is_communicator_online(user: User) -> bool:
    annotated = getattr(user, ANNOTATION, None)
    if annotated is not None:
        return bool(annotated)
    return _check(user) if _check is not None else False
