"""Logged-in browsers for the back office pages, and what the alias and support pages of the
back office need around them: the R-A4b word lists, an AGCOM registry spool of each test's own
(tests/aliases/isolation.py) and stored support questions (tests/support/questions.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from centrex.accounts.models import User
from centrex.support.models import SupportQuestion
from tests.aliases.isolation import seed_word_lists, spool_registry
from tests.support.questions import stored_question
from tests.support.sessions import signed_in


@pytest.fixture
def login() -> Callable[[User], Client]:
    """`login(user)`: a browser with that user's session."""
    return signed_in


@pytest.fixture
def operator_client(operator: User, login: Callable[[User], Client]) -> Client:
    return login(operator)


@pytest.fixture
def alice_client(alice: User, login: Callable[[User], Client]) -> Client:
    return login(alice)


@pytest.fixture(autouse=True)
def word_lists(request: pytest.FixtureRequest) -> None:
    """The R-A4b lists as migration 0002 seeds them, for the alias pages."""
    seed_word_lists(request)


@pytest.fixture(autouse=True)
def registry_spool(settings: Any, tmp_path: Path) -> Path:
    """Approvals register with a spool folder of the test's own (R-A9)."""
    return spool_registry(settings, tmp_path)


@pytest.fixture
def make_question(db: None) -> Callable[..., SupportQuestion]:
    """`make_question(user, subject=…, **fields)`: a stored question."""
    return stored_question
