"""Logged-in browsers and ready-made questions for the support pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from centrex.accounts.models import User
from centrex.support.models import SupportQuestion
from tests.support.questions import stored_question
from tests.support.sessions import signed_in


@pytest.fixture
def login() -> Callable[[User], Client]:
    """`login(user)`: a browser with that user's session."""
    return signed_in


@pytest.fixture
def make_question(db: None) -> Callable[..., SupportQuestion]:
    """`make_question(user, subject=…, **fields)`: a stored question (tests/support/questions.py)."""
    return stored_question
