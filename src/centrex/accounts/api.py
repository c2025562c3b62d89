"""Logging in, the caller (`/me`) and the customer admin's users (API.md "Authentication",
"Caller", "Users and extensions"; R-U2–U7, R-U9). Each endpoint parses, fetches through an
access helper, calls one action and shapes the answer."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import HttpRequest
from ninja import Router

from centrex.accounts.access import (
    access_own_api_token,
    access_user,
    api_caller,
    authenticated_as,
    require_customer_admin,
    require_customer_user,
)
from centrex.accounts.actions import (
    UserData,
    authenticate_login,
    confirm_totp,
    create_user,
    deactivate_user,
    disable_mfa,
    issue_api_token,
    mfa_must_be_set_up,
    revoke_api_token,
    revoke_own_api_token,
    set_mfa_requirement,
    start_totp,
    update_own_account,
    update_user,
)
from centrex.accounts.models import ApiToken, TokenScope, User, UserQuerySet, hash_token
from centrex.accounts.presence import with_communicator_online
from centrex.accounts.schemas import (
    ApiTokenOut,
    CallerCustomerOut,
    CodeIn,
    CustomerMfaPatch,
    LoginIn,
    MeOut,
    MePatch,
    TokenOut,
    TotpConfirmedOut,
    TotpSetupOut,
    UserIn,
    UserOut,
    UserPatch,
)
from centrex.core.addresses import client_address
from centrex.core.pagination import paginated
from centrex.customers.models import Customer

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"])
users_router = Router(tags=["users"], auth=authenticated_as(require_customer_admin))
customer_router = Router(tags=["customer"], auth=authenticated_as(require_customer_user))


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
    password (API.md "Authentication"). With two-step verification on, `otp` is needed
    (without it 401 `mfa_required`; wrong, 401 `invalid_credentials`, counted). A person who
    must set it up and has not (R-Z3) gets a token that serves only `/me` and `/me/mfa/*`."""
    user = authenticate_login(
        payload.email,
        payload.password,
        ip_address=client_address(request),
        otp=payload.otp,
        user_agent=request.headers.get("User-Agent", ""),
        channel="api",
    )
    scope = TokenScope.MFA_SETUP if mfa_must_be_set_up(user) else TokenScope.FULL
    raw, token = issue_api_token(user, scope=scope)
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


# --- The caller's API tokens (issue 14; Opzioni Account) --------------------------------


@me_router.get("/tokens", response=list[ApiTokenOut], summary="The caller's API tokens")
@paginated
def list_tokens(request: HttpRequest) -> QuerySet[ApiToken]:
    """The caller's live tokens, newest first, without their values; `current` marks the one
    this request sent (a browser session is not a token: none is current for it)."""
    raw = _bearer_token(request)
    current = (
        ExpressionWrapper(Q(token_hash=hash_token(raw)), output_field=BooleanField())
        if raw
        else Value(False, output_field=BooleanField())
    )
    return ApiToken.objects.live_of(api_caller(request)).annotate(current=current)


@me_router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke one API token")
def delete_own_token(request: HttpRequest, token_id: int) -> tuple[int, None]:
    """Another person's token is 404, as a missing one (R-C3); revoking the token of this very
    request logs this client out, as DELETE /auth/token."""
    caller = api_caller(request)
    token = access_own_api_token(caller, token_id)
    revoke_own_api_token(token, acting_user=caller, ip_address=client_address(request))
    return 204, None


# --- Two-step verification (R-Z1) -------------------------------------------------------


@me_router.post(
    "/mfa/totp", response={201: TotpSetupOut}, summary="Start setting up two-step verification"
)
def post_totp(request: HttpRequest) -> tuple[int, dict[str, str]]:
    """A new secret for an authenticator app; not on until confirmed with a first code.
    Calling again replaces the secret being set up."""
    setup = start_totp(api_caller(request))
    return 201, {"secret": setup.secret, "otpauth_uri": setup.otpauth_uri}


@me_router.post(
    "/mfa/totp/confirm", response=TotpConfirmedOut, summary="Turn two-step verification on"
)
def confirm_totp_code(request: HttpRequest, payload: CodeIn) -> dict[str, Any]:
    """The first code of the new secret turns it on and answers ten recovery codes, shown
    this once; a wrong code is 422 `code_invalid`."""
    codes = confirm_totp(api_caller(request), payload.code, ip_address=client_address(request))
    return {"enabled": True, "recovery_codes": codes}


@me_router.delete("/mfa", response={204: None}, summary="Turn two-step verification off")
def delete_mfa(request: HttpRequest, payload: CodeIn) -> tuple[int, None]:
    """Needs a current code or a recovery code (422 `code_invalid` otherwise)."""
    disable_mfa(api_caller(request), payload.code, ip_address=client_address(request))
    return 204, None


# --- The caller's customer --------------------------------------------------------------


def _caller_customer(request: HttpRequest) -> Customer:
    """The caller's own customer, with what the shape reads, in one query."""
    caller = api_caller(request)
    return (
        Customer.objects.visible_to(caller)
        .select_related("sip_domain", "sign_in_policy")
        .one_or_not_found(pk=caller.customer_id)
    )


@customer_router.get("", response=CallerCustomerOut, summary="The caller's customer")
def get_caller_customer(request: HttpRequest) -> Customer:
    """Any user of a customer (operators 403): the company, its kind, its SIP domain (R-V1)
    and who must use two-step verification (R-Z3)."""
    return _caller_customer(request)


@customer_router.patch(
    "",
    response=CallerCustomerOut,
    auth=authenticated_as(require_customer_admin),
    summary="Require two-step verification (admins)",
)
def patch_caller_customer(request: HttpRequest, payload: CustomerMfaPatch) -> Customer:
    """R-Z3: `mfa_required` is `none`, `admins` or `everyone`."""
    admin = api_caller(request)
    set_mfa_requirement(_caller_customer(request), payload.mfa_required, acting_user=admin)
    return _caller_customer(request)


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
