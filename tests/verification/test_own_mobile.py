"""The user's own mobile number (R-U9, R-M1–M3): set it (national input read as Italian,
mobiles only), prove it with the code sent by SMS, change it (un-verifies), remove it."""

from __future__ import annotations

from typing import Any

import pytest

from centrex.accounts.models import User
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.models import AuditEvent
from centrex.senders.resolution import resolve_senders
from centrex.verification.actions import (
    display_number,
    remove_own_mobile,
    set_own_mobile,
    verify_own_mobile,
)
from centrex.verification.models import VerificationCode
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to

NUMBER = "+393331234567"
OTHER_NUMBER = "+393401112223"


def refusal(call: Any) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def verified(user: User, number: str = NUMBER) -> User:
    """`user` with `number` set and verified through the real steps."""
    set_own_mobile(user, number)
    return verify_own_mobile(user, code_sent_to(number))


def stored(user: User) -> tuple[str, bool]:
    user.refresh_from_db()
    return user.mobile_number, user.mobile_verified


# --- setting the number (R-M1) ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["333 123 4567", "3331234567", "+39 333 123 4567", "0039 333 1234567", "333-1234567"]
)
def test_national_input_is_read_as_italian_and_stored_in_e164_r_m1(bob: User, typed: str) -> None:
    # when
    change = set_own_mobile(bob, typed, ip="192.0.2.7")
    # then stored not verified, and a code sent to it (R-M2)
    assert stored(bob) == (NUMBER, False)
    assert change.code_sent
    assert change.verification is not None and change.verification.number == NUMBER
    assert change.resend_at is not None
    assert len(sms_sent_to(NUMBER)) == 1


def test_a_foreign_mobile_number_is_accepted_r_m1(bob: User) -> None:
    # when
    set_own_mobile(bob, "+44 7400 123456")
    # then
    assert stored(bob) == ("+447400123456", False)
    assert display_number("+447400123456") == "+44 7400 123456"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("02 1234 5678", ErrorCode.NOT_A_MOBILE_NUMBER),  # a Milan landline
        ("+39 06 1234 5678", ErrorCode.NOT_A_MOBILE_NUMBER),  # a Rome landline
        ("800 123 456", ErrorCode.NOT_A_MOBILE_NUMBER),  # toll free
        ("333 12", ErrorCode.INVALID_PHONE_NUMBER),
        ("not a number", ErrorCode.INVALID_PHONE_NUMBER),
        ("", ErrorCode.INVALID_PHONE_NUMBER),
        ("   ", ErrorCode.INVALID_PHONE_NUMBER),
        ("3" * 500, ErrorCode.INVALID_PHONE_NUMBER),
    ],
)
def test_what_is_not_a_mobile_number_is_refused_on_the_field(
    bob: User, typed: str, code: ErrorCode
) -> None:
    # when
    error = refusal(lambda: set_own_mobile(bob, typed))
    # then nothing is stored or sent
    assert error.code == code
    assert error.field == "number"
    assert len(str(error.message)) < 200
    assert stored(bob) == ("", False)
    assert not VerificationCode.objects.exists()


def test_setting_the_number_is_audited_without_the_code(bob: User) -> None:
    # when
    set_own_mobile(bob, "333 123 4567", ip="192.0.2.7")
    # then
    event = AuditEvent.objects.get(action="user.mobile_set")
    assert (event.actor_id, event.object_id, event.customer_id) == (
        bob.pk,
        str(bob.pk),
        bob.customer_id,
    )
    assert (event.from_state, event.to_state, event.ip_address) == ("", "unverified", "192.0.2.7")
    assert event.data["number"] == NUMBER
    assert code_sent_to(NUMBER) not in str(event.data)


# --- verifying (R-M2) -------------------------------------------------------------------


