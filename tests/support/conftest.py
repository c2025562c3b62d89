"""Logged-in browsers and ready-made questions for the support pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from centrex.accounts.models import User
from centrex.support.models import SupportQuestion


@pytest.fixture
def login() -> Callable[[User], Client]:
    """`login(user)`: a browser with that user's session."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def make_question() -> Callable[..., SupportQuestion]:
    """A stored question of `user`, made directly (no throttle, no e-mail): test data only."""

    def make(
        user: User, subject: str = "Come aggiungo un alias?", **extra: object
    ) -> SupportQuestion:
        now = timezone.now()
        fields: dict[str, object] = {
            "customer": user.customer,
            "user": user,
            "subject": subject,
            "body": "Testo della domanda.",
            "privacy_acknowledged_at": now,
            "created_at": now,
            **extra,
        }
        return SupportQuestion.objects.create(**fields)

    return make
