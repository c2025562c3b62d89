"""How API callers prove who they are: a bearer token, or the browser's session with CSRF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from ninja.security import HttpBearer, SessionAuth

from centrex.accounts.models import ApiToken, User, hash_token
from centrex.core.prepared import SENTINEL_TIME, PreparedQuery

# Recording every use would write on every request; once every few minutes is enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _adopt(request: HttpRequest, user: User) -> User:
    request.user = user
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    return user


def _live_token_query(also_select: tuple[str, ...]) -> PreparedQuery[ApiToken]:
    """A live token with its user, customer and extension (and `also_select`), compiled once
    (core.prepared): every API request runs it, and compiling cost ten times the look-up."""
    return PreparedQuery(
        lambda token_hash, now: ApiToken.objects.select_related(
            "user", "user__customer", "user__extension", *also_select
        ).filter(token_hash=token_hash, expires_at__gt=now),
        token_hash="\x00token-hash-sentinel\x00",
        now=SENTINEL_TIME,
    )


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /auth/token (only its hash is stored).

    `also_select` names more relations to load in the same statement (`select_related` paths
    from the token), for a caller that will need them on every request — the SMS intake reads
    the customer's sender policy this way instead of with a statement of its own."""

    def __init__(self, *, also_select: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._live_token = _live_token_query(also_select)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        rows = self._live_token.fetch(token_hash=hash_token(token), now=timezone.now())
        if not rows:
            return None
        found = rows[0]
        user = found.user
        if not user.is_active or (user.customer is not None and not user.customer.is_active):
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        return _adopt(request, user)


class PortalSessionAuth(SessionAuth):
    """The logged-in browser session (CSRF checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: Any) -> User | None:
        user = request.user
        if user.is_authenticated and user.is_active:
            return _adopt(request, user)
        return None


API_AUTH = [BearerTokenAuth(), PortalSessionAuth()]
