"""Verification codes (R-M2): 6 digits sent by SMS with the provider's alias, stored hashed,
valid 10 minutes, 5 wrong attempts, a new code at most every 60 s and 5 an hour per number,
bound to the number, the verification and its customer."""

from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections, transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from centrex.accounts.models import User
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer
from centrex.senders.models import SenderType
from centrex.sms.encoding import count_sms
from centrex.sms.models import Encoding, MessageStatus, RequestKind
from centrex.verification.codes import (
    attempt_code,
    check_code,
    hash_code,
    live_code,
    send_code,
    verification_text,
)
from centrex.verification.models import VerificationCode, VerificationPurpose
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to

OWN = VerificationPurpose.OWN_MOBILE
SHARED = VerificationPurpose.SHARED_MOBILE
NUMBER = "+393331234567"
OTHER_NUMBER = "+393401112223"


def send_own(user: User, number: str = NUMBER) -> VerificationCode:
    assert user.customer is not None
    return send_code(purpose=OWN, number=number, user=user, customer=user.customer)


def check_own(user: User, code: str, number: str = NUMBER) -> VerificationCode:
    assert user.customer is not None
    return check_code(purpose=OWN, number=number, customer=user.customer, code=code, user=user)


def refusal(call: Any) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


# --- issuing and sending ----------------------------------------------------------------


def test_a_code_is_six_digits_sent_by_sms_with_the_providers_alias_r_m2(
    bob: User, settings: SettingsWrapper
) -> None:
    # given
    settings.CENTREX_OTP_SENDER = "Centrex"
    # when
    verification = send_own(bob)
    # then one SMS to the number, from the alias CENTREX_OTP_SENDER (TON 5 / NPI 0, R-T6)
    [message] = sms_sent_to(NUMBER)
    request = message.request
    assert message.status == MessageStatus.QUEUED
    assert (request.kind, request.user_id, request.customer_id) == (
        RequestKind.VERIFICATION,
        bob.pk,
        bob.customer_id,
    )
    assert (request.sender_type, request.sender_value) == (SenderType.ALIAS, "Centrex")
    assert (request.sender_ton, request.sender_npi) == (5, 0)
    assert request.sender_alias is None
    assert verification.sms_request_id == request.pk
    # and the Italian text carries a 6-digit code
    assert re.fullmatch(
        r"Il tuo codice di verifica Centrex è \d{6}\. Scade tra 10 minuti\.", request.text
    )
    # valid 10 minutes
    assert verification.expires_at - verification.created_at == timedelta(minutes=10)
    assert (verification.failed_attempts, verification.used_at) == (0, None)


def test_the_sms_is_in_the_language_of_who_asked(bob: User) -> None:
    # given
    User.objects.filter(pk=bob.pk).update(language="en")
    bob.refresh_from_db()
    # when
    send_own(bob)
    # then
    [message] = sms_sent_to(NUMBER)
    assert re.fullmatch(
        r"Your Centrex verification code is \d{6}\. It expires in 10 minutes\.",
        message.request.text,
    )


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_text_fits_one_gsm_sms(language: str) -> None:
    # when
    count = count_sms(verification_text("123456", language))
    # then
    assert (count.encoding, count.parts) == (Encoding.GSM7, 1)


def test_codes_are_random(bob: User, clock: Clock) -> None:
    # when five codes are sent a minute apart
    codes = []
    for _ in range(5):
        send_own(bob)
        codes.append(code_sent_to(NUMBER))
        clock.advance(seconds=61)
    # then they are 6 digits and not all the same
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(set(codes)) > 1


def test_the_code_is_stored_only_as_a_hash_keyed_by_the_secret(
    bob: User, settings: SettingsWrapper
) -> None:
    # given
    verification = send_own(bob)
    code = code_sent_to(NUMBER)
    # then the row holds the HMAC, not the code
    assert code not in verification.code_hash
    assert verification.code_hash == hash_code(purpose=OWN, number=NUMBER, code=code)
    assert len(verification.code_hash) == 64
    # and the hash is worthless without SECRET_KEY: another key does not recognise the code
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    error = refusal(lambda: check_own(bob, code))
    assert error.code == ErrorCode.CODE_INVALID