def test_the_code_of_the_sms_verifies_the_number_r_m2(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    # when
    user = verify_own_mobile(bob, code_sent_to(NUMBER), ip="192.0.2.7")
    # then
    assert (user.mobile_number, user.mobile_verified) == (NUMBER, True)
    assert stored(bob) == (NUMBER, True)
    event = AuditEvent.objects.get(action="user.mobile_verified")
    assert (event.from_state, event.to_state) == ("unverified", "verified")


def test_a_verified_number_is_the_users_sender_r_s4(bob: User) -> None:
    # given (the default policy, own_mobile)
    verified(bob)
    # when
    resolution = resolve_senders(bob)
    # then
    assert [sender.value for sender in resolution.senders] == [NUMBER]


def test_a_wrong_code_does_not_verify_and_is_counted(bob: User) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    # when
    error = refusal(lambda: verify_own_mobile(bob, a_wrong_code(code_sent_to(NUMBER))))
    # then
    assert error.code == ErrorCode.CODE_INVALID
    assert error.field == "code"
    assert stored(bob) == (NUMBER, False)
    assert VerificationCode.objects.get().failed_attempts == 1
    assert not AuditEvent.objects.filter(action="user.mobile_verified").exists()


def test_without_a_number_there_is_nothing_to_verify(bob: User) -> None:
    assert refusal(lambda: verify_own_mobile(bob, "123456")).code == ErrorCode.CODE_INVALID


def test_the_code_sent_to_a_previous_number_is_useless(bob: User) -> None:
    # given a code sent to one number, then the number changed
    set_own_mobile(bob, "333 123 4567")
    old_code = code_sent_to(NUMBER)
    set_own_mobile(bob, "340 111 2223")
    # when the old code is entered
    error = refusal(lambda: verify_own_mobile(bob, old_code))
    # then it verifies nothing; the new number's code does
    assert error.code == ErrorCode.CODE_INVALID
    assert stored(bob) == (OTHER_NUMBER, False)
    verify_own_mobile(bob, code_sent_to(OTHER_NUMBER))
    assert stored(bob) == (OTHER_NUMBER, True)


@pytest.mark.usefixtures("codes_differ")
def test_another_users_code_never_verifies_mine(alice: User, bob: User, clock: Clock) -> None:
    # given Alice and Bob both entered the same number (a minute apart)
    set_own_mobile(alice, "333 123 4567")
    alices = code_sent_to(NUMBER)
    clock.advance(seconds=61)
    set_own_mobile(bob, "333 123 4567")
    assert code_sent_to(NUMBER) != alices
    # when Bob enters Alice's code
    error = refusal(lambda: verify_own_mobile(bob, alices))
    # then
    assert error.code == ErrorCode.CODE_INVALID
    assert stored(bob) == (NUMBER, False)
    assert stored(alice) == (NUMBER, False)


# --- changing and re-entering (R-M3) ----------------------------------------------------


def test_changing_a_verified_number_un_verifies_it_r_m3(bob: User) -> None:
    # given
    verified(bob)
    # when
    change = set_own_mobile(bob, "340 111 2223")
    # then the new number waits for its own code
    assert change.code_sent
    assert stored(bob) == (OTHER_NUMBER, False)
    assert resolve_senders(bob).problem is not None
    event = AuditEvent.objects.filter(action="user.mobile_set").latest("id")
    assert (event.from_state, event.to_state) == ("verified", "unverified")
    assert event.data["previous_number"] == NUMBER


def test_the_same_verified_number_again_changes_nothing_and_sends_nothing_r_m3(
    bob: User, clock: Clock
) -> None:
    # given
    verified(bob)
    clock.advance(minutes=5)
    audited = AuditEvent.objects.count()
    # when
    change = set_own_mobile(bob, "+39 333 1234567")
    # then
    assert not change.code_sent
    assert (change.verification, change.resend_at) == (None, None)
    assert stored(bob) == (NUMBER, True)
    assert len(sms_sent_to(NUMBER)) == 1
    assert AuditEvent.objects.count() == audited


def test_the_same_unverified_number_again_sends_a_new_code(bob: User, clock: Clock) -> None:
    # given
    set_own_mobile(bob, "333 123 4567")
    clock.advance(seconds=61)
    # when
    change = set_own_mobile(bob, "333 123 4567")
    # then
    assert change.code_sent
    assert len(sms_sent_to(NUMBER)) == 2
    assert AuditEvent.objects.filter(action="user.mobile_code_resent").count() == 1


def test_a_change_whose_code_is_refused_as_too_soon_changes_nothing(
    alice: User, bob: User, clock: Clock
) -> None:
    # given Bob's verified number, and Alice who just got a code on another number
    verified(bob)
    clock.advance(minutes=2)
    set_own_mobile(alice, "340 111 2223")
    clock.advance(seconds=20)
    # when Bob switches to that number 20 s later
    error = refusal(lambda: set_own_mobile(bob, "340 111 2223"))
    # then 429 with the seconds left (R-M2), and Bob keeps his verified number (R-M3 not hit)
    assert error.code == ErrorCode.CODE_RESEND_TOO_SOON
    assert error.retry_after == 40
    assert stored(bob) == (NUMBER, True)
    assert len(sms_sent_to(OTHER_NUMBER)) == 1


# --- removing ---------------------------------------------------------------------------


def test_removing_the_number_clears_it_and_kills_waiting_codes(bob: User) -> None:
    # given a number waiting for its code
    set_own_mobile(bob, "333 123 4567")
    code = code_sent_to(NUMBER)
    # when
    user = remove_own_mobile(bob, ip="192.0.2.7")
    # then
    assert (user.mobile_number, user.mobile_verified) == ("", False)
    assert stored(bob) == ("", False)
    assert VerificationCode.objects.get().superseded
    event = AuditEvent.objects.get(action="user.mobile_removed")
    assert (event.from_state, event.to_state) == ("unverified", "")
    # and the code no longer verifies, even if the number comes back
    bob.mobile_number = NUMBER
    bob.save(update_fields=["mobile_number"])
    assert refusal(lambda: verify_own_mobile(bob, code)).code == ErrorCode.CODE_INVALID


def test_removing_no_number_does_nothing(bob: User) -> None:
    # when
    remove_own_mobile(bob)
    # then
    assert not AuditEvent.objects.filter(action="user.mobile_removed").exists()


# --- who ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda user: set_own_mobile(user, "333 123 4567"),
        lambda user: verify_own_mobile(user, "123456"),
        lambda user: remove_own_mobile(user),
    ],
)
def test_operators_have_no_own_mobile_number(operator: User, action: Any) -> None:
    # when
    error = refusal(lambda: action(operator))
    # then
    assert error.code == ErrorCode.PERMISSION_DENIED
    assert not VerificationCode.objects.exists()
