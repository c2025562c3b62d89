"""Issue 11 moved models out of `sms` without copying a row: the sender policy to `senders`,
verification codes to `verification`, the dispatcher's lease and statistics to `smsc`
(state-only migrations: the tables stay). From the schema before the move, with data in it,
forwards, backwards and forwards again, every row is still there with the same id and values.

Runs with a transactional database (migrations cannot run inside the test's transaction) and
leaves the schema at the latest migrations, as the rest of the suite expects."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from centrex.accounts.models import User
from centrex.senders.models import SenderPolicy, SenderPolicyMode
from centrex.sms.models import SmsRequest
from centrex.smsc.models import DispatcherLease, DispatcherStats
from centrex.verification.codes import check_code, hash_code
from centrex.verification.models import VerificationCode, VerificationPurpose

# The last migration of `sms` before the move (issue 11).
BEFORE = [("sms", "0004_queue_references_without_constraints")]
SHARED = "+393471234567"
CODE = "424242"

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrate to `targets`; the apps (historical models) of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest() -> Iterator[list[tuple[str, str]]]:
    """Every app's last migration; the schema is brought back there whatever happens."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield leaves
    _migrate(leaves)


def _old_rows(apps: Any, alice: User) -> dict[str, Any]:
    """A policy with a verified shared number, a code sent for it (with its SMS request), a
    lease and a statistics row, made through the historical models of `sms`."""
    now = timezone.now().replace(microsecond=0)
    request = apps.get_model("sms", "SmsRequest").objects.create(
        customer_id=alice.customer_id,
        user_id=alice.pk,
        kind="verification",
        text="[verification code]",
        recipient_count=1,
        encoding="gsm7",
        parts=1,
        sender_type="alias",
        sender_value="Centrex",
        sender_ton=5,
        sender_npi=0,
    )
    policy = apps.get_model("sms", "SenderPolicy").objects.create(
        customer_id=alice.customer_id,
        mode=SenderPolicyMode.SHARED_MOBILE,
        shared_mobile_number=SHARED,
        shared_mobile_verified_at=now,
        updated_at=now,
        updated_by_id=alice.pk,
    )
    code = apps.get_model("sms", "VerificationCode").objects.create(
        purpose=VerificationPurpose.SHARED_MOBILE,
        number=SHARED,
        customer_id=alice.customer_id,
        user_id=alice.pk,
        code_hash=hash_code(purpose=VerificationPurpose.SHARED_MOBILE, number=SHARED, code=CODE),
        created_at=now,
        expires_at=now + timedelta(minutes=10),
        failed_attempts=2,
        sms_request_id=request.pk,
    )
    apps.get_model("sms", "DispatcherLease").objects.create(
        slot="sms-dispatcher", dispatcher_id="smsd-1", heartbeat_at=now, expires_at=now
    )
    stats = apps.get_model("sms", "DispatcherStats").objects.create(
        dispatcher_id="smsd-1",
        smsc="centrex@127.0.0.1:2775",
        counters={"submit_sm": 7},
        gauges={"binds_up": 1},
        started_at=now,
        updated_at=now,
    )
    return {
        "now": now,
        "request": request.pk,
        "policy": policy.pk,
        "code": code.pk,
        "stats": stats.pk,
    }


def _assert_rows_in_new_apps(rows: dict[str, Any], alice: User) -> None:
    now = rows["now"]
    policy = SenderPolicy.objects.get()
    assert (policy.pk, policy.customer_id, policy.mode) == (
        rows["policy"],
        alice.customer_id,
        SenderPolicyMode.SHARED_MOBILE,
    )
    assert (policy.shared_mobile_number, policy.shared_mobile_verified_at) == (SHARED, now)
    assert (policy.updated_at, policy.updated_by_id) == (now, alice.pk)
    code = VerificationCode.objects.get()
    assert (code.pk, code.purpose, code.number) == (
        rows["code"],
        VerificationPurpose.SHARED_MOBILE,
        SHARED,
    )
    assert (code.customer_id, code.user_id, code.failed_attempts) == (
        alice.customer_id,
        alice.pk,
        2,
    )
    assert (code.created_at, code.expires_at, code.used_at) == (
        now,
        now + timedelta(minutes=10),
        None,
    )
    assert code.sms_request_id == rows["request"]
    assert isinstance(code.sms_request, SmsRequest)
    lease = DispatcherLease.objects.get()
    assert (lease.slot, lease.dispatcher_id, lease.expires_at) == ("sms-dispatcher", "smsd-1", now)
    stats = DispatcherStats.objects.get()
    assert (stats.pk, stats.dispatcher_id, stats.smsc) == (
        rows["stats"],
        "smsd-1",
        "centrex@127.0.0.1:2775",
    )
    assert (stats.counters, stats.gauges) == ({"submit_sm": 7}, {"binds_up": 1})


def test_the_moved_models_keep_every_row_forwards_backwards_and_forwards_again(
    latest: list[tuple[str, str]], alice: User
) -> None:
    # given the schema before issue 11, with a policy, a code, a lease and statistics in it
    old_apps = _migrate(BEFORE)
    rows = _old_rows(old_apps, alice)
    # when migrated forwards
    _migrate(latest)
    # then every row is there, through the new apps' models
    _assert_rows_in_new_apps(rows, alice)
    # when migrated back to before the move
    old_apps = _migrate(BEFORE)
    # then the old models read the same rows
    assert old_apps.get_model("sms", "SenderPolicy").objects.get().pk == rows["policy"]
    assert old_apps.get_model("sms", "VerificationCode").objects.get().pk == rows["code"]
    assert old_apps.get_model("sms", "DispatcherLease").objects.count() == 1
    assert old_apps.get_model("sms", "DispatcherStats").objects.get().pk == rows["stats"]
    # when migrated forwards again
    _migrate(latest)
    # then the rows are still there, and the code sent before the move still verifies its
    # number (same table, same hash: R-M2)
    _assert_rows_in_new_apps(rows, alice)
    assert alice.customer is not None
    used = check_code(
        purpose=VerificationPurpose.SHARED_MOBILE,
        number=SHARED,
        customer=alice.customer,
        code=CODE,
    )
    assert used.pk == rows["code"]