# --- checking ---------------------------------------------------------------------------


def test_the_right_code_verifies_once(bob: User) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    # when
    used = check_own(bob, code)
    # then it is used, and cannot be used again
    assert used.used_at is not None
    assert refusal(lambda: check_own(bob, code)).code == ErrorCode.CODE_INVALID


def test_spaces_typed_inside_the_code_are_ignored(bob: User) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    # when
    used = check_own(bob, f" {code[:3]} {code[3:]} ")
    # then
    assert used.used_at is not None


def test_each_of_five_wrong_attempts_is_code_invalid_then_the_code_is_dead(
    bob: User, clock: Clock
) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    # when five wrong attempts
    errors = [refusal(lambda: check_own(bob, a_wrong_code(code))) for _ in range(5)]
    # then each is code_invalid, saying how many are left
    assert [e.code for e in errors] == [ErrorCode.CODE_INVALID] * 5
    assert "4" in str(errors[0].message)
    # and afterwards every attempt, even the right code, is code_attempts_exceeded
    assert refusal(lambda: check_own(bob, code)).code == ErrorCode.CODE_ATTEMPTS_EXCEEDED
    assert (
        refusal(lambda: check_own(bob, a_wrong_code(code))).code == ErrorCode.CODE_ATTEMPTS_EXCEEDED
    )
    assert VerificationCode.objects.get().failed_attempts == 5
    # until a new code is requested
    clock.advance(seconds=61)
    send_own(bob)
    assert check_own(bob, code_sent_to(NUMBER)).used_at is not None


def test_the_fourth_wrong_attempt_still_leaves_the_right_code_usable(bob: User) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    for _ in range(4):
        refusal(lambda: check_own(bob, a_wrong_code(code)))
    # when
    used = check_own(bob, code)
    # then
    assert used.failed_attempts == 4
    assert used.used_at is not None


def test_a_wrong_attempt_stays_counted_although_the_call_raises(bob: User) -> None:
    # given
    send_own(bob)
    # when
    refusal(lambda: check_own(bob, "000000" if code_sent_to(NUMBER) != "000000" else "111111"))
    # then the count was committed, not rolled back with the error
    assert VerificationCode.objects.get().failed_attempts == 1


def test_check_code_refuses_to_run_inside_a_transaction_that_could_undo_the_count(
    bob: User,
) -> None:
    # given
    send_own(bob)
    # when / then
    with pytest.raises(RuntimeError), transaction.atomic():
        check_own(bob, code_sent_to(NUMBER))


def test_attempt_code_answers_without_raising_inside_the_callers_transaction(bob: User) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    assert bob.customer is not None
    # when
    with transaction.atomic():
        wrong = attempt_code(
            purpose=OWN, number=NUMBER, customer=bob.customer, user=bob, code=a_wrong_code(code)
        )
        right = attempt_code(purpose=OWN, number=NUMBER, customer=bob.customer, user=bob, code=code)
    # then
    assert not wrong.ok
    assert wrong.error is not None and wrong.error.code == ErrorCode.CODE_INVALID
    assert right.ok
    assert right.result().used_at is not None


def test_an_expired_code_is_code_expired_r_m2(bob: User, clock: Clock) -> None:
    # given a code sent 10 minutes ago
    send_own(bob)
    code = code_sent_to(NUMBER)
    clock.advance(minutes=10)
    # when / then
    assert refusal(lambda: check_own(bob, code)).code == ErrorCode.CODE_EXPIRED


def test_a_code_still_works_just_before_ten_minutes(bob: User, clock: Clock) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    clock.advance(minutes=9, seconds=59)
    # when
    used = check_own(bob, code)
    # then
    assert used.used_at is not None


def test_with_no_code_sent_any_code_is_code_invalid(bob: User) -> None:
    assert refusal(lambda: check_own(bob, "123456")).code == ErrorCode.CODE_INVALID


