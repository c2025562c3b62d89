"""The company's SMS sender policy, «Mittenti SMS» (manual §4): choosing an option (R-S1), the
shared number with the manual's two "salva" (R-S1.2, R-M1–M3), the shared alias among the
validated ones (R-S1.3, R-A11), consumers (R-S3), the admins' warning and e-mail when the policy
cannot be used (R-S2); the preview of an option is in test_preview.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import translation

from centrex.accounts.actions import UserData, create_user, deactivate_user
from centrex.accounts.models import Language, Role, User
from centrex.aliases.actions.decisions import revoke_alias
from centrex.aliases.actions.lifecycle import delete_alias
from centrex.aliases.models import AliasStatus
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.models import AuditEvent
from centrex.customers.models import Customer
from centrex.senders.actions import (
    notify_shared_alias_unusable,
    policy_problem,
    set_policy,
    set_shared_mobile,
    verify_shared_mobile,
)
from centrex.senders.models import SenderPolicy, SenderPolicyMode
from centrex.senders.resolution import resolve_senders
from centrex.verification.codes import send_code
from centrex.verification.models import VerificationCode
from tests.conftest import PASSWORD
from tests.plugins.policy_cast import (
    BOB_MOBILE,
    OTHER_SHARED_MOBILE,
    SHARED_MOBILE,
    AliasIn,
    give_mobile,
    policy_of,
)
from tests.plugins.sent_codes import Clock, a_wrong_code, code_sent_to, sms_sent_to

OWN = SenderPolicyMode.OWN_MOBILE
SHARED_NUMBER = SenderPolicyMode.SHARED_MOBILE
SHARED_ALIAS = SenderPolicyMode.SHARED_ALIAS
CHOICE = SenderPolicyMode.USER_CHOICE


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The messages are checked in their English source."""
    with translation.override("en"):
        yield


