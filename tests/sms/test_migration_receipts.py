"""Issue 13: `sms.0008_receipt_waiting_once` adds the constraint that stores a waiting receipt
once; receipts stored twice before it (an SMSC sending again after a reconnect) are merged
first, the oldest of each staying. Runs with a transactional database and leaves the schema at
the latest migrations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from centrex.sms.models import SmsReceipt

BEFORE = [("sms", "0007_usage_days")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def latest() -> Iterator[list[tuple[str, str]]]:
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    yield leaves
    MigrationExecutor(connection).migrate(leaves)


def test_receipts_stored_twice_are_merged_before_the_constraint(
    latest: list[tuple[str, str]],
) -> None:
    # given, before the migration, a receipt stored three times while waiting, one with
    # another state, and one matched long ago with the same id
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    receipt = executor.loader.project_state(BEFORE).apps.get_model("sms", "SmsReceipt")
    rows = [
        ("1a2b", "delivered", False),
        ("1a2b", "delivered", False),
        ("1a2b", "enroute", False),
        ("1a2b", "delivered", False),
        ("1a2b", "delivered", True),
    ]
    ids = [
        receipt.objects.create(id_key=key, candidates=[key], state=state, matched=matched).id
        for key, state, matched in rows
    ]
    # when the schema is migrated
    MigrationExecutor(connection).migrate(latest)
    # then the oldest of the waiting copies stays, with the other state and the matched one
    assert sorted(SmsReceipt.objects.values_list("id", flat=True)) == [ids[0], ids[2], ids[4]]