@pytest.mark.usefixtures("codes_differ")
def test_a_new_code_supersedes_the_old_one(bob: User, clock: Clock) -> None:
    # given
    send_own(bob)
    old = code_sent_to(NUMBER)
    clock.advance(seconds=61)
    send_own(bob)
    new = code_sent_to(NUMBER)
    # when / then
    assert refusal(lambda: check_own(bob, old)).code == ErrorCode.CODE_INVALID
    assert check_own(bob, new).used_at is not None
    assert VerificationCode.objects.filter(superseded=True).count() == 1


def test_a_code_proves_only_the_number_it_was_sent_to(bob: User, clock: Clock) -> None:
    # given a code sent to one number
    send_own(bob, NUMBER)
    code = code_sent_to(NUMBER)
    # when it is entered for another number
    error = refusal(lambda: check_own(bob, code, OTHER_NUMBER))
    # then
    assert error.code == ErrorCode.CODE_INVALID
    # and a new code for the other number kills the first one
    clock.advance(seconds=61)
    send_own(bob, OTHER_NUMBER)
    assert refusal(lambda: check_own(bob, code, NUMBER)).code == ErrorCode.CODE_INVALID


def test_another_users_code_never_verifies_mine(alice: User, bob: User, clock: Clock) -> None:
    # given Alice got a code for the same number
    send_own(alice)
    alices = code_sent_to(NUMBER)
    # when Bob enters it
    error = refusal(lambda: check_own(bob, alices))
    # then
    assert error.code == ErrorCode.CODE_INVALID
    assert VerificationCode.objects.get().used_at is None


def test_another_customers_shared_number_code_never_verifies_ours(
    alice: User, esempio: Customer, carla: User, altra: Customer
) -> None:
    # given Esempio's admin asked a code for the shared number
    send_code(purpose=SHARED, number=NUMBER, user=alice, customer=esempio)
    code = code_sent_to(NUMBER)
    # when Altra tries it for the same number
    error = refusal(
        lambda: check_code(purpose=SHARED, number=NUMBER, customer=altra, code=code, user=carla)
    )
    # then
    assert error.code == ErrorCode.CODE_INVALID
    # and an own-mobile check does not accept a shared-number code either
    assert refusal(lambda: check_own(alice, code)).code == ErrorCode.CODE_INVALID
    assert check_code(purpose=SHARED, number=NUMBER, customer=esempio, code=code).used_at


def test_any_admin_of_the_customer_may_enter_the_shared_number_code(
    alice: User, esempio: Customer
) -> None:
    # given
    send_code(purpose=SHARED, number=NUMBER, user=alice, customer=esempio)
    # when
    used = check_code(purpose=SHARED, number=NUMBER, customer=esempio, code=code_sent_to(NUMBER))
    # then
    assert used.user_id == alice.pk


def test_live_code_is_the_one_that_would_be_checked(bob: User, clock: Clock) -> None:
    # given
    assert bob.customer is not None
    first = send_own(bob)
    clock.advance(seconds=61)
    second = send_own(bob)
    # then
    live = live_code(purpose=OWN, customer=bob.customer, user=bob, number=NUMBER)
    assert live is not None and live.pk == second.pk != first.pk
    assert live_code(purpose=OWN, customer=bob.customer, user=bob, number=OTHER_NUMBER) is None


# --- throttling -------------------------------------------------------------------------


def test_a_new_code_within_60_seconds_is_refused_with_retry_after_r_m2(
    bob: User, clock: Clock
) -> None:
    # given
    send_own(bob)
    clock.advance(seconds=20)
    # when
    error = refusal(lambda: send_own(bob))
    # then
    assert error.code == ErrorCode.CODE_RESEND_TOO_SOON
    assert error.http_status == 429
    assert error.retry_after == 40
    assert "40" in str(error.message)
    assert len(sms_sent_to(NUMBER)) == 1
    # and at 60 s it is allowed
    clock.advance(seconds=40)
    send_own(bob)
    assert len(sms_sent_to(NUMBER)) == 2


