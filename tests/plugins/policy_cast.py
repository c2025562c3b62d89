"""The SMS sender policy's cast (tests/conftest.py's people, plus what the policy refers to):
aliases of Esempio (or Altra) in any status, made through the alias actions as Alice (or
Carla) and the operator would; own and shared mobile numbers; a policy row as it would be
saved. A pytest plugin (pyproject's addopts): the fixtures are there for every test package
(senders, sms, e2e); the plain helpers and numbers are imported from here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone

# A plugin is loaded before Django is set up: the portal's modules are imported when used.
if TYPE_CHECKING:
    from centrex.accounts.models import User
    from centrex.aliases.models import SenderAlias
    from centrex.customers.models import Customer
    from centrex.senders.models import SenderPolicy

# Mobile numbers of the cast (Italian mobiles, E.164).
ALICE_MOBILE = "+393331234567"
BOB_MOBILE = "+393337654321"
SHARED_MOBILE = "+393471234567"
OTHER_SHARED_MOBILE = "+393489876543"

AliasIn = Callable[..., "SenderAlias"]


@pytest.fixture
def alias_registry(settings: Any, tmp_path: Path) -> Path:
    """The AGCOM registry is a spool folder of this test (R-A9)."""
    spool = tmp_path / "registry"
    settings.CENTREX_ALIAS_REGISTRY = f"file://{spool}"
    return spool


@pytest.fixture
def alias_in(alice: User, operator: User, alias_registry: Path) -> AliasIn:
    """`alias_in(status, text="EsempioNet", admin=alice)`: an alias of the admin's customer
    brought to `status` (draft, pending, validated, rejected, revoked, withdrawn) through the
    actions (tests/aliases/lifecycle.py)."""
    from tests.aliases.lifecycle import alias_in as alias_in_status

    def make(status: str, text: str = "EsempioNet", admin: User | None = None) -> SenderAlias:
        return alias_in_status(status, text, admin or alice, operator)

    return make


def give_mobile(user: User, number: str | None, *, verified: bool = True) -> User:
    """The user's own mobile number as Opzioni Account would leave it (None: not set)."""
    user.mobile_number = number or ""
    user.mobile_verified = bool(number) and verified
    user.save(update_fields=["mobile_number", "mobile_verified"])
    return user


def policy_of(
    customer: Customer,
    mode: str,
    *,
    shared_mobile: str = "",
    verified: bool = False,
    alias: SenderAlias | None = None,
) -> SenderPolicy:
    """The customer's policy row as saved (the actions that save it are tested on their own)."""
    from centrex.senders.models import SenderPolicy

    policy, _created = SenderPolicy.objects.update_or_create(
        customer=customer,
        defaults={
            "mode": mode,
            "shared_mobile_number": shared_mobile,
            "shared_mobile_verified_at": timezone.now() if shared_mobile and verified else None,
            "shared_alias": alias,
        },
    )
    return policy
