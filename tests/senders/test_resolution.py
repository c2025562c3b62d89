"""Which senders a user may use right now, and if none, why (R-S4): every option of the policy
(R-S1) × the own and shared numbers verified, not verified or missing (R-M2, R-M3) × the alias
validated, revoked or withdrawn (R-A11) × Communicator enabled or not (R-U6) × business or
consumer customer (R-S3). An unusable policy blocks; it never falls back (R-S2)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from centrex.accounts.actions import UserData, create_user, deactivate_user, update_user
from centrex.accounts.models import Role, User
from centrex.aliases.models import AliasStatus, SenderAlias
from centrex.core.errors import DomainError, ErrorCode
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicy, SenderPolicyMode, SenderType
from centrex.senders.resolution import (
    PolicyFault,
    Sender,
    policy_fault,
    resolve_senders,
)
from tests.plugins.policy_cast import (
    ALICE_MOBILE,
    BOB_MOBILE,
    OTHER_SHARED_MOBILE,
    SHARED_MOBILE,
    AliasIn,
    give_mobile,
    policy_of,
)

OWN = SenderPolicyMode.OWN_MOBILE
SHARED_NUMBER = SenderPolicyMode.SHARED_MOBILE
SHARED_ALIAS = SenderPolicyMode.SHARED_ALIAS
CHOICE = SenderPolicyMode.USER_CHOICE

# The own number of a user: verified, set but not verified, or not set.
NUMBER_STATES = ["verified", "unverified", "missing"]


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The messages are checked in their English source."""
    with translation.override("en"):
        yield


def mobile(number: str) -> Sender:
    return Sender(SenderType.MOBILE, number)


def alias_sender(alias: SenderAlias) -> Sender:
    return Sender(SenderType.ALIAS, alias.text, alias)


def with_own_number(user: User, state: str, number: str = BOB_MOBILE) -> User:
    if state == "missing":
        return give_mobile(user, None)
    return give_mobile(user, number, verified=state == "verified")


def refusal(call: Any) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def fresh(user: User) -> User:
    """The user as a request would load them."""
    return User.objects.select_related("customer").get(pk=user.pk)


# --- R-U6: Communicator not enabled comes first, whatever the policy ------------------------


@pytest.mark.parametrize("mode", [OWN, SHARED_NUMBER, SHARED_ALIAS, CHOICE])
def test_a_user_without_extension_cannot_send_whatever_the_option(
    mode: str, esempio: Customer, alice: User, bob: User, alias_in: AliasIn
) -> None:
    # given a usable policy and Bob with a verified number but no extension
    alias = alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, mode, shared_mobile=SHARED_MOBILE, verified=True, alias=alias)
    give_mobile(bob, BOB_MOBILE)
    update_user(bob, extension=None, acting_user=alice)
    # when
    resolution = resolve_senders(fresh(bob))
    # then (R-U6)
    assert resolution.senders == ()
    assert resolution.default is None
    assert resolution.problem is not None
    assert resolution.problem.code == ErrorCode.COMMUNICATOR_NOT_ENABLED
    assert "Settings > Users" in resolution.problem.detail
    assert not resolution.can_send
    assert resolution.mode == mode


def test_a_deactivated_user_cannot_send(esempio: Customer, alice: User, bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    deactivate_user(bob, acting_user=alice)
    # when
    resolution = resolve_senders(fresh(bob))
    # then
    assert resolution.problem is not None
    assert resolution.problem.code == ErrorCode.COMMUNICATOR_NOT_ENABLED
    assert "not active" in resolution.problem.detail


def test_an_operator_has_no_sender(operator: User) -> None:
    # when
    resolution = resolve_senders(operator)
    # then
    assert resolution.problem is not None
    assert resolution.problem.code == ErrorCode.COMMUNICATOR_NOT_ENABLED
    assert resolution.senders == ()


# --- own_mobile (R-S1.1) --------------------------------------------------------------------


def test_a_new_customer_has_own_mobile_by_default(esempio: Customer, bob: User) -> None:
    # given no policy was ever saved (R-S2)
    give_mobile(bob, BOB_MOBILE)
    # when
    resolution = resolve_senders(fresh(bob))
    # then
    assert resolution.mode == OWN
    assert resolution.senders == (mobile(BOB_MOBILE),)
    assert resolution.default == mobile(BOB_MOBILE)
    assert not SenderPolicy.objects.filter(customer=esempio).exists()


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("verified", None),
        ("unverified", ErrorCode.MOBILE_NOT_VERIFIED),
        ("missing", ErrorCode.NO_SENDER_AVAILABLE),
    ],
)
@pytest.mark.parametrize("with_aliases", [False, True])
def test_own_mobile_uses_only_the_users_own_verified_number(
    state: str,
    expected: ErrorCode | None,
    with_aliases: bool,
    esempio: Customer,
    bob: User,
    alias_in: AliasIn,
) -> None:
    # given own_mobile, and (maybe) a validated alias that must never be a fallback (R-S2)
    if with_aliases:
        alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, OWN, shared_mobile=SHARED_MOBILE, verified=True)
    with_own_number(bob, state)
    # when
    resolution = resolve_senders(fresh(bob))
    # then
    if expected is None:
        assert resolution.senders == (mobile(BOB_MOBILE),)
        assert resolution.problem is None
    else:
        assert resolution.senders == ()
        assert resolution.problem is not None
        assert resolution.problem.code == expected
        assert "Account Options" in resolution.problem.detail


