"""The senders tests make the policy cast (tests/plugins/policy_cast.py) in every test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(fast_password_hashing: None) -> None:
    """What is tested here is the sender policy, not the password hasher."""
