"""A user's own mobile number, in Opzioni Account (R-U9, R-M1–M3): set it, prove it with the
code sent by SMS, remove it. The numbers are written by `accounts.actions.set_mobile_number`
(the user's fields are the accounts app's), only from here; the page and `/api/v1/me/mobile`
call these actions.

Each action locks the user's row first, so two requests of one user cannot interleave, and
writes its audit row (never with the code in it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import Visitor, require_customer_user
from centrex.accounts.actions import set_mobile_number
from centrex.accounts.models import User
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.phones import DEFAULT_REGION, normalize_mobile_number
from centrex.verification.codes import (
    CodeAttempt,
    attempt_code,
    cancel_codes,
    next_code_at,
    send_code,
)
from centrex.verification.models import VerificationCode, VerificationPurpose

# Longer input is not a phone number; refused before parsing, and never echoed back.
MAX_INPUT_LENGTH = 40

OWN = VerificationPurpose.OWN_MOBILE


@dataclass(frozen=True)
class MobileChange:
    """What `set_own_mobile` did: the user as saved, the code sent (None when the same
    verified number was entered again: nothing changed, nothing was sent), and when the next
    code may be requested."""

    user: User
    verification: VerificationCode | None
    resend_at: datetime | None

    @property
    def code_sent(self) -> bool:
        return self.verification is not None


def display_number(e164: str) -> str:
    """A number as people read it: national form for Italian numbers ("333 123 4567"),
    international form for the others ("+44 7400 123456")."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == DEFAULT_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# R-S1: own mobile numbers are for a customer's users, whose SMS go out under the customer's
# policy. Operators have none, and are told so.
OPERATORS_HAVE_NO_MOBILE = _(
    "Operators have no mobile number in the portal: it is the sender of a customer's users' SMS."
)


def require_mobile_owner(user: Visitor | None) -> User:
    """`accounts.access.require_customer_user`, with the reason an operator reads (R-S1): the
    pages, the API and the actions of an own mobile number."""
    return require_customer_user(user, OPERATORS_HAVE_NO_MOBILE)


def _lock(user: User) -> User:
    return User.objects.select_for_update(of=("self",)).select_related("customer").get(pk=user.pk)


def _state(user: User) -> str:
    if not user.mobile_number:
        return ""
    return "verified" if user.mobile_verified else "unverified"


def _adopt(caller: User, saved: User) -> User:
    """Give the caller's object (the request's user) the saved values."""
    caller.mobile_number = saved.mobile_number
    caller.mobile_verified = saved.mobile_verified
    return caller


def _parse(raw_number: str) -> str:
    """R-M1: E.164 of a mobile number; national input is read as Italian."""
    text = (raw_number or "").strip()
    if not text:
        raise DomainError(
            ErrorCode.INVALID_PHONE_NUMBER,
            _("Enter your mobile number, such as 333 123 4567 or +39 333 123 4567."),
            field="number",
        )
    if len(text) > MAX_INPUT_LENGTH:
        raise DomainError(
            ErrorCode.INVALID_PHONE_NUMBER,
            _("This is not a phone number: enter a mobile number such as 333 123 4567."),
            field="number",
        )
    return normalize_mobile_number(text, field="number")


@transaction.atomic
def set_own_mobile(user: User, raw_number: str, *, ip: str | None = None) -> MobileChange:
    """Opzioni Account: store the user's mobile number (R-M1) not yet verified and send it a
    code (R-M2). Entering another number un-verifies the previous one (R-M3); entering the
    same unverified number again sends a new code (throttled); entering the same verified
    number again changes nothing and sends nothing. A throttled code changes nothing either."""
    require_mobile_owner(user)
    number = _parse(raw_number)
    locked = _lock(user)
    assert locked.customer is not None
    if locked.mobile_number == number and locked.mobile_verified:
        return MobileChange(_adopt(user, locked), None, None)
    previous, previous_state = locked.mobile_number, _state(locked)
    set_mobile_number(locked, number, verified=False, acting_user=locked)  # R-M3
    verification = send_code(purpose=OWN, number=number, user=locked, customer=locked.customer)
    record_audit(
        "user.mobile_code_resent" if previous == number else "user.mobile_set",
        actor=locked,
        target=locked,
        from_state=previous_state,
        to_state=_state(locked),
        ip_address=ip,
        data={"number": number, "previous_number": previous, "code_id": verification.pk},
    )
    return MobileChange(_adopt(user, locked), verification, next_code_at(number))


def _no_number() -> CodeAttempt:
    return CodeAttempt(
        None,
        DomainError(
            ErrorCode.CODE_INVALID,
            _("You have no mobile number to verify: enter it in Account Options first."),
            field="code",
        ),
    )


def verify_own_mobile(user: User, code: str, *, ip: str | None = None) -> User:
    """The user's number becomes verified with the code sent to it (R-M2): the code must be
    the live one of the number stored now, so a code sent to a previous number is useless.
    Raises `code_invalid`, `code_expired` or `code_attempts_exceeded`; a wrong attempt is
    counted (committed) before the error is raised."""
    require_mobile_owner(user)
    with transaction.atomic(durable=True):
        locked = _lock(user)
        assert locked.customer is not None
        if not locked.mobile_number:
            attempt = _no_number()
        else:
            attempt = attempt_code(
                purpose=OWN,
                number=locked.mobile_number,
                customer=locked.customer,
                user=locked,
                code=code,
            )
        if attempt.verification is not None:
            previous_state = _state(locked)
            set_mobile_number(locked, locked.mobile_number, verified=True, acting_user=locked)
            record_audit(
                "user.mobile_verified",
                actor=locked,
                target=locked,
                from_state=previous_state,
                to_state=_state(locked),
                ip_address=ip,
                data={"number": locked.mobile_number, "code_id": attempt.verification.pk},
            )
    attempt.result()
    return _adopt(user, locked)


@transaction.atomic
def remove_own_mobile(user: User, *, ip: str | None = None) -> User:
    """The user no longer has a mobile number (and cannot send from it: R-S1); codes still
    waiting for it stop working. Removing nothing does nothing."""
    require_mobile_owner(user)
    locked = _lock(user)
    assert locked.customer is not None
    if not locked.mobile_number:
        return _adopt(user, locked)
    previous, previous_state = locked.mobile_number, _state(locked)
    cancel_codes(purpose=OWN, customer=locked.customer, user=locked)
    set_mobile_number(locked, "", verified=False, acting_user=locked)
    record_audit(
        "user.mobile_removed",
        actor=locked,
        target=locked,
        from_state=previous_state,
        to_state="",
        ip_address=ip,
        data={"previous_number": previous},
    )
    return _adopt(user, locked)
