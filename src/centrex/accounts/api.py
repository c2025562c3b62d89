"""Logging in, the caller (`/me`) and the customer admin's users (API.md "Authentication",
"Caller", "Users and extensions"; R-U2–U7, R-U9). Each endpoint parses, fetches through an
access helper, calls one action and shapes the answer."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Router

from centrex.accounts.access import (
    access_user,
    api_caller,
    authenticated_as,
    require_customer_admin,
)
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
from centrex.accounts.models import User, UserQuerySet
from centrex.accounts.presence import with_communicator_online
from centrex.accounts.schemas import LoginIn, MeOut, MePatch, TokenOut, UserIn, UserOut, UserPatch
from centrex.core.addresses import client_address
from centrex.core.pagination import paginated

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"])
users_router = Router(tags=["users"], auth=authenticated_as(require_customer_admin))


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
        revoke_api_token(api_caller(request), raw)
    return 204, None


# --- The caller -------------------------------------------------------------------------


@me_router.get("", response=MeOut, summary="The caller")
def get_me(request: HttpRequest) -> User:
    return api_caller(request)


@me_router.patch("", response=MeOut, summary="Change the caller's language or name")
def patch_me(request: HttpRequest, payload: MePatch) -> User:
    """Opzioni Account (R-U9): only the fields sent change."""
    return update_own_account(api_caller(request), **payload.model_dump(exclude_unset=True))


# --- Users (customer admins) ------------------------------------------------------------


def _matching(users: UserQuerySet, search: str) -> UserQuerySet:
    """Every word of `search` must appear in the first name, last name or e-mail (R-U2)."""
    for word in search.split():
        users = users.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return users


@users_router.get("", response=list[UserOut], summary="Impostazioni > Utenti")
@paginated
def list_users(request: HttpRequest, search: str = "") -> UserQuerySet:
    """The company's users with role, extension and Communicator state (R-U2)."""
    admin = api_caller(request)
    users = User.objects.visible_to(admin).customer_users().select_related("extension")
    return with_communicator_online(_matching(users, search))


@users_router.post("", response={201: UserOut}, summary="Nuovo Utente")
def post_user(request: HttpRequest, payload: UserIn) -> tuple[int, User]:
    """Creates the user and e-mails an invitation to set the password (R-U3); the extension
    must be one of the company's free ones (R-U5)."""
    admin = api_caller(request)
    assert admin.customer is not None
    user = create_user(admin.customer, UserData(**payload.model_dump()), acting_user=admin)
    return 201, user


@users_router.get("/{user_id}", response=UserOut, summary="One user")
def get_user(request: HttpRequest, user_id: int) -> User:
    return access_user(api_caller(request), user_id)


@users_router.patch("/{user_id}", response=UserOut, summary="Modifica Utente")
def patch_user(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    """Only the fields sent change; `"extension": null` dissociates it (R-U4). The last
    active admin keeps the role and stays active (R-U7)."""
    admin = api_caller(request)
    user = access_user(admin, user_id)
    return update_user(user, acting_user=admin, **payload.model_dump(exclude_unset=True))


@users_router.delete("/{user_id}", response={204: None}, summary="Deactivate a user")
def delete_user(request: HttpRequest, user_id: int) -> tuple[int, None]:
    """The account is kept for the history but can no longer log in, and its extension is
    released (R-U6); the last active admin cannot be deactivated (R-U7)."""
    admin = api_caller(request)
    deactivate_user(access_user(admin, user_id), acting_user=admin)
    return 204, None
