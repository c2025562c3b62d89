"""Logging in, the caller (`/me`) and the customer admin's users (API.md "Authentication",
"Caller", "Users and extensions"; R-U2–U7, R-U9). Each endpoint parses, fetches through an
access helper, calls one action and shapes the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security.base import AuthBase

from centrex.accounts.access import access_user, require_customer_admin
from centrex.accounts.actions import (
    UserData,
    authenticate_login,
    create_user,
    deactivate_user,
    issue_api_token,
    revoke_api_token,
    update_own_account,
    update_user,
)
from centrex.accounts.authentication import BearerTokenAuth, PortalSessionAuth
from centrex.accounts.models import User, UserQuerySet
from centrex.accounts.schemas import LoginIn, MeOut, MePatch, TokenOut, UserIn, UserOut, UserPatch
from centrex.core.addresses import client_address
from centrex.customers.api import MAX_LIMIT


class RoleBearerAuth(BearerTokenAuth):
    """A bearer token whose user must also pass `require` (which raises 403)."""

    def __init__(self, require: Callable[[Any], User]) -> None:
        super().__init__()
        self.require = require

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = super().authenticate(request, token)
        return None if user is None else self.require(user)


class RoleSessionAuth(PortalSessionAuth):
    """The browser session (with CSRF) whose user must also pass `require`."""

    def __init__(self, require: Callable[[Any], User]) -> None:
        super().__init__()
        self.require = require

    def authenticate(self, request: HttpRequest, key: Any) -> User | None:
        user = super().authenticate(request, key)
        return None if user is None else self.require(user)


# An OpenAPI security scheme is named after its class: sharing the base's name keeps one
# scheme per mechanism, so "Authorize" on the docs page covers every endpoint.
RoleBearerAuth.__name__ = BearerTokenAuth.__name__
RoleSessionAuth.__name__ = PortalSessionAuth.__name__


def authenticated_as(require: Callable[[Any], User]) -> list[AuthBase]:
    """The API's authentication for a router whose every endpoint needs a role: a caller
    without it gets 403 before the request body is even read, so a bad body never tells
    them more than "not for you"."""
    return [RoleBearerAuth(require), RoleSessionAuth(require)]


auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"])
users_router = Router(tags=["users"], auth=authenticated_as(require_customer_admin))


def _caller(request: HttpRequest) -> User:
    """The authenticated user (the API's auth has already refused anonymous callers)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _bearer_token(request: HttpRequest) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


# --- Authentication ---------------------------------------------------------------------


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenOut},
    summary="Log in: exchange e-mail and password for a bearer token",
)
def create_token(request: HttpRequest, payload: LoginIn) -> tuple[int, dict[str, Any]]:
    """Wrong credentials are 401 `invalid_credentials`; after 10 failures for one e-mail or
    50 from one address in 15 minutes, 429 `throttled` with Retry-After, even for the right
    password (API.md "Authentication")."""
    user = authenticate_login(payload.email, payload.password, ip_address=client_address(request))
    raw, token = issue_api_token(user)
    return 201, {"token": raw, "expires_at": token.expires_at, "user": user}


@auth_router.delete("/token", response={204: None}, summary="Log out: revoke this token")
def delete_token(request: HttpRequest) -> tuple[int, None]:
    """Revokes the bearer token of this request; other tokens of the user stay valid."""
    raw = _bearer_token(request)
    if raw:
        revoke_api_token(_caller(request), raw)
    return 204, None


# --- The caller -------------------------------------------------------------------------


@me_router.get("", response=MeOut, summary="The caller")
def get_me(request: HttpRequest) -> User:
    return _caller(request)


@me_router.patch("", response=MeOut, summary="Change the caller's language or name")
def patch_me(request: HttpRequest, payload: MePatch) -> User:
    """Opzioni Account (R-U9): only the fields sent change."""
    return update_own_account(_caller(request), **payload.model_dump(exclude_unset=True))


# --- Users (customer admins) ------------------------------------------------------------


def _matching(users: UserQuerySet, search: str) -> UserQuerySet:
    """Every word of `search` must appear in the first name, last name or e-mail (R-U2)."""
    for word in search.split():
        users = users.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return users


@users_router.get("", response=list[UserOut], summary="Impostazioni > Utenti")
@paginate(LimitOffsetPagination, max_limit=MAX_LIMIT)
def list_users(request: HttpRequest, search: str = "") -> UserQuerySet:
    """The company's users with role, extension and Communicator state (R-U2)."""
    admin = require_customer_admin(request.user)
    users = User.objects.visible_to(admin).customer_users().select_related("extension")
    return _matching(users, search)


@users_router.post("", response={201: UserOut}, summary="Nuovo Utente")
def post_user(request: HttpRequest, payload: UserIn) -> tuple[int, User]:
    """Creates the user and e-mails an invitation to set the password (R-U3); the extension
    must be one of the company's free ones (R-U5)."""
    admin = require_customer_admin(request.user)
    assert admin.customer is not None
    user = create_user(admin.customer, UserData(**payload.model_dump()), acting_user=admin)
    return 201, user


@users_router.get("/{user_id}", response=UserOut, summary="One user")
def get_user(request: HttpRequest, user_id: int) -> User:
    return access_user(require_customer_admin(request.user), user_id)


@users_router.patch("/{user_id}", response=UserOut, summary="Modifica Utente")
def patch_user(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    """Only the fields sent change; `"extension": null` dissociates it (R-U4). The last
    active admin keeps the role and stays active (R-U7)."""
    admin = require_customer_admin(request.user)
    user = access_user(admin, user_id)
    return update_user(user, acting_user=admin, **payload.model_dump(exclude_unset=True))


@users_router.delete("/{user_id}", response={204: None}, summary="Deactivate a user")
def delete_user(request: HttpRequest, user_id: int) -> tuple[int, None]:
    """The account is kept for the history but can no longer log in, and its extension is
    released (R-U6); the last active admin cannot be deactivated (R-U7)."""
    admin = require_customer_admin(request.user)
    deactivate_user(access_user(admin, user_id), acting_user=admin)
    return 204, None
