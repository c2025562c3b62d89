"""What one recording round of the dispatcher stores (`smsc.pipeline`): every outcome the SMSC
answered and every receipt it sent since the last round, in one transaction — on SQLite in the
writers' queue (`core.sqlite.writers`). Submissions go first, so receipts of the same round find
their parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from centrex.core.sqlite.writers import write_transaction
from centrex.sms.queue import (
    Failure,
    IncomingReceipt,
    Submission,
    mark_failed,
    mark_submitted,
    mark_transient_failure,
    record_receipts,
    release_claims,
)


@dataclass
class OutcomeBatch:
    """Everything one recording round stores, in one transaction."""

    dispatcher_id: str
    submissions: list[Submission] = field(default_factory=list)
    # (message id, error text, seconds until the retry)
    transients: list[tuple[int, str, float]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    receipts: list[IncomingReceipt] = field(default_factory=list)
    released: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.submissions or self.transients or self.failures or self.receipts or self.released
        )


def record_outcomes(batch: OutcomeBatch) -> int:
    """Store a round (database thread): submissions first, so receipts of the same round find
    their parts. Returns how many receipts matched a part."""
    now = timezone.now()
    groups: dict[tuple[str, float], list[int]] = {}
    for message_id, error, delay in batch.transients:
        # A few retry times per round, not one statement per message.
        groups.setdefault((error, round(delay, 1)), []).append(message_id)
    with write_transaction():
        mark_submitted(batch.submissions)
        for (error, delay), ids in groups.items():
            mark_transient_failure(ids, error, now + timedelta(seconds=delay))
        mark_failed(batch.failures)
        if batch.released:
            release_claims(batch.dispatcher_id, batch.released)
        return record_receipts(batch.receipts) if batch.receipts else 0