# --- shared_mobile (R-S1.2) -----------------------------------------------------------------


@pytest.mark.parametrize("own_state", NUMBER_STATES)
@pytest.mark.parametrize(
    ("shared", "verified", "usable"),
    [
        (SHARED_MOBILE, True, True),
        (SHARED_MOBILE, False, False),
        ("", False, False),
    ],
)
def test_shared_mobile_sends_from_the_verified_shared_number_only(
    own_state: str,
    shared: str,
    verified: bool,
    usable: bool,
    esempio: Customer,
    bob: User,
) -> None:
    # given
    policy_of(esempio, SHARED_NUMBER, shared_mobile=shared, verified=verified)
    with_own_number(bob, own_state)
    # when
    resolution = resolve_senders(fresh(bob))
    # then: the shared number, whatever Bob's own; unverified, nobody sends (R-S2)
    if usable:
        assert resolution.senders == (mobile(SHARED_MOBILE),)
        assert resolution.default == mobile(SHARED_MOBILE)
    else:
        assert resolution.senders == ()
        assert resolution.problem is not None
        assert resolution.problem.code == ErrorCode.POLICY_UNUSABLE
        assert "not verified" in resolution.problem.detail


# --- shared_alias (R-S1.3, R-A11) -----------------------------------------------------------


