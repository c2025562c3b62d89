"""Aliases of the cast (tests/conftest.py), made through the actions as the people would:
Alice's "Esempio" as a draft, a pending request, or validated by the operator; `alias_in` for
an alias of Esempio in any status. The AGCOM registry is a spool folder of the test's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from centrex.accounts.models import User
from centrex.aliases.actions.decisions import approve_alias, reject_alias, revoke_alias
from centrex.aliases.actions.lifecycle import create_alias, delete_alias, submit_alias
from centrex.aliases.models import AliasStatus, SenderAlias
from tests.aliases.isolation import seed_word_lists, spool_registry

CLIENT_IP = "192.0.2.10"

AliasInStatus = Callable[..., SenderAlias]


@pytest.fixture(autouse=True)
def word_lists(request: pytest.FixtureRequest) -> None:
    """The R-A4b lists as migration 0002 seeds them (tests/aliases/isolation.py)."""
    seed_word_lists(request)


@pytest.fixture(autouse=True)
def registry_spool(settings: Any, tmp_path: Path) -> Path:
    """CENTREX_ALIAS_REGISTRY points at a spool folder of this test (R-A9)."""
    return spool_registry(settings, tmp_path)


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.1 s a hash; the API tests here (test_api.py) use it, as tests/api's do.
    What is tested there is the API, not the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alias_in(alice: User, operator: User) -> AliasInStatus:
    """`alias_in(status, text="Esempio")`: an alias of Esempio brought to `status` through
    the actions, the way Alice and the operator would."""

    def make(status: str, text: str = "Esempio") -> SenderAlias:
        assert alice.customer is not None
        alias = create_alias(alice.customer, text, acting_user=alice)
        if status == AliasStatus.DRAFT:
            return alias
        alias = submit_alias(
            alias, consent=True, acting_user=alice, ip_address=CLIENT_IP, language="it"
        )
        if status == AliasStatus.PENDING:
            return alias
        if status == AliasStatus.REJECTED:
            return reject_alias(alias, "Non è inerente alla ragione sociale.", acting_user=operator)
        alias = approve_alias(alias, acting_user=operator)
        assert alias.status == AliasStatus.VALIDATED, alias.registry_error
        if status == AliasStatus.VALIDATED:
            return alias
        if status == AliasStatus.REVOKED:
            return revoke_alias(alias, "Uso ingannevole segnalato.", acting_user=operator)
        if status == AliasStatus.WITHDRAWN:
            withdrawn = delete_alias(alias, acting_user=alice)
            assert withdrawn is not None
            return withdrawn
        raise ValueError(f"unknown status {status!r}")

    return make


@pytest.fixture
def draft_alias(alias_in: AliasInStatus) -> SenderAlias:
    """Alice's "Esempio", added and not yet sent."""
    return alias_in(AliasStatus.DRAFT)


@pytest.fixture
def pending_alias(alias_in: AliasInStatus) -> SenderAlias:
    """Alice's "Esempio", sent with the AGCOM authorisation, awaiting validation."""
    return alias_in(AliasStatus.PENDING)


@pytest.fixture
def validated_alias(alias_in: AliasInStatus) -> SenderAlias:
    """Alice's "Esempio", approved by the operator and registered."""
    return alias_in(AliasStatus.VALIDATED)
