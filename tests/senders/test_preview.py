"""The preview of a sender policy option before saving it (R-S4): who of the company could send
with it and why the others could not, at a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus
from centrex.core.errors import ErrorCode
from centrex.customers.actions import provision_extensions
from centrex.customers.models import Customer, Extension
from centrex.senders.actions import preview_policy
from centrex.senders.models import SenderPolicy, SenderPolicyMode
from tests.conftest import PASSWORD
from tests.plugins.policy_cast import BOB_MOBILE, AliasIn, give_mobile

OWN = SenderPolicyMode.OWN_MOBILE
SHARED_ALIAS = SenderPolicyMode.SHARED_ALIAS
CHOICE = SenderPolicyMode.USER_CHOICE


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """The reasons are checked in their English source."""
    with translation.override("en"):
        yield


def test_the_preview_counts_who_could_send_and_says_why_not(
    esempio: Customer, alice: User, bob: User, alias_in: AliasIn
) -> None:
    # given Alice with a verified number, Bob with one not verified, Carlo without extension
    give_mobile(alice, "+393331112223")
    give_mobile(bob, BOB_MOBILE, verified=False)
    create_user(
        esempio,
        UserData(email="carlo@esempio.example", first_name="Carlo", last_name="Zeta"),
        acting_user=alice,
        password=PASSWORD,
    )
    # when own_mobile is previewed
    preview = preview_policy(esempio, SenderPolicy(customer=esempio, mode=OWN))
    # then
    assert (preview.total, preview.can_send, preview.problem) == (3, 1, None)
    reasons = {row.user.first_name: row.reason for row in preview.blocked}
    assert reasons == {
        "Bob": "Mobile number not verified yet: the user must enter the code sent by SMS.",
        "Carlo": ("Communicator not enabled: no IP Centrex extension is associated with the user."),
    }
    # and a validated alias as the shared one lets every enabled user send
    alias = alias_in(AliasStatus.VALIDATED)
    shared = preview_policy(
        esempio, SenderPolicy(customer=esempio, mode=SHARED_ALIAS, shared_alias=alias)
    )
    assert (shared.can_send, [r.user.first_name for r in shared.blocked]) == (2, ["Carlo"])


def test_the_preview_of_an_unusable_option_says_why_for_everyone(
    esempio: Customer, alice: User, bob: User
) -> None:
    # when shared_alias without an alias is previewed
    preview = preview_policy(esempio, SenderPolicy(customer=esempio, mode=SHARED_ALIAS))
    # then
    assert preview.can_send == 0
    assert preview.problem is not None and preview.problem.code == ErrorCode.POLICY_UNUSABLE
    assert {row.reason for row in preview.blocked} == {"The option cannot be used: see above."}


def test_the_preview_of_user_choice_without_anything_to_choose(
    esempio: Customer, alice: User
) -> None:
    # when
    preview = preview_policy(esempio, SenderPolicy(customer=esempio, mode=CHOICE))
    # then
    [row] = preview.blocked
    assert "no validated alias" in row.reason


def test_the_preview_costs_the_same_queries_for_3_or_60_users(
    esempio: Customer, operator: User, alice: User, bob: User, alias_in: AliasIn
) -> None:
    # given
    alias_in(AliasStatus.VALIDATED)
    candidate = SenderPolicy(customer=esempio, mode=CHOICE)

    def queries() -> int:
        customer = Customer.objects.get(pk=esempio.pk)
        with CaptureQueriesContext(connection) as captured:
            preview = preview_policy(customer, candidate)
            assert all(
                row.user.extension is None or row.user.extension.number for row in preview.users
            )
        return len(captured.captured_queries)

    few = queries()
    # when 60 more users join
    provision_extensions(esempio, [str(n) for n in range(500, 560)], acting_user=operator)
    free = list(Extension.objects.filter(customer=esempio).free().in_number_order())
    User.objects.bulk_create(
        [
            User(
                customer=esempio,
                email=f"utente{i}@esempio.example",
                extension=free[i] if i % 2 else None,
                mobile_number=f"+39333000{i:04d}" if i % 3 else "",
                mobile_verified=bool(i % 3),
            )
            for i in range(60)
        ]
    )
    many = queries()
    # then
    assert few == many == 2
    assert preview_policy(esempio, candidate).total == 62
