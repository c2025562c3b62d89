"""Fixtures of the SMS tests."""

from __future__ import annotations

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture
def no_send_rate_limits(settings: Settings) -> None:
    """No per-user or per-customer sending limits (R-S7), unless a test sets them."""
    settings.CENTREX_SMS_USER_RATE = 0
    settings.CENTREX_SMS_CUSTOMER_RATE = 0
