"""Logged-in browsers for the back office pages."""

from __future__ import annotations

import pytest
from django.test import Client

from centrex.accounts.models import User


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def alice_client(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client
