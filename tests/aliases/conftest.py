"""Aliases of the cast (tests/conftest.py), made through the actions as the people would:
Alice's "Esempio" as a draft, a pending request, or validated by the operator; `alias_in` for
an alias of Esempio in any status. The AGCOM registry is a spool folder of the test's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus, SenderAlias
from tests.aliases import lifecycle
from tests.aliases.isolation import seed_word_lists, spool_registry

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
def alias_in(alice: User, operator: User) -> AliasInStatus:
    """`alias_in(status, text="Esempio")`: an alias of Esempio brought to `status` through
    the actions, the way Alice and the operator would."""

    def make(status: str, text: str = "Esempio") -> SenderAlias:
        return lifecycle.alias_in(status, text, alice, operator)

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
