"""How API callers prove who they are: a bearer token, or the browser's session with CSRF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from centrex.accounts.models import ApiToken, TokenScope, User, hash_token
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.prepared import JoinedLookup, JoinedRow

# Recording every use would write on every request; once every few minutes is enough.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _adopt(request: HttpRequest, user: User) -> User:
    request.user = user
    translation.activate(user.language)
    request.LANGUAGE_CODE = user.language
    return user


def _live_token_lookup(also_select: tuple[str, ...]) -> JoinedLookup[ApiToken]:
    """A live token with its user, customer and extension (and `also_select`): every API
    request runs it, and building it with the ORM cost ten times the look-up (core.prepared)."""
    return JoinedLookup(
        ApiToken,
        where=[("token_hash", "="), ("expires_at", ">")],
        related=["user", "user__customer", "user__extension", *also_select],
    )


# R-Z3: what a token limited to setting up two-step verification may reach.
MFA_SETUP_PATHS = ("/api/v1/me", "/api/v1/auth/token")


def _serves_mfa_setup(request: HttpRequest) -> bool:
    path = request.path.rstrip("/")
    return (
        path == MFA_SETUP_PATHS[0]
        or path.startswith(MFA_SETUP_PATHS[0] + "/mfa")
        or (path == MFA_SETUP_PATHS[1] and request.method == "DELETE")
    )


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /auth/token (only its hash is stored).

    `also_select` names more relations to load in the same statement (`select_related` paths
    from the token), for a caller that will need them on every request — the SMS intake reads
    the customer's sender policy this way instead of with a statement of its own
    (`live_token(…).related[path]`)."""

    def __init__(self, *, also_select: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._live_token = _live_token_lookup(also_select)

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = self.live_token(request, token)
        return found.obj.user if found is not None else None

    def live_token(self, request: HttpRequest, token: str) -> JoinedRow[ApiToken] | None:
        """`authenticate`, answering with the token and every related row it was read with."""
        rows = self._live_token.fetch(hash_token(token), timezone.now())
        if not rows:
            return None
        found = rows[0]
        user = found.obj.user
        if not user.is_active or (user.customer is not None and not user.customer.is_active):
            return None
        if found.obj.scope == TokenScope.MFA_SETUP and not _serves_mfa_setup(request):
            raise DomainError(
                ErrorCode.MFA_SETUP_REQUIRED,
                _(
                    "Your company requires two-step verification: set it up first with "
                    "POST /api/v1/me/mfa/totp and /me/mfa/totp/confirm, then go on."
                ),
            )
        now = timezone.now()
        last_used_at = found.obj.last_used_at
        if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.obj.pk).update(last_used_at=now)
        _adopt(request, user)
        return found


class PortalSessionAuth(SessionAuth):
    """The logged-in browser session (CSRF checked on unsafe methods)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        """Without a session cookie there is no session to forge a request for: the caller is
        anonymous (401 `not_authenticated`), not refused by the CSRF check (403) — issue 13:
        the fuzz found every anonymous or stale-token write answered 403."""
        if self.param_name not in request.COOKIES:
            return None
        key: str | None = super()._get_key(request)
        return key

    def authenticate(self, request: HttpRequest, key: Any) -> User | None:
        user = request.user
        if user.is_authenticated and user.is_active:
            return _adopt(request, user)
        return None


API_AUTH = [BearerTokenAuth(), PortalSessionAuth()]
