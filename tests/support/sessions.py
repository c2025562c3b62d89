"""A browser with someone's session, for the page tests of support and of the back office."""

from __future__ import annotations

from django.test import Client

from centrex.accounts.models import User


def signed_in(user: User) -> Client:
    """A test client logged in as `user` (no password, no login page)."""
    client = Client()
    client.force_login(user)
    return client
