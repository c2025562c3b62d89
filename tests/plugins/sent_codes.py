"""Reading verification codes the way a person does (from the SMS that was queued), and moving
the clock for R-M2's time limits. A pytest plugin (pyproject's addopts): `clock` is there for
the verification and senders tests; the plain helpers are imported from here."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone

# A plugin is loaded before Django is set up: the portal's modules are imported when used.
if TYPE_CHECKING:
    from centrex.sms.models import SmsMessage

_CODE = re.compile(r"\b(\d{6})\b")


def sms_sent_to(number: str) -> list[SmsMessage]:
    """The verification SMS queued for `number` (E.164), newest first."""
    from centrex.sms.models import RequestKind, SmsMessage

    return list(
        SmsMessage.objects.filter(destination=number, request__kind=RequestKind.VERIFICATION)
        .select_related("request")
        .order_by("-created_at", "-id")
    )


def code_sent_to(number: str) -> str:
    """The code in the newest verification SMS to `number`."""
    messages = sms_sent_to(number)
    assert messages, f"no verification SMS was queued for {number}"
    found = _CODE.search(messages[0].request.text)
    assert found, messages[0].request.text
    return found.group(1)


def a_wrong_code(right: str) -> str:
    """Six digits that are not `right`."""
    return f"{(int(right) + 1) % 1_000_000:06d}"


class Clock:
    """`timezone.now()` moved forward by `advance` (what the code reads for R-M2's limits)."""

    def __init__(self, real: Callable[[], datetime]) -> None:
        self.real = real
        self.offset = timedelta()

    def now(self) -> datetime:
        return self.real() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moved = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", moved.now)
    return moved


@pytest.fixture
def codes_differ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every code sent during the test differs from the earlier ones (two random codes are
    the same once in a million): a test that tells two codes apart never depends on chance."""
    from centrex.verification import codes

    real = codes._new_code
    issued: set[str] = set()

    def distinct() -> str:
        code = real()
        while code in issued:
            code = real()
        issued.add(code)
        return code

    monkeypatch.setattr(codes, "_new_code", distinct)
