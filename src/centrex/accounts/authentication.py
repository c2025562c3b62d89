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


# Every API request runs this look-up: compiled once (core.prepared), it costs a tenth.
_LIVE_TOKEN = PreparedQuery(
    lambda token_hash, now: ApiToken.objects.select_related(
        "user", "user__customer", "user__extension"
    ).filter(token_hash=token_hash, expires_at__gt=now),
    token_hash="\x00token-hash-sentinel\x00",
    now=SENTINEL_TIME,
)


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /auth/token (only its hash is stored)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        rows = _LIVE_TOKEN.fetch(token_hash=hash_token(token), now=timezone.now())
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