@pytest.mark.parametrize("own_state", NUMBER_STATES)
@pytest.mark.parametrize(
    "status",
    [AliasStatus.VALIDATED, AliasStatus.REVOKED, AliasStatus.WITHDRAWN, AliasStatus.PENDING],
)
def test_shared_alias_sends_with_the_alias_while_it_is_validated(
    own_state: str, status: str, esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given a policy that chose "EsempioNet" (then revoked or withdrawn, or never validated)
    alias = alias_in(status)
    policy_of(esempio, SHARED_ALIAS, alias=alias)
    with_own_number(bob, own_state)
    # when
    resolution = resolve_senders(fresh(bob))
    # then: the alias; otherwise nobody sends, not even from their own number (R-S2, R-A11)
    if status == AliasStatus.VALIDATED:
        assert resolution.senders == (alias_sender(alias),)
        assert resolution.senders[0].alias == alias
    else:
        assert resolution.senders == ()
        assert resolution.problem is not None
        assert resolution.problem.code == ErrorCode.POLICY_UNUSABLE
        assert "shared alias" in resolution.problem.detail


def test_shared_alias_without_an_alias_blocks_sending(esempio: Customer, bob: User) -> None:
    # given a policy row without its alias
    policy_of(esempio, SHARED_ALIAS)
    give_mobile(bob, BOB_MOBILE)
    # when
    resolution = resolve_senders(fresh(bob))
    # then
    assert resolution.problem is not None
    assert resolution.problem.code == ErrorCode.POLICY_UNUSABLE


def test_another_customers_alias_is_never_a_shared_alias(
    esempio: Customer, altra: Customer, carla: User, bob: User, alias_in: AliasIn
) -> None:
    # given Esempio's policy row pointing at Altra's validated alias (it can not be chosen so)
    theirs = alias_in(AliasStatus.VALIDATED, text="AltraNet", admin=carla)
    policy_of(esempio, SHARED_ALIAS, alias=theirs)
    # when
    resolution = resolve_senders(fresh(bob))
    # then (R-C3)
    assert resolution.problem is not None
    assert resolution.problem.code == ErrorCode.POLICY_UNUSABLE


# --- user_choice (R-S1.4) -------------------------------------------------------------------


@pytest.mark.parametrize("own_state", NUMBER_STATES)
@pytest.mark.parametrize(
    "alias_status",
    [None, AliasStatus.VALIDATED, AliasStatus.REVOKED, AliasStatus.WITHDRAWN],
)
def test_user_choice_offers_the_own_verified_number_and_every_validated_alias(
    own_state: str,
    alias_status: str | None,
    esempio: Customer,
    bob: User,
    alias_in: AliasIn,
) -> None:
    # given user_choice, Bob's own number, and "EsempioNet" in `alias_status` (or none)
    alias = alias_in(alias_status) if alias_status else None
    policy_of(esempio, CHOICE)
    with_own_number(bob, own_state)
    # when
    resolution = resolve_senders(fresh(bob))
    # then
    expected: list[Sender] = []
    if own_state == "verified":
        expected.append(mobile(BOB_MOBILE))
    if alias is not None and alias_status == AliasStatus.VALIDATED:
        expected.append(alias_sender(alias))
    assert list(resolution.senders) == expected
    assert resolution.user_picks
    if not expected:
        assert resolution.problem is not None
        code = (
            ErrorCode.MOBILE_NOT_VERIFIED
            if own_state == "unverified"
            else ErrorCode.NO_SENDER_AVAILABLE
        )
        assert resolution.problem.code == code
        assert resolution.default is None
    elif len(expected) == 1:
        assert resolution.default == expected[0]  # nothing to choose: implied
    else:
        assert resolution.default is None  # R-T2: the user names it


def test_user_choice_lists_every_validated_alias_in_order(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given three aliases, one of them revoked
    second = alias_in(AliasStatus.VALIDATED, text="Esempio")
    first = alias_in(AliasStatus.VALIDATED, text="EsempioNet")
    alias_in(AliasStatus.REVOKED, text="EsempioShop")
    policy_of(esempio, CHOICE)
    give_mobile(bob, BOB_MOBILE)
    # when
    resolution = resolve_senders(fresh(bob))
    # then: the own number first, then the validated aliases by text
    assert [s.value for s in resolution.senders] == [BOB_MOBILE, second.text, first.text]


def test_aliases_passed_in_are_filtered_to_the_customers_validated_ones(
    esempio: Customer, carla: User, bob: User, alias_in: AliasIn
) -> None:
    # given a caller passing a revoked alias and another customer's alias by mistake
    ours = alias_in(AliasStatus.VALIDATED)
    revoked = alias_in(AliasStatus.REVOKED, text="Esempio")
    theirs = alias_in(AliasStatus.VALIDATED, text="AltraNet", admin=carla)
    policy = policy_of(esempio, CHOICE)
    # when
    resolution = resolve_senders(fresh(bob), policy=policy, aliases=[ours, revoked, theirs])
    # then
    assert resolution.senders == (alias_sender(ours),)


# --- Consumers (R-S3) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "usable"),
    [(OWN, True), (SHARED_NUMBER, True), (SHARED_ALIAS, False), (CHOICE, False)],
)
def test_a_consumer_sends_only_with_the_mobile_options(
    mode: str, usable: bool, privato: Customer, dario: User
) -> None:
    # given a consumer's policy row in `mode` (alias modes cannot be chosen; kept if found)
    policy_of(privato, mode, shared_mobile=SHARED_MOBILE, verified=True)
    give_mobile(dario, ALICE_MOBILE)
    # when
    resolution = resolve_senders(fresh(dario))
    # then
    if usable:
        assert resolution.can_send
        assert all(sender.type == SenderType.MOBILE for sender in resolution.senders)
    else:
        assert resolution.problem is not None
        assert resolution.problem.code == ErrorCode.POLICY_UNUSABLE
        assert "private customers" in resolution.problem.detail


# --- policy_fault: one answer for "is this policy usable" -----------------------------------


@pytest.mark.parametrize(
    ("mode", "number", "verified", "alias_status", "business", "fault"),
    [
        (OWN, "", False, None, True, None),
        (OWN, "", False, None, False, None),
        (SHARED_NUMBER, SHARED_MOBILE, True, None, True, None),
        (SHARED_NUMBER, SHARED_MOBILE, False, None, True, PolicyFault.SHARED_MOBILE_UNVERIFIED),
        (SHARED_NUMBER, "", False, None, False, PolicyFault.SHARED_MOBILE_UNVERIFIED),
        (SHARED_ALIAS, "", False, AliasStatus.VALIDATED, True, None),
        (SHARED_ALIAS, "", False, AliasStatus.REVOKED, True, PolicyFault.SHARED_ALIAS_UNUSABLE),
        (SHARED_ALIAS, "", False, AliasStatus.WITHDRAWN, True, PolicyFault.SHARED_ALIAS_UNUSABLE),
        (SHARED_ALIAS, "", False, None, True, PolicyFault.SHARED_ALIAS_UNUSABLE),
        (SHARED_ALIAS, "", False, AliasStatus.VALIDATED, False, PolicyFault.CONSUMER_MODE),
        (CHOICE, "", False, None, True, None),
        (CHOICE, "", False, None, False, PolicyFault.CONSUMER_MODE),
    ],
)
def test_the_policy_fault_says_what_blocks_everybody(
    mode: str,
    number: str,
    verified: bool,
    alias_status: str | None,
    business: bool,
    fault: PolicyFault | None,
    esempio: Customer,
) -> None:
    # given an unsaved policy (no query needed to judge it)
    alias = SenderAlias(pk=7, customer=esempio, text="EsempioNet", status=alias_status or "")
    policy = SenderPolicy(
        customer=esempio,
        mode=mode,
        shared_mobile_number=number,
        shared_mobile_verified_at="2026-01-01T10:00:00Z" if verified else None,
        shared_alias=alias if alias_status else None,
    )
    # then
    assert policy_fault(policy, is_business=business) == fault


# --- choose: the sender of one request (R-T2) -----------------------------------------------


def test_the_implied_sender_is_used_when_the_request_names_none(
    esempio: Customer, bob: User
) -> None:
    # given
    policy_of(esempio, SHARED_NUMBER, shared_mobile=SHARED_MOBILE, verified=True)
    # when
    chosen = resolve_senders(fresh(bob)).choose(None, bob)
    # then
    assert chosen == mobile(SHARED_MOBILE)
    assert chosen.address == SHARED_MOBILE.removeprefix("+")
    assert chosen.ton_npi == (1, 1)


def test_a_named_sender_that_is_the_implied_one_is_accepted_in_national_form(
    esempio: Customer, bob: User
) -> None:
    # given own_mobile and Bob's verified number
    give_mobile(bob, BOB_MOBILE)
    # when he names it as an Italian national number
    chosen = resolve_senders(fresh(bob)).choose(Sender(SenderType.MOBILE, "333 765 4321"), bob)
    # then
    assert chosen == mobile(BOB_MOBILE)


def test_in_user_choice_with_several_senders_the_request_must_name_one(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, CHOICE)
    give_mobile(bob, BOB_MOBILE)
    resolution = resolve_senders(fresh(bob))
    # when / then
    error = refusal(lambda: resolution.choose(None, bob))
    assert (error.code, error.field) == (ErrorCode.SENDER_NOT_ALLOWED, "sender")
    picked = resolution.choose(Sender(SenderType.ALIAS, "EsempioNet"), bob)
    assert picked == alias_sender(alias)
    assert picked.alias == alias
    assert picked.ton_npi == (5, 0)
    assert picked.address == "EsempioNet"


def test_alias_case_matters_when_naming_it(esempio: Customer, bob: User, alias_in: AliasIn) -> None:
    # given
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, CHOICE)
    resolution = resolve_senders(fresh(bob))
    # when / then (R-A1: case is kept exactly)
    error = refusal(lambda: resolution.choose(Sender(SenderType.ALIAS, "esempionet"), bob))
    assert error.code == ErrorCode.SENDER_NOT_ALLOWED