def refusal(call: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def policy(customer: Customer) -> SenderPolicy:
    return SenderPolicy.for_customer(customer)


def audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def senders_of(user: User) -> list[str]:
    return [s.value for s in resolve_senders(User.objects.get(pk=user.pk)).senders]


def enter_and_verify(customer: Customer, admin: User, number: str = SHARED_MOBILE) -> None:
    """The manual's two "salva" for the shared number."""
    set_shared_mobile(customer, number, acting_user=admin)
    verify_shared_mobile(customer, code_sent_to(number), acting_user=admin)


@pytest.fixture
def second_admin(esempio: Customer, alice: User) -> User:
    """Another admin of Esempio, who reads in English."""
    return create_user(
        esempio,
        UserData(
            email="emma@esempio.example",
            first_name="Emma",
            last_name="Galli",
            role=Role.ADMIN,
            language=Language.ENGLISH,
            extension="203",
        ),
        acting_user=alice,
        password=PASSWORD,
    )


# --- Choosing an option (R-S1) ----------------------------------------------------------------


@pytest.mark.parametrize("mode", [OWN, CHOICE])
def test_an_admin_chooses_an_option_and_it_is_recorded(
    mode: str, esempio: Customer, alice: User
) -> None:
    # when
    saved = set_policy(esempio, mode=mode, acting_user=alice, ip="192.0.2.7")
    # then
    assert (saved.mode, saved.updated_by_id) == (mode, alice.pk)
    assert policy(esempio).mode == mode
    [event] = audit("sms.policy_changed")
    assert (event.actor_id, event.customer_id, event.from_state, event.to_state) == (
        alice.pk,
        esempio.pk,
        OWN,
        mode,
    )
    assert event.ip_address == "192.0.2.7"


def test_choosing_the_option_in_force_again_changes_nothing(esempio: Customer, alice: User) -> None:
    # given
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    # when
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    # then
    assert len(audit("sms.policy_changed")) == 1


@pytest.mark.parametrize("mode", ["", "OWN_MOBILE", "alias", "everyone"])
def test_an_unknown_option_is_refused(mode: str, esempio: Customer, alice: User) -> None:
    # when
    error = refusal(lambda: set_policy(esempio, mode=mode, acting_user=alice))
    # then
    assert (error.code, error.field) == (ErrorCode.VALIDATION_ERROR, "mode")
    assert "own_mobile" in str(error.message)
    assert not SenderPolicy.objects.exists()


def test_a_plain_user_cannot_choose(esempio: Customer, bob: User) -> None:
    # when
    error = refusal(lambda: set_policy(esempio, mode=CHOICE, acting_user=bob))
    # then
    assert error.code == ErrorCode.PERMISSION_DENIED
    assert policy(esempio).mode == OWN


def test_another_customers_admin_cannot_even_see_it(esempio: Customer, carla: User) -> None:
    # when / then (R-C3)
    for call in (
        lambda: set_policy(esempio, mode=CHOICE, acting_user=carla),
        lambda: set_shared_mobile(esempio, SHARED_MOBILE, acting_user=carla),
        lambda: verify_shared_mobile(esempio, "123456", acting_user=carla),
    ):
        assert refusal(call).code == ErrorCode.NOT_FOUND
    assert not sms_sent_to(SHARED_MOBILE)


def test_operators_do_not_choose_for_the_customer(esempio: Customer, operator: User) -> None:
    # when / then
    error = refusal(lambda: set_policy(esempio, mode=CHOICE, acting_user=operator))
    assert error.code == ErrorCode.PERMISSION_DENIED


# --- shared_alias (R-S1.3) ----------------------------------------------------------------------


def test_a_validated_alias_becomes_the_sender_of_everyone(
    esempio: Customer, alice: User, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    give_mobile(bob, BOB_MOBILE)
    # when
    saved = set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    # then
    assert saved.shared_alias == alias
    assert senders_of(bob) == ["EsempioNet"]
    [event] = audit("sms.policy_changed")
    assert event.data["shared_alias"] == {"id": alias.pk, "text": "EsempioNet"}


@pytest.mark.parametrize(
    "status",
    [
        AliasStatus.DRAFT,
        AliasStatus.PENDING,
        AliasStatus.REVOKED,
        AliasStatus.WITHDRAWN,
    ],
)
def test_an_alias_not_validated_cannot_be_chosen(
    status: str, esempio: Customer, alice: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(status)
    # when
    error = refusal(
        lambda: set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    )
    # then (R-A11)
    assert (error.code, error.field) == (ErrorCode.ALIAS_NOT_VALIDATED, "shared_alias_id")
    assert error.http_status == 422
    assert "EsempioNet" in str(error.message)
    assert policy(esempio).mode == OWN


def test_a_rejected_alias_cannot_be_chosen(
    esempio: Customer, alice: User, operator: User, alias_in: AliasIn
) -> None:
    # given
    from centrex.aliases.actions.decisions import reject_alias

    alias = reject_alias(alias_in(AliasStatus.PENDING), "Non inerente.", acting_user=operator)
    # when
    error = refusal(
        lambda: set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    )
    # then
    assert error.code == ErrorCode.ALIAS_NOT_VALIDATED


@pytest.mark.parametrize("alias_id", ["altra", 987654, 0, -1, 2**63, 2**70, "12x"])
def test_another_customers_or_a_missing_alias_is_not_found(
    alias_id: Any, esempio: Customer, alice: User, carla: User, alias_in: AliasIn
) -> None:
    # given Altra's validated alias
    theirs = alias_in(AliasStatus.VALIDATED, text="AltraNet", admin=carla)
    wanted = theirs.pk if alias_id == "altra" else alias_id
    # when
    error = refusal(
        lambda: set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=wanted, acting_user=alice)
    )
    # then (R-C3): the same answer for "not yours" and "not there"
    assert error.code == ErrorCode.NOT_FOUND
    assert policy(esempio).mode == OWN


def test_shared_alias_needs_an_alias(esempio: Customer, alice: User) -> None:
    # when
    error = refusal(lambda: set_policy(esempio, mode=SHARED_ALIAS, acting_user=alice))
    # then
    assert (error.code, error.field) == (ErrorCode.VALIDATION_ERROR, "shared_alias_id")


def test_an_alias_with_another_option_is_refused(
    esempio: Customer, alice: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    # when
    error = refusal(
        lambda: set_policy(esempio, mode=CHOICE, shared_alias_id=alias.pk, acting_user=alice)
    )
    # then
    assert (error.code, error.field) == (ErrorCode.VALIDATION_ERROR, "shared_alias_id")


def test_leaving_shared_alias_forgets_the_alias(
    esempio: Customer, alice: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    # when
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    # then
    assert policy(esempio).shared_alias is None
    events = audit("sms.policy_changed")
    assert events[-1].data["previous_shared_alias"] == {"id": alias.pk, "text": "EsempioNet"}


# --- Consumers (R-S3) --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [SHARED_ALIAS, CHOICE])
def test_a_consumer_cannot_choose_an_alias_option(
    mode: str, privato: Customer, dario: User
) -> None:
    # when
    error = refusal(lambda: set_policy(privato, mode=mode, acting_user=dario))
    # then: the same code as every alias request of a consumer (R-A3), with the reason
    assert (error.code, error.field) == (ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED, "mode")
    assert error.http_status == 403
    assert "Delibera 42/13/CIR" in str(error.message)
    assert policy(privato).mode == OWN


def test_a_consumer_chooses_the_mobile_options(privato: Customer, dario: User) -> None:
    # when
    set_policy(privato, mode=OWN, acting_user=dario)
    enter_and_verify(privato, dario)
    # then
    assert policy(privato).mode == SHARED_NUMBER
    assert senders_of(dario) == [SHARED_MOBILE]


# --- shared_mobile: the manual's two "salva" (R-S1.2, R-M1–M3) ---------------------------------


def test_the_first_salva_stores_the_number_and_sends_a_code(
    esempio: Customer, alice: User, bob: User
) -> None:
    # given user_choice in force
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    give_mobile(bob, BOB_MOBILE)
    # when Alice enters the number in national form
    saved = set_shared_mobile(esempio, "347 123 4567", acting_user=alice, ip="192.0.2.7")
    # then it is stored in E.164, not verified, and an SMS with the code is queued for it
    assert (saved.shared_mobile_number, saved.shared_mobile_verified) == (SHARED_MOBILE, False)
    [sms] = sms_sent_to(SHARED_MOBILE)
    assert sms.request.user_id == alice.pk
    assert len(code_sent_to(SHARED_MOBILE)) == 6
    # and the option in force stays: nobody is left unable to send half-way (R-S1.2)
    assert policy(esempio).mode == CHOICE
    assert senders_of(bob) == [BOB_MOBILE]
    [event] = audit("sms.policy_shared_mobile_entered")
    assert event.data["number"] == SHARED_MOBILE
    assert code_sent_to(SHARED_MOBILE) not in str(event.data)


def test_the_second_salva_verifies_the_number_and_puts_the_option_in_force(
    esempio: Customer, alice: User, bob: User
) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    # when
    saved = verify_shared_mobile(esempio, code_sent_to(SHARED_MOBILE), acting_user=alice)
    # then
    assert saved.shared_mobile_verified
    assert policy(esempio).mode == SHARED_NUMBER
    assert senders_of(bob) == [SHARED_MOBILE]
    assert [e.to_state for e in audit("sms.policy_shared_mobile_verified")] == ["verified"]
    assert [(e.from_state, e.to_state) for e in audit("sms.policy_changed")] == [
        (OWN, SHARED_NUMBER)
    ]


def test_any_admin_of_the_company_may_enter_the_code(
    esempio: Customer, alice: User, second_admin: User
) -> None:
    # given Alice entered the number
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    # when Emma enters the code
    verify_shared_mobile(esempio, code_sent_to(SHARED_MOBILE), acting_user=second_admin)
    # then
    assert policy(esempio).shared_mobile_verified


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("02 1234 5678", ErrorCode.NOT_A_MOBILE_NUMBER),
        ("12", ErrorCode.INVALID_PHONE_NUMBER),
        ("not a number", ErrorCode.INVALID_PHONE_NUMBER),
        ("", ErrorCode.INVALID_PHONE_NUMBER),
    ],
)
def test_only_a_mobile_number_is_accepted(
    raw: str, code: ErrorCode, esempio: Customer, alice: User
) -> None:
    # when
    error = refusal(lambda: set_shared_mobile(esempio, raw, acting_user=alice))
    # then (R-M1)
    assert (error.code, error.field) == (code, "number")
    assert policy(esempio).shared_mobile_number == ""
    assert not VerificationCode.objects.exists()


def test_a_wrong_code_is_counted_and_changes_nothing(
    esempio: Customer, alice: User, clock: Clock
) -> None:
    # given
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    right = code_sent_to(SHARED_MOBILE)
    # when five wrong attempts, then the right code
    errors = [
        refusal(lambda: verify_shared_mobile(esempio, a_wrong_code(right), acting_user=alice))
        for _ in range(5)
    ]
    late = refusal(lambda: verify_shared_mobile(esempio, right, acting_user=alice))
    # then (R-M2)
    assert [e.code for e in errors] == [ErrorCode.CODE_INVALID] * 5
    assert late.code == ErrorCode.CODE_ATTEMPTS_EXCEEDED
    assert VerificationCode.objects.get().failed_attempts == 5
    assert (policy(esempio).mode, policy(esempio).shared_mobile_verified) == (CHOICE, False)
    # until a new code is sent
    clock.advance(seconds=61)
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    verify_shared_mobile(esempio, code_sent_to(SHARED_MOBILE), acting_user=alice)
    assert policy(esempio).mode == SHARED_NUMBER


def test_an_expired_code_is_refused(esempio: Customer, alice: User, clock: Clock) -> None:
    # given
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    clock.advance(minutes=10, seconds=1)
    # when
    error = refusal(
        lambda: verify_shared_mobile(esempio, code_sent_to(SHARED_MOBILE), acting_user=alice)
    )
    # then
    assert error.code == ErrorCode.CODE_EXPIRED
    assert not policy(esempio).shared_mobile_verified


def test_a_code_without_a_number_is_refused(esempio: Customer, alice: User) -> None:
    # when
    error = refusal(lambda: verify_shared_mobile(esempio, "123456", acting_user=alice))
    # then
    assert (error.code, error.field) == (ErrorCode.CODE_INVALID, "code")


@pytest.mark.parametrize("code", ["", "   "])
def test_an_empty_code_is_refused(code: str, esempio: Customer, alice: User) -> None:
    # given
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    # when
    error = refusal(lambda: verify_shared_mobile(esempio, code, acting_user=alice))
    # then
    assert (error.code, error.field) == (ErrorCode.VALIDATION_ERROR, "code")
    assert VerificationCode.objects.get().failed_attempts == 0


@pytest.mark.usefixtures("codes_differ")
def test_the_admins_own_number_code_does_not_verify_the_shared_number(
    esempio: Customer, alice: User
) -> None:
    # given a code for Alice's own number, which is the number she enters as the shared one
    from centrex.verification.models import VerificationPurpose

    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    shared_code = code_sent_to(SHARED_MOBILE)
    VerificationCode.objects.update(created_at="2000-01-01T00:00:00Z")  # past the 60 s
    send_code(
        purpose=VerificationPurpose.OWN_MOBILE, number=SHARED_MOBILE, user=alice, customer=esempio
    )
    own_code = code_sent_to(SHARED_MOBILE)
    assert own_code != shared_code
    # when
    error = refusal(lambda: verify_shared_mobile(esempio, own_code, acting_user=alice))
    # then
    assert error.code == ErrorCode.CODE_INVALID


def test_asking_again_at_once_is_throttled_and_changes_nothing(
    esempio: Customer, alice: User
) -> None:
    # given
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    # when
    error = refusal(lambda: set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice))
    # then (R-M2: a new code at most every 60 s)
    assert (error.code, error.http_status) == (ErrorCode.CODE_RESEND_TOO_SOON, 429)
    assert error.retry_after is not None and 0 < error.retry_after <= 60
    assert len(sms_sent_to(SHARED_MOBILE)) == 1


def test_asking_again_later_sends_a_new_code_and_the_old_one_dies(
    esempio: Customer, alice: User, clock: Clock
) -> None:
    # given
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    old = code_sent_to(SHARED_MOBILE)
    clock.advance(seconds=61)
    # when
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    new = code_sent_to(SHARED_MOBILE)
    # then
    assert len(sms_sent_to(SHARED_MOBILE)) == 2
    if old != new:
        assert (
            refusal(lambda: verify_shared_mobile(esempio, old, acting_user=alice)).code
            == ErrorCode.CODE_INVALID
        )
    verify_shared_mobile(esempio, new, acting_user=alice)
    assert policy(esempio).shared_mobile_verified


def test_a_refused_code_leaves_the_policy_as_it_was(
    esempio: Customer, altra: Customer, alice: User, carla: User, bob: User
) -> None:
    # given Esempio's verified shared number in force, and a code just sent to another
    # number by another company
    enter_and_verify(esempio, alice)
    set_shared_mobile(altra, OTHER_SHARED_MOBILE, acting_user=carla)
    # when Alice enters that number
    error = refusal(lambda: set_shared_mobile(esempio, OTHER_SHARED_MOBILE, acting_user=alice))
    # then the throttle (per number, R-M2) refuses it and the verified number stays in force
    assert error.code == ErrorCode.CODE_RESEND_TOO_SOON
    current = policy(esempio)
    assert (current.shared_mobile_number, current.shared_mobile_verified) == (SHARED_MOBILE, True)
    assert senders_of(bob) == [SHARED_MOBILE]


def test_the_verified_number_entered_again_sends_nothing(esempio: Customer, alice: User) -> None:
    # given
    enter_and_verify(esempio, alice)
    # when
    saved = set_shared_mobile(esempio, "+39 347 1234567", acting_user=alice)
    # then
    assert saved.shared_mobile_verified
    assert len(sms_sent_to(SHARED_MOBILE)) == 1


def test_shared_mobile_is_chosen_again_without_a_new_code_once_verified(
    esempio: Customer, alice: User
) -> None:
    # given the number verified, then another option chosen
    enter_and_verify(esempio, alice)
    set_policy(esempio, mode=OWN, acting_user=alice)
    # when
    set_policy(esempio, mode=SHARED_NUMBER, acting_user=alice)
    # then
    assert policy(esempio).mode == SHARED_NUMBER
    assert len(sms_sent_to(SHARED_MOBILE)) == 1


def test_shared_mobile_cannot_be_chosen_before_the_number_is_verified(
    esempio: Customer, alice: User
) -> None:
    # given a number entered, its code not yet
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    # when
    error = refusal(lambda: set_policy(esempio, mode=SHARED_NUMBER, acting_user=alice))
    # then (R-S1.2: only a verified number becomes the sender)
    assert (error.code, error.field) == (ErrorCode.MOBILE_NOT_VERIFIED, "mode")
    assert policy(esempio).mode == OWN


def test_changing_the_number_in_force_unverifies_it_and_blocks_sending(
    esempio: Customer, alice: User, bob: User, clock: Clock
) -> None:
    # given the shared number in force
    enter_and_verify(esempio, alice)
    # when Alice enters another one (R-M3)
    set_shared_mobile(esempio, OTHER_SHARED_MOBILE, acting_user=alice)
    # then it is not verified, and nobody sends until it is — never from the old one (R-S2)
    current = policy(esempio)
    assert (current.mode, current.shared_mobile_number) == (SHARED_NUMBER, OTHER_SHARED_MOBILE)
    assert not current.shared_mobile_verified
    resolution = resolve_senders(User.objects.get(pk=bob.pk))
    assert resolution.problem is not None
    assert resolution.problem.code == ErrorCode.POLICY_UNUSABLE
    problem = policy_problem(esempio)
    assert problem is not None and OTHER_SHARED_MOBILE in problem.detail
    # and the code of the new number puts it in force
    verify_shared_mobile(esempio, code_sent_to(OTHER_SHARED_MOBILE), acting_user=alice)
    assert senders_of(bob) == [OTHER_SHARED_MOBILE]
    assert policy_problem(esempio) is None


def test_the_code_of_a_replaced_number_no_longer_verifies(esempio: Customer, alice: User) -> None:
    # given a code sent to one number, then another number entered
    set_shared_mobile(esempio, SHARED_MOBILE, acting_user=alice)
    first = code_sent_to(SHARED_MOBILE)
    set_shared_mobile(esempio, OTHER_SHARED_MOBILE, acting_user=alice)
    second = code_sent_to(OTHER_SHARED_MOBILE)
    # when the first code is entered
    if first != second:
        error = refusal(lambda: verify_shared_mobile(esempio, first, acting_user=alice))
        # then
        assert error.code == ErrorCode.CODE_INVALID
    assert not policy(esempio).shared_mobile_verified


# --- The admins' warning (R-S2) -----------------------------------------------------------------


def test_a_usable_policy_has_no_problem(esempio: Customer, alice: User) -> None:
    # then
    assert policy_problem(esempio) is None
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    assert policy_problem(esempio) is None


@pytest.mark.parametrize("status", [AliasStatus.REVOKED, AliasStatus.WITHDRAWN])
def test_a_shared_alias_that_stops_being_usable_is_the_admins_problem(
    status: str, esempio: Customer, alice: User, operator: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    # when
    if status == AliasStatus.REVOKED:
        revoke_alias(alias, "Uso ingannevole.", acting_user=operator)
    else:
        delete_alias(alias, acting_user=alice)
    # then: the policy is kept as chosen (never replaced, R-S2) and says what to do
    assert policy(esempio).shared_alias_id == alias.pk
    problem = policy_problem(esempio)
    assert problem is not None
    assert problem.code == ErrorCode.POLICY_UNUSABLE
    assert "EsempioNet" in problem.detail
    assert str(AliasStatus(status).label) in problem.detail
    assert "Communicator > SMS senders" in problem.detail


def test_an_unverified_shared_number_in_force_is_the_admins_problem(esempio: Customer) -> None:
    # given (a policy row left so by R-M3)
    policy_of(esempio, SHARED_NUMBER, shared_mobile=SHARED_MOBILE, verified=False)
    # then
    problem = policy_problem(esempio)
    assert problem is not None and SHARED_MOBILE in problem.detail


def test_a_consumer_with_an_alias_option_is_the_admins_problem(privato: Customer) -> None:
    # given a row from before (consumers cannot choose it)
    policy_of(privato, CHOICE)
    # then
    problem = policy_problem(privato)
    assert problem is not None and "private customers" in problem.detail


# --- The admins' e-mail when the shared alias stops being usable (R-S2, R-A11) -----------------


def policy_mails() -> list[Any]:
    return [
        message
        for message in mail.outbox
        if "can no longer be used" in message.subject or "non è più utilizzabile" in message.subject
    ]


@pytest.mark.parametrize("status", [AliasStatus.REVOKED, AliasStatus.WITHDRAWN])
def test_the_active_admins_are_emailed_in_their_language(
    status: str,
    esempio: Customer,
    alice: User,
    bob: User,
    second_admin: User,
    operator: User,
    alias_in: AliasIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given the shared alias in force, and an admin who left
    alias = alias_in(AliasStatus.VALIDATED)
    set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    gone = create_user(
        esempio,
        UserData(email="gianni@esempio.example", role=Role.ADMIN),
        acting_user=alice,
        password=PASSWORD,
    )
    deactivate_user(gone, acting_user=alice)
    mail.outbox.clear()
    # when the alias stops being usable
    with django_capture_on_commit_callbacks(execute=True):
        if status == AliasStatus.REVOKED:
            revoke_alias(alias, "Uso ingannevole segnalato.", acting_user=operator)
        else:
            delete_alias(alias, acting_user=alice)
    # then each active admin, and nobody else, gets one e-mail in their own language
    sent = {message.to[0]: message for message in policy_mails()}
    assert set(sent) == {alice.email, second_admin.email}
    italian, english = sent[alice.email], sent[second_admin.email]
    assert "EsempioNet" in italian.subject and "EsempioNet" in english.subject
    assert english.subject == "SMS cannot be sent: the alias “EsempioNet” can no longer be used"
    assert italian.subject != english.subject
    assert "nobody in your company can send SMS" in english.body
    assert "/communicator/mittenti-sms/" in english.body
    html = english.alternatives[0][0]
    assert "/communicator/mittenti-sms/" in html
    if status == AliasStatus.REVOKED:
        assert "Uso ingannevole segnalato." in english.body
    else:
        assert "Reason given by the provider" not in english.body


def test_no_email_when_the_policy_does_not_send_with_that_alias(
    esempio: Customer,
    alice: User,
    operator: User,
    alias_in: AliasIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given user_choice (the alias is one of several), and another alias in shared_alias
    used = alias_in(AliasStatus.VALIDATED)
    other = alias_in(AliasStatus.VALIDATED, text="Esempio")
    set_policy(esempio, mode=CHOICE, acting_user=alice)
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        revoke_alias(used, "Uso ingannevole.", acting_user=operator)
    set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=other.pk, acting_user=alice)
    # then: only the alias workflow's own notice (R-A10)
    assert policy_mails() == []
    assert notify_shared_alias_unusable(used.pk) == 0
    assert notify_shared_alias_unusable(other.pk) == 0  # still validated


def test_no_email_if_the_revocation_is_rolled_back(
    esempio: Customer,
    alice: User,
    operator: User,
    alias_in: AliasIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    set_policy(esempio, mode=SHARED_ALIAS, shared_alias_id=alias.pk, acting_user=alice)
    # when the revocation's transaction does not commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        revoke_alias(alias, "Uso ingannevole.", acting_user=operator)
    # then the e-mail waits for the commit (registered, not sent)
    assert callbacks
    assert policy_mails() == []
