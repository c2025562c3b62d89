"""The alias actions: who may do what, the lifecycle (R-A6), the authorisation (R-A7), name
collisions (R-A4), the history of every change, and the operators' word lists (R-A4b)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import User
from centrex.aliases.access import access_alias, require_alias_admin
from centrex.aliases.actions.checking import check_alias_text
from centrex.aliases.actions.decisions import (
    approve_alias,
    reject_alias,
    retry_registration,
    revoke_alias,
)
from centrex.aliases.actions.lifecycle import create_alias, delete_alias, submit_alias
from centrex.aliases.actions.word_lists import (
    add_generic_word,
    add_reserved_name,
    remove_generic_word,
    remove_reserved_name,
    set_extended_charset,
)
from centrex.aliases.consent import CURRENT_CONSENT_VERSION, consent_wording
from centrex.aliases.models import (
    ALLOWED_TRANSITIONS,
    AliasConsent,
    AliasEvent,
    AliasEventAction,
    AliasStatus,
    GenericWord,
    ReservedName,
    SenderAlias,
)
from centrex.aliases.wordlists import GENERIC_WORDS, RESERVED_NAMES
from centrex.core.errors import DomainError, ErrorCode, NotFound, PermissionDenied
from centrex.customers.models import Customer
from tests.aliases.conftest import AliasInStatus
from tests.aliases.lifecycle import CLIENT_IP

ALL_STATUSES = [status.value for status in AliasStatus]


def events_of(alias: SenderAlias) -> list[str]:
    return list(
        AliasEvent.objects.filter(alias=alias).order_by("id").values_list("action", flat=True)
    )


def submit(alias: SenderAlias, user: User, **kwargs: Any) -> SenderAlias:
    options: dict[str, Any] = {"consent": True, "ip_address": CLIENT_IP, "language": "it"}
    options.update(kwargs)
    return submit_alias(alias, acting_user=user, **options)


# --- Checking (no side effect) --------------------------------------------------------------


def test_checking_an_alias_saves_nothing_and_lists_every_broken_rule(
    alice: User, esempio: Customer
) -> None:
    # given
    before = (SenderAlias.objects.count(), AliasEvent.objects.count())
    # when
    check = check_alias_text(esempio, "Esempio  ☺€€€€€€")
    # then
    codes = {error.code for error in check.errors}
    assert not check.valid
    assert {
        ErrorCode.ALIAS_TOO_LONG,
        ErrorCode.ALIAS_BAD_SPACING,
        ErrorCode.ALIAS_INVALID_CHARACTERS,
    } <= codes
    assert (SenderAlias.objects.count(), AliasEvent.objects.count()) == before


def test_checking_gives_the_relatedness_hint_r_a5(esempio: Customer) -> None:
    # when
    check = check_alias_text(esempio, "EsempioNet")
    # then
    assert check.valid
    assert check.relatedness >= 0.9
    assert check.matched == "EsempioNet"


def test_a_consumer_gets_only_the_business_only_error_r_a3(privato: Customer) -> None:
    # when
    check = check_alias_text(privato, "Dario")
    # then
    assert not check.valid
    assert [error.code for error in check.errors] == [ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Comune Roma", ErrorCode.ALIAS_RESERVED),
        ("INFO", ErrorCode.ALIAS_GENERIC),
        ("Polizia", ErrorCode.ALIAS_RESERVED),
    ],
)
def test_the_seeded_word_lists_are_applied_r_a4b(esempio: Customer, text: str, code: str) -> None:
    # when
    check = check_alias_text(esempio, text)
    # then
    assert code in {error.code for error in check.errors}


# --- aggiungi -------------------------------------------------------------------------------


def test_aggiungi_creates_a_draft_with_its_history(alice: User, esempio: Customer) -> None:
    # when
    alias = create_alias(esempio, "Esempio", acting_user=alice, ip_address=CLIENT_IP)
    # then
    assert alias.status == AliasStatus.DRAFT
    assert alias.match_key == "esempio"
    assert alias.created_by == alice
    assert alias.relatedness == 1.0
    event = AliasEvent.objects.get(alias=alias)
    assert event.action == AliasEventAction.CREATED
    assert (event.from_status, event.to_status) == ("", AliasStatus.DRAFT)
    assert (event.actor, event.actor_email, event.actor_is_operator) == (alice, alice.email, False)
    assert event.ip_address == CLIENT_IP


def test_a_broken_rule_refuses_the_alias_with_its_code(alice: User, esempio: Customer) -> None:
    # when
    with pytest.raises(DomainError) as raised:
        create_alias(esempio, "3331234567", acting_user=alice)
    # then
    assert raised.value.code == ErrorCode.ALIAS_NO_LETTER
    assert ErrorCode.ALIAS_LOOKS_LIKE_PHONE_NUMBER in {e.code for e in raised.value.errors}
    assert not SenderAlias.objects.exists()


def test_a_consumer_admin_cannot_add_aliases_r_a3(dario: User, privato: Customer) -> None:
    # when
    with pytest.raises(DomainError) as raised:
        create_alias(privato, "Dario", acting_user=dario)
    # then
    assert raised.value.code == ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED
    assert raised.value.http_status == 403


def test_a_plain_user_cannot_add_aliases(bob: User, esempio: Customer) -> None:
    with pytest.raises(PermissionDenied):
        create_alias(esempio, "Esempio", acting_user=bob)


def test_another_customers_admin_cannot_add_aliases_for_esempio(
    carla: User, esempio: Customer
) -> None:
    with pytest.raises(NotFound):
        create_alias(esempio, "Esempio", acting_user=carla)


def test_an_operator_may_add_an_alias_for_a_customer(operator: User, esempio: Customer) -> None:
    # when
    alias = create_alias(esempio, "Esempio", acting_user=operator)
    # then
    event = AliasEvent.objects.get(alias=alias)
    assert event.actor_is_operator


# --- R-A4: duplicates and names taken by another company ------------------------------------


@pytest.mark.parametrize("variant", ["Esempio", "ESEMPIO", "esempio", "E sempio", "E-sempio!"])
def test_the_same_name_twice_is_a_duplicate_r_a4(
    alias_in: AliasInStatus, alice: User, esempio: Customer, variant: str
) -> None:
    # given
    alias_in(AliasStatus.DRAFT, "Esempio")
    # when
    with pytest.raises(DomainError) as raised:
        create_alias(esempio, variant, acting_user=alice)
    # then
    assert raised.value.code == ErrorCode.ALIAS_DUPLICATE
    assert raised.value.http_status == 409


@pytest.mark.parametrize("status", [AliasStatus.PENDING, AliasStatus.VALIDATED])
@pytest.mark.parametrize("variant", ["esempio", "ESEMPIO", "E.Sempio", "e sempio", "Esempio!"])
def test_a_name_pending_or_validated_for_another_company_is_taken_r_a4(
    alias_in: AliasInStatus, carla: User, altra: Customer, status: str, variant: str
) -> None:
    # given
    alias_in(status, "Esempio")
    # when
    with pytest.raises(DomainError) as raised:
        create_alias(altra, variant, acting_user=carla)
    # then
    assert raised.value.code == ErrorCode.ALIAS_TAKEN
    assert "Esempio S.r.l." not in str(raised.value.message)  # R-C3: nothing of the other company


@pytest.mark.parametrize(
    "status", [AliasStatus.DRAFT, AliasStatus.REJECTED, AliasStatus.REVOKED, AliasStatus.WITHDRAWN]
)
def test_a_name_another_company_does_not_claim_is_free(
    alias_in: AliasInStatus, carla: User, altra: Customer, status: str
) -> None:
    # given
    alias_in(status, "Esempio")
    # when
    alias = create_alias(altra, "Esempio", acting_user=carla)
    # then
    assert alias.status == AliasStatus.DRAFT


def test_the_name_is_checked_again_at_submission_r_a4(
    alice: User, esempio: Customer, carla: User, altra: Customer
) -> None:
    # given two drafts of one name, and Altra asks first
    mine = create_alias(esempio, "Ciao Mondo", acting_user=alice)
    theirs = create_alias(altra, "ciao mondo", acting_user=carla)
    submit(theirs, carla)
    # when
    with pytest.raises(DomainError) as raised:
        submit(mine, alice)
    # then
    assert raised.value.code == ErrorCode.ALIAS_TAKEN
    mine.refresh_from_db()
    assert mine.status == AliasStatus.DRAFT
    assert not AliasConsent.objects.filter(alias=mine).exists()


def test_the_name_is_checked_again_at_approval_r_a4(
    alice: User, esempio: Customer, carla: User, altra: Customer, operator: User
) -> None:
    # given Esempio's request, and (by whatever path) Altra's same name already validated
    theirs = create_alias(altra, "CiaoMondo", acting_user=carla)
    mine = submit(create_alias(esempio, "Ciao Mondo", acting_user=alice), alice)
    SenderAlias.objects.filter(pk=theirs.pk).update(status=AliasStatus.VALIDATED)
    # when
    with pytest.raises(DomainError) as raised:
        approve_alias(mine, acting_user=operator)
    # then
    assert raised.value.code == ErrorCode.ALIAS_TAKEN
    mine.refresh_from_db()
    assert (mine.status, mine.approved_at) == (AliasStatus.PENDING, None)


def test_a_rule_list_changed_since_the_draft_is_applied_at_submission(
    draft_alias: SenderAlias, alice: User, operator: User
) -> None:
    # given the operator reserves the draft's name meanwhile
    add_reserved_name("Esempio", acting_user=operator)
    # when
    with pytest.raises(DomainError) as raised:
        submit(draft_alias, alice)
    # then
    assert raised.value.code == ErrorCode.ALIAS_RESERVED


def test_on_sqlite_every_transaction_takes_the_write_lock_at_begin_r_a4() -> None:
    # R-A4's check-then-claim is serialised on SQLite by BEGIN IMMEDIATE (PostgreSQL: an
    # advisory lock, tested below; the in-memory test database cannot show a writer waiting)
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.skipif(
    "config.getoption('db') != 'postgres'",
    reason="needs two real connections waiting on each other: PostgreSQL (--db=postgres)",
)
@pytest.mark.django_db(transaction=True)
def test_two_companies_submitting_one_name_at_once_cannot_both_claim_it_r_a4(
    alice: User, esempio: Customer, carla: User, altra: Customer
) -> None:
    # given two drafts of one name
    mine = create_alias(esempio, "Ciao Mondo", acting_user=alice)
    theirs = create_alias(altra, "CIAO MONDO", acting_user=carla)
    first_holds_lock = threading.Event()
    release_first = threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                outcome["first"] = submit(theirs, carla).status
                first_holds_lock.set()
                release_first.wait(10)
        except Exception as error:  # reported below
            outcome["first"] = error
            first_holds_lock.set()
        finally:
            connection.close()

    def second() -> None:
        try:
            outcome["second"] = submit(mine, alice).status
        except DomainError as error:
            outcome["second"] = error.code
        except Exception as error:  # reported below
            outcome["second"] = error
        finally:
            connection.close()

    # when Altra's submission is in flight (its transaction still open) and Esempio submits
    one = threading.Thread(target=first)
    one.start()
    assert first_holds_lock.wait(10)
    two = threading.Thread(target=second)
    two.start()
    two.join(0.5)
    waited = two.is_alive()
    release_first.set()
    one.join(10)
    two.join(20)
    # then Esempio's waited for Altra's to finish, and then found the name taken
    assert outcome["first"] == AliasStatus.PENDING, outcome
    assert waited, outcome
    assert outcome["second"] == ErrorCode.ALIAS_TAKEN
    claiming = SenderAlias.objects.filter(
        match_key="ciaomondo", status__in=[AliasStatus.PENDING, AliasStatus.VALIDATED]
    )
    assert list(claiming.values_list("customer_id", flat=True)) == [altra.pk]


@pytest.mark.django_db(transaction=True)
def test_the_word_lists_are_seeded_and_the_seed_can_be_reversed_r_a4b() -> None:
    try:
        # given the seed migration applied afresh, and an entry of the operators' own
        leaves = MigrationExecutor(connection).loader.graph.leaf_nodes("aliases")
        migrate_to([("aliases", "0001_initial")])
        migrate_to(leaves)
        assert ReservedName.objects.filter(name="Carabinieri").exists()
        assert GenericWord.objects.filter(word="Info").exists()
        ReservedName.objects.create(name="Consorzio Bonifica")
        # when the seed migration is reversed
        migrate_to([("aliases", "0001_initial")])
        # then only the operators' entry is left
        assert list(ReservedName.objects.values_list("name", flat=True)) == ["Consorzio Bonifica"]
        assert not GenericWord.objects.exists()
        # when it is applied again
        migrate_to(leaves)
        # then every seed entry is back, once
        assert ReservedName.objects.count() == len(set(RESERVED_NAMES)) + 1
        assert GenericWord.objects.count() == len(set(GENERIC_WORDS))
    finally:
        # going back to aliases' first migration unapplied the other apps' migrations that
        # depend on it: the tests after this one get the whole schema back
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())


def migrate_to(targets: list[tuple[str, str]]) -> None:
    """Migrate the test database to `targets`, with a fresh view of what is applied."""
    MigrationExecutor(connection).migrate(targets)


# --- invia richiesta and the AGCOM authorisation (R-A7) ----------------------------------


def test_invia_richiesta_without_the_authorisation_is_refused_r_a7(
    draft_alias: SenderAlias, alice: User
) -> None:
    # when
    with pytest.raises(DomainError) as raised:
        submit(draft_alias, alice, consent=False)
    # then
    assert raised.value.code == ErrorCode.CONSENT_REQUIRED
    assert raised.value.http_status == 422
    draft_alias.refresh_from_db()
    assert draft_alias.status == AliasStatus.DRAFT
    assert not AliasConsent.objects.exists()


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_authorisation_is_recorded_word_for_word_r_a7(
    draft_alias: SenderAlias, alice: User, language: str
) -> None:
    # when
    alias = submit(draft_alias, alice, language=language, ip_address="2001:db8::7")
    # then
    consent = AliasConsent.objects.get(alias=alias)
    assert consent.given_by == alice
    assert consent.given_by_email == "alice@esempio.example"
    assert consent.ip_address == "2001:db8::7"
    assert consent.wording_version == CURRENT_CONSENT_VERSION
    assert consent.wording_language == language
    assert consent.wording == consent_wording(language)
    assert "AGCOM" in consent.wording
    assert consent.customer_id == alias.customer_id
    assert consent.alias_text == "Esempio"


def test_invia_richiesta_makes_the_alias_pending_with_its_due_time(
    draft_alias: SenderAlias, alice: User
) -> None:
    # when
    alias = submit(draft_alias, alice)
    # then
    assert alias.status == AliasStatus.PENDING
    assert alias.submitted_at is not None
    assert alias.due_at is not None
    assert alias.due_at > alias.submitted_at
    assert alias.requested_by == alice
    assert events_of(alias) == ["created", "submitted", "consent_given"]
    submitted = AliasEvent.objects.get(alias=alias, action="submitted")
    assert (submitted.from_status, submitted.to_status) == ("draft", "pending")
    assert submitted.ip_address == CLIENT_IP


def test_a_plain_user_cannot_send_the_request(draft_alias: SenderAlias, bob: User) -> None:
    with pytest.raises(PermissionDenied):
        submit(draft_alias, bob)


def test_another_customers_admin_cannot_send_the_request(
    draft_alias: SenderAlias, carla: User
) -> None:
    with pytest.raises(NotFound):
        submit(draft_alias, carla)


# --- The lifecycle, every move allowed and forbidden (R-A6) ---------------------------------

ACTIONS: dict[str, Callable[[SenderAlias, User, User], SenderAlias | None]] = {
    "submit": lambda alias, admin, operator: submit(alias, admin),
    "delete": lambda alias, admin, operator: delete_alias(alias, acting_user=admin),
    "approve": lambda alias, admin, operator: approve_alias(alias, acting_user=operator),
    "reject": lambda alias, admin, operator: reject_alias(alias, "No.", acting_user=operator),
    "revoke": lambda alias, admin, operator: revoke_alias(alias, "No.", acting_user=operator),
}
# (action, status before) → status after; None: the alias is deleted. Anything not listed
# answers invalid_transition.
OUTCOMES: dict[tuple[str, str], str | None] = {
    ("submit", "draft"): "pending",
    ("delete", "draft"): None,
    ("delete", "pending"): "draft",
    ("delete", "validated"): "withdrawn",
    ("delete", "rejected"): None,
    ("approve", "pending"): "validated",
    ("reject", "pending"): "rejected",
    ("revoke", "validated"): "revoked",
}


def test_the_outcomes_follow_the_transition_table_r_a6() -> None:
    for (_action, before), after in OUTCOMES.items():
        assert after is None or after in ALLOWED_TRANSITIONS[before]
    moves = {(before, after) for (_a, before), after in OUTCOMES.items() if after is not None}
    table = {
        (before, after) for before, targets in ALLOWED_TRANSITIONS.items() for after in targets
    }
    assert moves == table


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_move_of_the_lifecycle_r_a6(
    alias_in: AliasInStatus, alice: User, operator: User, status: str, action: str
) -> None:
    # given
    alias = alias_in(status)
    events_before = AliasEvent.objects.count()
    # when / then
    if (action, status) in OUTCOMES:
        result = ACTIONS[action](alias, alice, operator)
        expected = OUTCOMES[(action, status)]
        if expected is None:
            assert result is None
            assert not SenderAlias.objects.filter(pk=alias.pk).exists()
        else:
            assert result is not None
            assert result.status == expected
            assert SenderAlias.objects.get(pk=alias.pk).status == expected
        assert AliasEvent.objects.count() > events_before
    else:
        with pytest.raises(DomainError) as raised:
            ACTIONS[action](alias, alice, operator)
        assert raised.value.code == ErrorCode.INVALID_TRANSITION
        assert raised.value.http_status == 409
        assert SenderAlias.objects.get(pk=alias.pk).status == status
        assert AliasEvent.objects.count() == events_before


def test_a_rejected_alias_is_not_resubmitted(alias_in: AliasInStatus, alice: User) -> None:
    # given
    alias = alias_in(AliasStatus.REJECTED)
    # when
    with pytest.raises(DomainError) as raised:
        submit(alias, alice)
    # then
    assert raised.value.code == ErrorCode.INVALID_TRANSITION


def test_deleting_keeps_the_history_without_the_alias(
    draft_alias: SenderAlias, alice: User
) -> None:
    # given
    alias_id = draft_alias.pk
    # when
    assert delete_alias(draft_alias, acting_user=alice, ip_address=CLIENT_IP) is None
    # then
    assert not SenderAlias.objects.filter(pk=alias_id).exists()
    events = AliasEvent.objects.filter(alias_text="Esempio").order_by("id")
    assert [(e.action, e.alias_id) for e in events] == [("created", None), ("deleted", None)]
    deleted = events.last()
    assert deleted is not None
    assert (deleted.from_status, deleted.to_status, deleted.ip_address) == ("draft", "", CLIENT_IP)


def test_deleting_a_rejected_alias_frees_its_name(
    alias_in: AliasInStatus, alice: User, esempio: Customer
) -> None:
    # given
    rejected = alias_in(AliasStatus.REJECTED)
    delete_alias(rejected, acting_user=alice)
    # when
    again = create_alias(esempio, "Esempio", acting_user=alice)
    # then
    assert again.status == AliasStatus.DRAFT


def test_cancelling_a_request_forgets_its_due_time(pending_alias: SenderAlias, alice: User) -> None:
    # when
    alias = delete_alias(pending_alias, acting_user=alice)
    # then
    assert alias is not None
    assert (alias.status, alias.submitted_at, alias.due_at) == ("draft", None, None)
    assert events_of(alias)[-1] == "cancelled"


def test_a_request_approved_but_not_yet_registered_cannot_be_cancelled(
    pending_alias: SenderAlias, alice: User, operator: User, settings: Any
) -> None:
    # given the registry is down when the operator approves
    settings.CENTREX_ALIAS_REGISTRY = "http://127.0.0.1:9/registry"
    approved = approve_alias(pending_alias, acting_user=operator)
    assert approved.status == AliasStatus.PENDING
    # when
    with pytest.raises(DomainError) as raised:
        delete_alias(approved, acting_user=alice)
    # then
    assert raised.value.code == ErrorCode.INVALID_TRANSITION
    assert SenderAlias.objects.get(pk=approved.pk).status == AliasStatus.PENDING


def test_approval_records_who_and_when_then_validates(
    pending_alias: SenderAlias, operator: User
) -> None:
    # when
    alias = approve_alias(pending_alias, acting_user=operator, ip_address="198.51.100.5")
    # then
    assert alias.status == AliasStatus.VALIDATED
    assert (alias.approved_by, alias.decided_by) == (operator, operator)
    assert alias.approved_at is not None and alias.decided_at is not None
    assert alias.registry_state == "accepted"
    assert alias.registry_attempts == 1
    assert events_of(alias)[-3:] == ["approved", "registry_accepted", "validated"]
    approved = AliasEvent.objects.get(alias=alias, action="approved")
    assert approved.actor_is_operator and approved.ip_address == "198.51.100.5"
    validated = AliasEvent.objects.get(alias=alias, action="validated")
    assert (validated.from_status, validated.to_status) == ("pending", "validated")


def test_rejection_needs_a_reason(pending_alias: SenderAlias, operator: User) -> None:
    for reason in ["", "   \n "]:
        # when
        with pytest.raises(DomainError) as raised:
            reject_alias(pending_alias, reason, acting_user=operator)
        # then
        assert raised.value.code == ErrorCode.VALIDATION_ERROR
        assert raised.value.field == "reason"
    assert SenderAlias.objects.get(pk=pending_alias.pk).status == AliasStatus.PENDING


def test_rejection_records_the_reason(pending_alias: SenderAlias, operator: User) -> None:
    # when
    alias = reject_alias(pending_alias, "  Non inerente.  ", acting_user=operator)
    # then
    assert (alias.status, alias.reason, alias.decided_by) == ("rejected", "Non inerente.", operator)
    event = AliasEvent.objects.get(alias=alias, action="rejected")
    assert (event.from_status, event.to_status, event.reason) == (
        "pending",
        "rejected",
        "Non inerente.",
    )


def test_revocation_needs_a_reason_and_makes_the_alias_unusable_r_a11(
    validated_alias: SenderAlias, operator: User
) -> None:
    # given
    assert SenderAlias.objects.usable().filter(pk=validated_alias.pk).exists()
    with pytest.raises(DomainError):
        revoke_alias(validated_alias, " ", acting_user=operator)
    # when
    alias = revoke_alias(validated_alias, "Segnalazione AGCOM.", acting_user=operator)
    # then
    assert alias.status == AliasStatus.REVOKED
    assert not SenderAlias.objects.usable().filter(pk=alias.pk).exists()
    assert events_of(alias)[-2:] == ["revoked", "unusable"]


def test_withdrawal_makes_the_alias_unusable_r_a11(
    validated_alias: SenderAlias, alice: User
) -> None:
    # when
    alias = delete_alias(validated_alias, acting_user=alice)
    # then
    assert alias is not None and alias.status == AliasStatus.WITHDRAWN
    assert not SenderAlias.objects.usable().filter(pk=alias.pk).exists()
    assert events_of(alias)[-2:] == ["withdrawn", "unusable"]


@pytest.mark.parametrize("who", ["alice", "bob", "carla"])
def test_only_operators_decide(
    pending_alias: SenderAlias, who: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(who)
    for decide in (
        lambda: approve_alias(pending_alias, acting_user=user),
        lambda: reject_alias(pending_alias, "No.", acting_user=user),
        lambda: retry_registration(pending_alias, acting_user=user),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    assert SenderAlias.objects.get(pk=pending_alias.pk).status == AliasStatus.PENDING


def test_only_operators_revoke(validated_alias: SenderAlias, alice: User) -> None:
    with pytest.raises(PermissionDenied):
        revoke_alias(validated_alias, "No.", acting_user=alice)


def test_retrying_an_alias_that_is_not_awaiting_registration_is_refused(
    pending_alias: SenderAlias, operator: User
) -> None:
    with pytest.raises(DomainError) as raised:
        retry_registration(pending_alias, acting_user=operator)
    assert raised.value.code == ErrorCode.INVALID_TRANSITION


# --- Access (R-C3, R-A3) ---------------------------------------------------------------------


def test_access_to_an_alias_is_by_tenancy(
    draft_alias: SenderAlias, alice: User, bob: User, carla: User, operator: User
) -> None:
    assert access_alias(alice, draft_alias.pk) == draft_alias
    assert access_alias(bob, str(draft_alias.pk)) == draft_alias
    assert access_alias(operator, draft_alias.pk) == draft_alias
    for user, alias_id in [
        (carla, draft_alias.pk),
        (alice, draft_alias.pk + 1000),
        (alice, "abc"),
        (alice, 10**30),
        (alice, -1),
    ]:
        with pytest.raises(NotFound):
            access_alias(user, alias_id)


def test_only_admins_of_business_customers_manage_aliases(
    alice: User, bob: User, dario: User, operator: User
) -> None:
    assert require_alias_admin(alice) == alice
    with pytest.raises(PermissionDenied):
        require_alias_admin(bob)
    with pytest.raises(PermissionDenied):
        require_alias_admin(operator)
    with pytest.raises(DomainError) as raised:
        require_alias_admin(dario)
    assert raised.value.code == ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED


def test_a_consumers_plain_user_is_told_r_a3_and_anonymous_or_inactive_callers_are_refused(
    alice: User, dario: User, privato: Customer, operator: User
) -> None:
    # given a plain user of the consumer customer, and Alice deactivated
    plain = create_user(
        privato,
        UserData(email="figlio@privato.example", first_name="Figlio", last_name="Neri"),
        acting_user=operator,
        password="x" * 12,
    )
    User.objects.filter(pk=alice.pk).update(is_active=False)
    alice.refresh_from_db()

    # then R-A3 comes before the role, as it does for the API
    with pytest.raises(DomainError) as raised:
        require_alias_admin(plain)
    assert raised.value.code == ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED
    for caller in (AnonymousUser(), alice):
        with pytest.raises(PermissionDenied):
            require_alias_admin(caller)


# --- The operators' word lists and charset setting (R-A4b, R-A1) ---------------------------


def test_an_operator_adds_and_removes_reserved_names(operator: User, esempio: Customer) -> None:
    # when
    entry = add_reserved_name("  Consorzio   Bonifica ", acting_user=operator)
    # then
    assert entry.name == "Consorzio Bonifica"
    assert ErrorCode.ALIAS_RESERVED in {
        e.code for e in check_alias_text(esempio, "Consorzio Bonifica").errors
    }
    # when
    remove_reserved_name(entry, acting_user=operator)
    # then
    assert not ReservedName.objects.filter(name="Consorzio Bonifica").exists()
    assert check_alias_text(esempio, "Consorzio").valid


def test_an_operator_adds_and_removes_generic_words(operator: User, esempio: Customer) -> None:
    # when
    entry = add_generic_word("Tombola", acting_user=operator)
    # then
    assert ErrorCode.ALIAS_GENERIC in {e.code for e in check_alias_text(esempio, "TOMBOLA").errors}
    remove_generic_word(entry, acting_user=operator)
    assert not GenericWord.objects.filter(word="Tombola").exists()


@pytest.mark.parametrize("value", ["comune", "COMUNE", "Comùne", "", "  ", "!!"])
def test_a_list_entry_already_there_or_empty_is_refused(operator: User, value: str) -> None:
    with pytest.raises(DomainError) as raised:
        add_reserved_name(value, acting_user=operator)
    assert raised.value.code == ErrorCode.VALIDATION_ERROR
    assert raised.value.field == "name"


def test_customers_cannot_edit_the_lists(alice: User) -> None:
    with pytest.raises(PermissionDenied):
        add_generic_word("Tombola", acting_user=alice)
    with pytest.raises(PermissionDenied):
        set_extended_charset(True, acting_user=alice)


def test_the_extended_charset_setting_widens_the_rule_r_a1(
    operator: User, esempio: Customer
) -> None:
    # given
    assert not check_alias_text(esempio, "Esempio&Co").valid
    # when
    set_extended_charset(True, acting_user=operator)
    # then
    assert check_alias_text(esempio, "Esempio&Co").valid
    set_extended_charset(False, acting_user=operator)
    assert not check_alias_text(esempio, "Esempio&Co").valid