def test_the_throttle_is_per_number_whoever_asks(
    alice: User, bob: User, esempio: Customer, carla: User, altra: Customer
) -> None:
    # given Bob asked a code for his number
    send_own(bob)
    # when Alice (own number) and Carla (another customer's shared number) ask for it too
    by_alice = refusal(lambda: send_own(alice))
    by_carla = refusal(lambda: send_code(purpose=SHARED, number=NUMBER, user=carla, customer=altra))
    # then the number's owner gets no second SMS within the minute
    assert by_alice.code == by_carla.code == ErrorCode.CODE_RESEND_TOO_SOON
    assert len(sms_sent_to(NUMBER)) == 1
    # while another number is not affected
    send_own(alice, OTHER_NUMBER)


def test_at_most_five_codes_an_hour_per_number_r_m2(bob: User, clock: Clock) -> None:
    # given five codes, ten minutes apart
    for _ in range(5):
        send_own(bob)
        clock.advance(minutes=10)
    # when a sixth is asked 50 minutes after the first
    error = refusal(lambda: send_own(bob))
    # then it waits until the first leaves the hour
    assert error.code == ErrorCode.CODE_RESEND_TOO_SOON
    assert error.retry_after == 10 * 60
    assert "10" in str(error.message)
    clock.advance(minutes=9, seconds=59)
    assert refusal(lambda: send_own(bob)).retry_after == 1
    clock.advance(seconds=1)
    send_own(bob)
    assert len(sms_sent_to(NUMBER)) == 6


# --- never in logs or audit -------------------------------------------------------------


def test_the_code_is_never_logged_nor_audited(bob: User, caplog: pytest.LogCaptureFixture) -> None:
    # when a code is sent, tried wrong and then right
    caplog.set_level(logging.DEBUG)
    send_own(bob)
    code = code_sent_to(NUMBER)
    refusal(lambda: check_own(bob, a_wrong_code(code)))
    check_own(bob, code)
    # then no log line and no audit row holds it
    assert caplog.records, "sending a code is logged (without the code)"
    for record in caplog.records:
        assert code not in record.getMessage()
    for event in AuditEvent.objects.all():
        assert code not in f"{event.reason} {event.data} {event.object_repr}"


# --- concurrency (PostgreSQL: real connections waiting on each other) ---------------------

postgres_only = pytest.mark.skipif(
    "config.getoption('db') != 'postgres'",
    reason="needs concurrent connections: PostgreSQL (SQLite serialises at BEGIN IMMEDIATE)",
)


def _at_once(count: int, work: Any) -> list[Any]:
    """Run `work(i)` in `count` threads released together, each on its own connection."""
    start = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = work(index)
        except DomainError as error:
            results[index] = error.code
        except Exception as error:  # reported by the assertions
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_wrong_attempts_at_once_never_get_past_five(bob: User) -> None:
    # given
    send_own(bob)
    wrong = a_wrong_code(code_sent_to(NUMBER))
    # when ten wrong attempts arrive at once
    results = _at_once(10, lambda _i: check_own(bob, wrong))
    # then exactly five were counted; the others found the code dead
    assert sorted(map(str, results)) == sorted(
        [ErrorCode.CODE_INVALID] * 5 + [ErrorCode.CODE_ATTEMPTS_EXCEEDED] * 5
    ), results
    assert VerificationCode.objects.get().failed_attempts == 5


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_right_code_sent_twice_at_once_is_used_once(bob: User) -> None:
    # given
    send_own(bob)
    code = code_sent_to(NUMBER)
    # when
    results = _at_once(2, lambda _i: check_own(bob, code))
    # then
    used = [r for r in results if isinstance(r, VerificationCode)]
    assert len(used) == 1, results
    assert ErrorCode.CODE_INVALID in results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_codes_asked_at_once_for_one_number_send_one(alice: User, bob: User) -> None:
    # when Alice and Bob ask a code for the same number at the same moment, many times
    results = _at_once(6, lambda i: send_own(alice if i % 2 else bob))
    # then one SMS left; the others were throttled
    sent = [r for r in results if isinstance(r, VerificationCode)]
    assert len(sent) == 1, results
    assert results.count(ErrorCode.CODE_RESEND_TOO_SOON) == 5
    assert len(sms_sent_to(NUMBER)) == 1
