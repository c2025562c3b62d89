"""Who may do what: the portal's one access layer for people (R-B1, R-C3, R-U2).

Three kinds of functions, used alike by pages, API endpoints and actions:

- **Role predicates** — `is_signed_in`, `is_operator`, `is_customer_user`, `is_customer_admin`,
  `is_business_admin`, `is_admin_of`: small functions of the acting user, safe for an
  anonymous one, each true only for a logged-in and *active* account. They narrow the type to
  `User` for mypy.
- **Requirements** — `require_signed_in`, `require_operator`, `require_customer_user`,
  `require_customer_admin`: the predicates as checks that return the acting user or raise
  `PermissionDenied` (403; an optional `message` says why). A page takes one through
  `core.pages.page_for`, an API router through `authenticated_as`::

      @page_for(require_customer_admin)
      def user_list(request: HttpRequest, admin: User) -> HttpResponse: ...

      users_router = Router(auth=authenticated_as(require_customer_admin))

  An app with a rule of its own composes them, e.g. R-A3's alias admin::

      def require_alias_admin(user):
          customer_user = require_customer_user(user)
          if not customer_user.customer.is_business:
              raise consumer_not_allowed()
          return require_customer_admin(customer_user)

- **`access_*` helpers** — one per tenant-owned model (`access_user` here,
  `customers.access.access_customer` / `access_extension`, `aliases.access.access_alias`,
  `sms.history.access_request`): the row of that id the acting user may see, else `NotFound`
  — the same 404 for "not there", "not yours" and a malformed id (R-C3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.http import urlsafe_base64_decode
from ninja.security.base import AuthBase

from centrex.accounts.authentication import BearerTokenAuth, PortalSessionAuth
from centrex.accounts.models import ApiToken, Role, User
from centrex.accounts.tokens import password_link_tokens
from centrex.core.errors import NotFound, PermissionDenied
from centrex.customers.models import Customer

# Who `request.user` can be; API callers and actions pass a `User`.
Visitor = AbstractBaseUser | AnonymousUser
Message = str | Promise | None

# --- Role predicates ----------------------------------------------------------------------


def is_signed_in(user: Visitor | None) -> TypeGuard[User]:
    """Logged in with an active account (an operator or a customer's user)."""
    return isinstance(user, User) and user.is_authenticated and user.is_active


def is_operator(user: Visitor | None) -> TypeGuard[User]:
    """An active operator of the provider: the back office (R-B1)."""
    return is_signed_in(user) and user.is_operator


def is_customer_user(user: Visitor | None) -> TypeGuard[User]:
    """An active user of a customer, of any role; not an operator."""
    return is_signed_in(user) and not user.is_operator and user.customer_id is not None


def is_customer_admin(user: Visitor | None) -> TypeGuard[User]:
    """An active administrator of a customer (Impostazioni > Utenti, R-U2)."""
    return is_customer_user(user) and user.role == Role.ADMIN


def is_business_admin(user: Visitor | None) -> TypeGuard[User]:
    """An active administrator of a business customer (sender aliases are for businesses,
    R-A3)."""
    return is_customer_admin(user) and user.customer is not None and user.customer.is_business


def is_admin_of(user: Visitor | None, customer: Customer) -> TypeGuard[User]:
    """Who manages `customer`'s users: an operator, or an administrator of that customer."""
    return is_operator(user) or (is_customer_admin(user) and user.customer_id == customer.pk)


# --- Requirements -------------------------------------------------------------------------


def _required(user: Visitor | None, allowed: bool, message: Message) -> User:
    if not allowed:
        raise PermissionDenied(message)
    assert isinstance(user, User)
    return user


def require_signed_in(user: Visitor | None, message: Message = None) -> User:
    """Anyone logged in with an active account, operators included (Opzioni Account)."""
    return _required(user, is_signed_in(user), message)


def require_operator(user: Visitor | None, message: Message = None) -> User:
    """The back office's pages and endpoints (R-B1)."""
    return _required(user, is_operator(user), message)


def require_customer_user(user: Visitor | None, message: Message = None) -> User:
    """Pages and endpoints of a customer's users, of any role; operators are refused."""
    return _required(user, is_customer_user(user), message)


def require_customer_admin(user: Visitor | None, message: Message = None) -> User:
    """The customer admin's pages and endpoints (Impostazioni > Utenti, R-U2); plain users
    and operators are refused."""
    return _required(user, is_customer_admin(user), message)


# --- The API's guard ----------------------------------------------------------------------


class RoleBearerAuth(BearerTokenAuth):
    """A bearer token whose user must also pass `require` (which raises 403)."""

    def __init__(self, require: Callable[[User], User]) -> None:
        super().__init__()
        self.require = require

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = super().authenticate(request, token)
        return None if user is None else self.require(user)


class RoleSessionAuth(PortalSessionAuth):
    """The browser session (with CSRF) whose user must also pass `require`."""

    def __init__(self, require: Callable[[User], User]) -> None:
        super().__init__()
        self.require = require

    def authenticate(self, request: HttpRequest, key: Any) -> User | None:
        user = super().authenticate(request, key)
        return None if user is None else self.require(user)


# An OpenAPI security scheme is named after its class: sharing the base's name keeps one
# scheme per mechanism, so "Authorize" on the docs page covers every endpoint.
RoleBearerAuth.__name__ = BearerTokenAuth.__name__
RoleSessionAuth.__name__ = PortalSessionAuth.__name__


def authenticated_as(require: Callable[[User], User]) -> list[AuthBase]:
    """The API's authentication for a router whose every endpoint needs a role: anonymous
    is 401, a caller without the role 403 before the request body is even read, so a bad
    body never tells them more than "not for you". The endpoints then take the caller from
    `api_caller`."""
    return [RoleBearerAuth(require), RoleSessionAuth(require)]


def api_caller(request: HttpRequest) -> User:
    """The caller of an API endpoint, whom the router's authentication has let in."""
    user = request.user
    assert isinstance(user, User)
    return user


# --- Fetching users -----------------------------------------------------------------------


def access_user(acting_user: Visitor, user_id: object, *, customer: Customer | None = None) -> User:
    """A user of the acting admin's own customer (operators: of any customer, or of
    `customer` when given); operators are nobody's to manage here. Missing, foreign or
    malformed ids are the same NotFound (R-C3)."""
    users = User.objects.customer_users().select_related("customer", "extension")
    if customer is not None:
        users = users.filter(customer=customer)
    return users.get_visible(acting_user, pk=user_id)


def access_own_api_token(acting_user: Visitor, token_id: object) -> ApiToken:
    """One of the acting person's own live API tokens (Opzioni Account, `/me/tokens`): a token
    is its owner's alone, so another person's — of the same customer, or an operator's — is
    the same NotFound as a missing or malformed id (R-C3)."""
    if not is_signed_in(acting_user):
        raise NotFound()
    return ApiToken.objects.live_of(acting_user).one_or_not_found(pk=token_id)


def user_from_link(uidb64: str, token: str) -> User | None:
    """The active user an invitation or reset link was made for, if its token still holds.
    The token is the proof of identity here, so the look-up is not scoped to a tenant; a used,
    superseded or expired token stops holding (accounts/tokens.py)."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
        user = User.objects.filter(pk=pk, is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        return None
    if user is None or not password_link_tokens.check_token(user, token):
        return None
    return user