@pytest.mark.parametrize(
    "status", [AliasStatus.REVOKED, AliasStatus.WITHDRAWN, AliasStatus.PENDING]
)
def test_in_user_choice_an_alias_not_validated_is_refused_with_its_reason(
    status: str, esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given user_choice, Bob's verified number, and "Esempio" in `status`
    alias_in(status, text="Esempio")
    policy_of(esempio, CHOICE)
    give_mobile(bob, BOB_MOBILE)
    resolution = resolve_senders(fresh(bob))
    # when
    error = refusal(lambda: resolution.choose(Sender(SenderType.ALIAS, "Esempio"), bob))
    # then (R-A11)
    assert (error.code, error.field) == (ErrorCode.ALIAS_NOT_VALIDATED, "sender")
    assert "Esempio" in str(error.message)


def test_in_user_choice_an_unverified_own_number_is_refused_with_its_reason(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, CHOICE)
    give_mobile(bob, BOB_MOBILE, verified=False)
    resolution = resolve_senders(fresh(bob))
    # when
    error = refusal(lambda: resolution.choose(mobile(BOB_MOBILE), bob))
    # then (R-M2)
    assert error.code == ErrorCode.MOBILE_NOT_VERIFIED


@pytest.mark.parametrize(
    "requested",
    [
        Sender(SenderType.MOBILE, BOB_MOBILE),  # his own number, not the shared one
        Sender(SenderType.MOBILE, OTHER_SHARED_MOBILE),
        Sender(SenderType.ALIAS, "EsempioNet"),
        Sender(SenderType.MOBILE, "not a number"),
        Sender("fax", "123"),
    ],
)
def test_outside_user_choice_only_the_implied_sender_is_accepted(
    requested: Sender, esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given shared_mobile with a validated alias around and Bob's own verified number
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SHARED_NUMBER, shared_mobile=SHARED_MOBILE, verified=True)
    give_mobile(bob, BOB_MOBILE)
    resolution = resolve_senders(fresh(bob))
    # when
    error = refusal(lambda: resolution.choose(requested, bob))
    # then (R-T2)
    assert error.code == ErrorCode.SENDER_NOT_ALLOWED
    assert SHARED_MOBILE in str(error.message)


def test_choosing_under_an_unusable_policy_raises_its_problem(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given the shared alias was revoked
    policy_of(esempio, SHARED_ALIAS, alias=alias_in(AliasStatus.REVOKED))
    resolution = resolve_senders(fresh(bob))
    # when
    error = refusal(lambda: resolution.choose(Sender(SenderType.ALIAS, "EsempioNet"), bob))
    # then (R-S2)
    assert error.code == ErrorCode.POLICY_UNUSABLE
    assert error.http_status == 422


def test_communicator_not_enabled_is_a_403_when_sending(esempio: Customer, alice: User) -> None:
    # given a user of Esempio without an extension
    carlo = create_user(
        esempio,
        UserData(email="carlo@esempio.example", first_name="Carlo", role=Role.USER),
        acting_user=alice,
        password="Centrex-Test-2026!",
    )
    # when
    error = refusal(lambda: resolve_senders(fresh(carlo)).choose(None, carlo))
    # then (API.md: 403 communicator_not_enabled)
    assert (error.code, error.http_status) == (ErrorCode.COMMUNICATOR_NOT_ENABLED, 403)


# --- trace: why this sender (traceability) ---------------------------------------------------


def test_the_trace_of_an_alias_names_its_registration(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias = alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SHARED_ALIAS, alias=alias)
    resolution = resolve_senders(fresh(bob))
    # when
    reason, facts = resolution.trace(resolution.choose(None, bob))
    # then
    assert facts["mode"] == SHARED_ALIAS
    assert facts["alias_id"] == alias.pk
    assert facts["alias_status"] == AliasStatus.VALIDATED
    assert facts["alias_registered_at"] == alias.registered_at.isoformat()
    assert "EsempioNet" in reason and "registered" in reason


def test_the_trace_of_the_shared_number_names_its_verification(
    esempio: Customer, bob: User
) -> None:
    # given
    policy = policy_of(esempio, SHARED_NUMBER, shared_mobile=SHARED_MOBILE, verified=True)
    resolution = resolve_senders(fresh(bob))
    # when
    reason, facts = resolution.trace(resolution.choose(None, bob))
    # then
    assert facts["number_verified_at"] == policy.shared_mobile_verified_at.isoformat()
    assert SHARED_MOBILE in reason


def test_the_trace_of_the_own_number(esempio: Customer, bob: User) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    resolution = resolve_senders(fresh(bob))
    # when
    reason, facts = resolution.trace(resolution.choose(None, bob))
    # then
    assert facts == {"mode": OWN, "type": SenderType.MOBILE, "value": BOB_MOBILE}
    assert "own verified mobile number" in reason


# --- Cost ------------------------------------------------------------------------------------


def test_with_the_policy_and_aliases_given_it_asks_the_database_nothing(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given everything already loaded (the policy page's preview for many users)
    aliases = [alias_in(AliasStatus.VALIDATED)]
    policy = policy_of(esempio, CHOICE)
    give_mobile(bob, BOB_MOBILE)
    user = fresh(bob)
    # when
    with CaptureQueriesContext(connection) as queries:
        resolution = resolve_senders(user, policy=policy, aliases=aliases)
    # then
    assert len(queries.captured_queries) == 0
    assert len(resolution.senders) == 2


def test_alone_it_costs_one_query_for_the_policy_and_one_for_the_aliases(
    esempio: Customer, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, CHOICE)
    user = fresh(bob)
    # when
    with CaptureQueriesContext(connection) as queries:
        resolve_senders(user)
    # then
    assert len(queries.captured_queries) == 2


def test_senders_serialise_as_the_api_shows_them() -> None:
    # then
    assert mobile(BOB_MOBILE).as_dict() == {"type": "mobile", "value": BOB_MOBILE}
    assert Sender(SenderType.ALIAS, "EsempioNet").as_dict() == {
        "type": "alias",
        "value": "EsempioNet",
    }
