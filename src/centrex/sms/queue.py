"""The dispatcher's side of the durable SMS queue (R-T4, R-T5, DESIGN "SMS pipeline").

Everything works on batches with a fixed number of statements per batch, never one per row:
the dispatcher claims a batch, sends it, and records the outcome of the whole batch at once.

- `claim_batch` marks due `queued` messages with the dispatcher's lease before they are sent.
  A dispatcher that dies leaves its claims to expire; the next claim takes them again, so a
  crash duplicates at most the in-flight window and never loses a message. On PostgreSQL the
  claim skips rows other dispatchers are claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one
  dispatcher, which `centrex.smsc.lease` enforces.
- `mark_submitted`, `mark_transient_failure`, `mark_failed`, `release_claims` record what the
  SMSC answered (or that the dispatcher stops).
- `record_receipts` matches delivery receipts to parts by their normalised SMSC id; a receipt
  that arrives before its part was stored is kept and `match_pending_receipts` matches it later.
- `expire_unreceipted` is the receipts' sweep: a message still `submitted` when its validity
  period and the grace after it have passed becomes `expired` with `no_receipt` (R-T5).
- `fail_queued_with_alias` stops the queued messages of an alias that stopped being usable
  (R-A11).

Statuses only move along `models.ALLOWED_TRANSITIONS`: each statement filters on the statuses
the table allows to reach its target (`statuses_before`, `SmsMessageQuerySet.move_to`), so a
row that has moved on meanwhile is left alone and no status ever moves back. A receipt for a
part that already has a final one changes nothing (the first final receipt stays), and one
waiting for its part is stored once, however often the SMSC sends it.

The recording functions run in one transaction of their own, or in the caller's (the dispatcher
records a whole round at once) without savepoints: a savepoint is a round trip to the database
per call, and a failure aborts the caller's transaction anyway.

The hot statements (the claim, the reads of claimed rows and parts, the moves of statuses) are
written as SQL from `_meta`: the ORM's compilation cost more than the statements. Measured worth
(benchmarks/README.md, issue 5): dispatcher CPU 0.22 → 0.14 ms per SMS and 1,538 → 1,773 SMS/s
(+15 %); not re-measured in issue 11 (no ORM version is left to compare with).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone

from centrex.aliases.models import SenderAlias
from centrex.core.errors import ErrorCode
from centrex.core.sqlite.writers import write_transaction
from centrex.sms.models import (
    NO_RECEIPT,
    NO_RECEIPT_TEXT,
    RECEIPT_OUTCOMES,
    REDACTED_TEXT,
    MessageStatus,
    RequestKind,
    SmsMessage,
    SmsPart,
    SmsReceipt,
    SmsRequest,
    statuses_before,
)


def _status_in(statuses: Sequence[str]) -> In:
    """`status IN (…)` for statements that pick their rows by id: written so that no database
    serves it from the claim index. SQLite, without statistics, would rather walk every
    queued row of that index than look a batch of ids up by primary key."""
    return In(Coalesce(F("status"), Value("")), list(statuses))


# The dispatcher's recording statements run hundreds of times a second with the same shape:
# written as SQL (only identifiers formatted in, every value a parameter) they skip the ORM's
# compilation, which cost more than the statements themselves. Id lists go in chunks.
_IDS_PER_STATEMENT = 5000


def _table(model: type[Any]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _column(model: type[Any], name: str) -> str:
    return str(connection.ops.quote_name(model._meta.get_field(name).column))


def _chunks(ids: Sequence[int]) -> list[Sequence[int]]:
    return [
        ids[start : start + _IDS_PER_STATEMENT] for start in range(0, len(ids), _IDS_PER_STATEMENT)
    ]


def _parameter_list(count: int) -> str:
    return ", ".join(["%s"] * count)


def _move_messages(ids: Sequence[int], target: str, changes: dict[str, Any]) -> int:
    """`UPDATE` the messages `ids` that may move to `target` (R-T5, `_sources`): status
    `target` and the other `changes` (column → value; datetimes adapted). Returns how many
    moved. `COALESCE(status, '')`, as `_status_in`, keeps the claim index out of it."""
    if not ids:
        return 0
    adapt = connection.ops.adapt_datetimefield_value
    values = {"status": target, **changes}
    assignments = ", ".join(f"{_column(SmsMessage, name)} = %s" for name in values)
    params = [adapt(value) if isinstance(value, datetime) else value for value in values.values()]
    sources = statuses_before(target)  # R-T5, as SmsMessageQuerySet.move_to
    moved = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(ids):
            cursor.execute(
                f"UPDATE {_table(SmsMessage)} SET {assignments} "  # noqa: S608 (identifiers only)
                f"WHERE {_column(SmsMessage, 'id')} IN ({_parameter_list(len(chunk))}) "
                f"AND COALESCE({_column(SmsMessage, 'status')}, '') IN "
                f"({_parameter_list(len(sources))})",
                [*params, *chunk, *sources],
            )
            moved += cursor.rowcount
    return moved


# --- Claiming ------------------------------------------------------------------------------


def claim_batch(dispatcher_id: str, limit: int, lease_seconds: float) -> list[SmsMessage]:
    """Claim up to `limit` due `queued` messages for `dispatcher_id` until the lease runs out,
    oldest first, with their requests. Two statements whatever the batch size: one UPDATE …
    RETURNING that marks the rows (each claim counts as an attempt), one SELECT that reads
    them. A message already claimed by a live lease is never returned; one whose lease expired
    (its dispatcher died) is.
    """
    with write_transaction():
        ids = _claim_ids(dispatcher_id, limit, lease_seconds)
        if not ids:
            return []
        return list(
            SmsMessage.objects.filter(id__in=ids)
            .select_related("request")
            .order_by("next_attempt_at", "id")
        )


class ClaimedRow(NamedTuple):
    """What the dispatcher needs to send one claimed message, without model instances."""

    id: int
    destination: str
    request_id: int
    text: str
    sender_type: str
    sender_value: str
    sender_ton: int
    sender_npi: int
    attempts: int  # this claim included
    kind: str  # the request's (RequestKind)


def claim_rows(dispatcher_id: str, limit: int, lease_seconds: float) -> list[ClaimedRow]:
    """`claim_batch` for the dispatcher's hot path: the same claim, and the claimed rows read as
    plain tuples, oldest first, written as SQL. On PostgreSQL one statement does both (`WITH
    claimed AS (UPDATE … RETURNING …) SELECT … JOIN …`, its own transaction): one round trip
    per claim instead of four (BEGIN, UPDATE, COMMIT, SELECT). On SQLite, which has no UPDATE
    in a WITH, the claim's transaction holds only the UPDATE (the single writer lock for as
    short as it can), then the rows are read; the claim is this dispatcher's until the lease
    runs out, so reading it after the commit sees the same rows."""
    if limit <= 0:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _claim_and_read_sql(), _claim_params(dispatcher_id, limit, lease_seconds)
            )
            return [ClaimedRow._make(row) for row in cursor.fetchall()]
    with write_transaction():
        ids = _claim_ids(dispatcher_id, limit, lease_seconds)
    if not ids:
        return []
    message, request = _table(SmsMessage), _table(SmsRequest)

    def m(name: str) -> str:
        return f"{message}.{_column(SmsMessage, name)}"

    with connection.cursor() as cursor:  # one statement: a claim is at most `batch_size` rows
        cursor.execute(
            f"SELECT {_claimed_columns(m)} FROM {message} JOIN {request} "  # noqa: S608
            f"ON {request}.{_column(SmsRequest, 'id')} = {m('request')} "
            f"WHERE {m('id')} IN ({_parameter_list(len(ids))}) "
            f"ORDER BY {m('next_attempt_at')}, {m('id')}",
            ids,
        )
        return [ClaimedRow._make(row) for row in cursor.fetchall()]


def _claimed_columns(message_column: Any) -> str:
    """ClaimedRow's columns: the message's through `message_column(name)`, the request's."""
    request = _table(SmsRequest)

    def r(name: str) -> str:
        return f"{request}.{_column(SmsRequest, name)}"

    return ", ".join(
        [
            message_column("id"),
            message_column("destination"),
            message_column("request"),
            r("text"),
            r("sender_type"),
            r("sender_value"),
            r("sender_ton"),
            r("sender_npi"),
            message_column("attempts"),
            r("kind"),
        ]
    )


def _claim_and_read_sql() -> str:
    """PostgreSQL: the claim of `_claim_ids` and the read of the claimed rows, one statement."""
    table = _table(SmsMessage)

    def c(name: str) -> str:
        return f"claimed.{_column(SmsMessage, name)}"

    returned = ", ".join(
        _column(SmsMessage, name)
        for name in ("id", "destination", "request", "attempts", "next_attempt_at")
    )
    due, update = _claim_sql(table, " FOR UPDATE SKIP LOCKED")
    return (
        f"{due}, claimed AS ({update} RETURNING {returned}) "  # noqa: S608 (identifiers only)
        f"SELECT {_claimed_columns(c)} FROM claimed JOIN {_table(SmsRequest)} "
        f"ON {_table(SmsRequest)}.{_column(SmsRequest, 'id')} = {c('request')} "
        f"ORDER BY {c('next_attempt_at')}, {c('id')}"
    )


# Due and unclaimed queued messages (parameters: now, now). `queued` is written into the
# statement, not passed: PostgreSQL prepares the dispatcher's statements (DATABASE_URL's
# prepare_threshold) and plans a prepared statement once for any value; not knowing the status,
# it took the idle poll's `LIMIT 1` for a cheap sequential scan, which on a table of delivered
# history read every row (32 ms on 100,000, every 10–20 ms while idle). Knowing it, both
# statements walk the claim index, whatever the size of the history.
assert MessageStatus.QUEUED.value.isalpha()
_DUE = (
    f"status = '{MessageStatus.QUEUED.value}' AND next_attempt_at <= %s "
    "AND (claimed_until IS NULL OR claimed_until <= %s)"
)


def _claim_sql(table: str, lock: str) -> tuple[str, str]:
    """The claim in two pieces, `WITH due AS MATERIALIZED (…)` and `UPDATE … WHERE id IN
    (SELECT id FROM due)`, for a statement to end with `RETURNING …`.

    The rows are chosen in a materialized CTE, run exactly once. Written as `WHERE id IN
    (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, PostgreSQL may plan the subquery as the inner
    side of a nested loop and run it again for every row of the table; each run skips the rows
    the statement has just updated (its own) and locks the next n, so the claim took the whole
    queue (seen in CI: 42 rows for a limit of 2). Identifiers and the `queued` literal are
    formatted in; every other value is a parameter (`_claim_params`)."""
    return (
        f"WITH due AS MATERIALIZED (SELECT id FROM {table} WHERE {_DUE} "  # noqa: S608
        f"ORDER BY next_attempt_at, id LIMIT %s{lock})",
        f"UPDATE {table} SET claimed_by = %s, claimed_until = %s, "  # noqa: S608
        "attempts = attempts + 1, updated_at = %s WHERE id IN (SELECT id FROM due)",
    )


def _claim_params(dispatcher_id: str, limit: int, lease_seconds: float) -> list[Any]:
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    return [
        adapt(now),
        adapt(now),
        limit,
        dispatcher_id,
        adapt(now + timedelta(seconds=lease_seconds)),
        adapt(now),
    ]


def _claim_ids(dispatcher_id: str, limit: int, lease_seconds: float) -> list[int]:
    """Mark up to `limit` due, unclaimed `queued` messages as claimed; their ids. Runs inside
    the caller's transaction."""
    if limit <= 0:
        return []
    table = _table(SmsMessage)
    # PostgreSQL: rows another dispatcher is claiming right now are skipped, not waited for.
    # SQLite: the single statement runs under the database's write lock (one writer at a time).
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    due, update = _claim_sql(table, lock)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{due} {update} RETURNING id", _claim_params(dispatcher_id, limit, lease_seconds)
        )
        return [row[0] for row in cursor.fetchall()]


def has_due_messages() -> bool:
    """Whether a claim would find something now: one read on the claim index, no lock taken
    (the dispatcher watches the queue with it while idle, so an idle dispatcher never holds
    SQLite's write lock)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(has_due_messages_sql(), [now, now])
        return cursor.fetchone() is not None


def has_due_messages_sql() -> str:
    table = connection.ops.quote_name(SmsMessage._meta.db_table)
    return f"SELECT 1 FROM {table} WHERE {_DUE} LIMIT 1"  # noqa: S608 (identifiers, a constant)


def release_claims(dispatcher_id: str, message_ids: Sequence[int] | None = None) -> int:
    """Give back `dispatcher_id`'s claimed messages that were not sent (all of them, or those of
    `message_ids`), e.g. on SIGTERM: they are due again at once and the return is not counted
    as an attempt. Returns how many went back."""
    if message_ids is not None:
        rows = SmsMessage.objects.filter(
            _status_in([MessageStatus.QUEUED]), claimed_by=dispatcher_id, id__in=message_ids
        )
    else:
        rows = SmsMessage.objects.filter(claimed_by=dispatcher_id, status=MessageStatus.QUEUED)
    return int(
        rows.update(
            claimed_by="",
            claimed_until=None,
            attempts=F("attempts") - 1,
            updated_at=timezone.now(),
        )
    )


def release_claims_of_others(dispatcher_id: str) -> int:
    """Make the live claims of every other dispatcher due again at once. Only for the holder of
    `SingleDispatcherLock` (SQLite): nobody else runs, so those claims belong to a dispatcher
    that died, and waiting for their leases would only delay the messages. The attempt they
    counted stays counted (the message may have reached the SMSC). Returns how many."""
    now = timezone.now()
    return int(
        SmsMessage.objects.filter(status=MessageStatus.QUEUED, claimed_until__gt=now)
        .exclude(claimed_by=dispatcher_id)
        .update(claimed_by="", claimed_until=None, updated_at=now)
    )


# --- What the SMSC answered ----------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedPart:
    """One part the SMSC accepted: its id as given in `submit_sm_resp` and the normalised key
    (`centrex.smsc.receipts.normalize_message_id(...).key`) receipts are matched by."""

    seq: int
    smsc_message_id: str
    id_key: str


@dataclass(frozen=True)
class Submission:
    """Every part of one message, accepted by the SMSC. `kind` is its request's kind when the
    caller knows it (a `message` needs no R-M2 redaction); None looks it up."""

    message_id: int
    parts: Sequence[SubmittedPart]
    kind: str | None = None


@dataclass(frozen=True)
class Failure:
    """A message the SMSC refused for good, with its reason (R-T5 `failed`)."""

    message_id: int
    code: str
    text: str


def mark_submitted(submissions: Sequence[Submission]) -> int:
    """R-T5 `queued` → `submitted`: store the parts' SMSC ids and move the messages, releasing
    their claims. Parts are stored even for a message that has moved on meanwhile (sent twice,
    or failed by R-A11 while in flight), so every receipt finds its message. A submitted
    message's `next_attempt_at` is when the expiry sweep may take it (`receipt_deadline`).
    Returns how many messages moved."""
    if not submissions:
        return 0
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        _insert_parts(submissions, now)
        message_ids = [submission.message_id for submission in submissions]
        # R-M2: a verification code is not kept in clear once the SMSC has it.
        maybe_codes = [s.message_id for s in submissions if s.kind != RequestKind.MESSAGE]
        if maybe_codes:
            SmsRequest.objects.filter(
                kind=RequestKind.VERIFICATION, messages__id__in=maybe_codes
            ).exclude(text=REDACTED_TEXT).update(text=REDACTED_TEXT)
        return _move_messages(
            message_ids,
            MessageStatus.SUBMITTED.value,
            {
                "submitted_at": now,
                "next_attempt_at": receipt_deadline(now),
                "claimed_by": "",
                "claimed_until": None,
                "error_code": "",
                "error_text": "",
                "updated_at": now,
            },
        )


def _insert_parts(submissions: Sequence[Submission], now: datetime) -> None:
    """The parts' rows, with multi-row INSERTs of up to 1,000 rows: at thousands of parts per
    second, building a model instance and compiling every field of each (`bulk_create`) costs
    more than the database's own work."""
    rows = [
        (submission.message_id, part.seq, part.smsc_message_id, part.id_key)
        for submission in submissions
        for part in submission.parts
    ]
    table = connection.ops.quote_name(SmsPart._meta.db_table)
    submitted_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            values = ", ".join(["(%s, %s, %s, %s, %s, '', NULL)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (message_id, seq, smsc_message_id, id_key, "  # noqa: S608
                f"submitted_at, receipt_state, receipt_at) VALUES {values}",
                [value for row in chunk for value in (*row, submitted_at)],
            )


def mark_transient_failure(message_ids: Sequence[int], error: str, retry_at: datetime) -> int:
    """R-T5 `queued` → `queued`: the SMSC could not take the messages now (throttled, queue
    full, connection lost); they are due again at `retry_at`, with `error` shown meanwhile.
    Returns how many were rescheduled."""
    if not message_ids:
        return 0
    now = timezone.now()
    return int(
        SmsMessage.objects.filter(id__in=message_ids).move_to(
            MessageStatus.QUEUED,
            next_attempt_at=retry_at,
            claimed_by="",
            claimed_until=None,
            error_code="",
            error_text=error,
            updated_at=now,
        )
    )


def mark_failed(failures: Sequence[Failure]) -> int:
    """R-T5 `queued` → `failed`: the SMSC refused the messages for good, each with its reason.
    One statement for the batch. Returns how many failed."""
    if not failures:
        return 0
    now = timezone.now()
    return int(
        SmsMessage.objects.filter(id__in=[failure.message_id for failure in failures]).move_to(
            MessageStatus.FAILED,
            error_code=Case(
                *[When(id=failure.message_id, then=Value(failure.code)) for failure in failures]
            ),
            error_text=Case(
                *[When(id=failure.message_id, then=Value(failure.text)) for failure in failures]
            ),
            claimed_by="",
            claimed_until=None,
            done_at=now,
            updated_at=now,
        )
    )


# --- Delivery receipts ---------------------------------------------------------------------


@dataclass(frozen=True)
class IncomingReceipt:
    """A delivery receipt as the transport read it: `candidates` are the keys its message id
    may be stored under, best first (`centrex.smsc.receipts.MessageIdKeys.candidates`), `state`
    a `ReceiptState` value, `raw` the receipt text for the record."""

    candidates: tuple[str, ...]
    state: str
    raw: str = ""
    received_at: datetime | None = None


def record_receipts(receipts: Sequence[IncomingReceipt]) -> int:
    """R-T5: apply delivery receipts to their parts and settle the messages whose parts all have
    a final receipt (`delivered` when every part was, else the first other outcome). A receipt
    whose part is not known yet is stored for `match_pending_receipts`. Returns how many
    receipts were matched."""
    if not receipts:
        return 0
    for receipt in receipts:
        if not receipt.candidates:
            raise ValueError("A receipt needs at least one message id key.")
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        matched = _apply_receipts(receipts, now)
        waiting = [receipt for index, receipt in enumerate(receipts) if index not in matched]
        if waiting:
            _store_waiting(waiting, now)
    return len(matched)


def _store_waiting(receipts: Sequence[IncomingReceipt], now: datetime) -> None:
    """Keep receipts whose part is not known yet: one per id and state however often it came
    (sms_receipt_unique_waiting: an SMSC sends a receipt again after a reconnect). A waiting
    one older than the match window names an id this system never sent; when an SMSC that
    reuses its ids sends that id and state again, the new receipt takes its place."""
    SmsReceipt.objects.filter(
        matched=False,
        id_key__in={receipt.candidates[0] for receipt in receipts},
        received_at__lt=now - RECEIPT_MATCH_WINDOW,
    ).delete()
    SmsReceipt.objects.bulk_create(
        [
            SmsReceipt(
                id_key=receipt.candidates[0],
                candidates=list(receipt.candidates),
                state=receipt.state,
                raw=receipt.raw,
                received_at=receipt.received_at or now,
            )
            for receipt in receipts
        ],
        ignore_conflicts=True,
    )


# How long a stored receipt waits for its part (`match_pending_receipts`).
RECEIPT_MATCH_WINDOW = timedelta(days=1)


def match_pending_receipts(max_age: timedelta = RECEIPT_MATCH_WINDOW, limit: int = 1000) -> int:
    """Match stored receipts (oldest first, at most `limit`, received within `max_age`) to the
    parts stored since they arrived; matched ones are marked so. Receipts older than `max_age`
    name ids this system never sent and stay for the record. Returns how many matched."""
    now = timezone.now()
    with write_transaction():
        pending = list(
            SmsReceipt.objects.filter(matched=False, received_at__gte=now - max_age).order_by("id")[
                :limit
            ]
        )
        if not pending:
            return 0
        matched = _apply_receipts(
            [
                IncomingReceipt(
                    candidates=tuple(stored.candidates),
                    state=stored.state,
                    raw=stored.raw,
                    received_at=stored.received_at,
                )
                for stored in pending
            ],
            now,
        )
        SmsReceipt.objects.filter(id__in=[pending[index].id for index in matched]).update(
            matched=True
        )
    return len(matched)


def _apply_receipts(receipts: Sequence[IncomingReceipt], now: datetime) -> set[int]:
    """Store each receipt's state on its part (the latest part with the first candidate key
    that exists), settle the messages, and return the indexes of the receipts that matched.
    Parts are read as tuples and updated with one statement per (state, tenth of a second
    received — `receipt_at` is kept to 0.1 s): a few statements per batch, not one per part."""
    keys = {key for receipt in receipts for key in receipt.candidates}
    # id_key → [part id, message id, receipt state]
    part_by_key: dict[str, list[Any]] = {}
    for part_id, message_id, id_key, state in _parts_by_key(sorted(keys)):
        part_by_key[id_key] = [part_id, message_id, state]  # a reused id: the latest part wins
    touched: dict[int, tuple[int, str, datetime]] = {}  # part id → (message id, state, at)
    matched: set[int] = set()
    for index, receipt in enumerate(receipts):
        part = next((part_by_key[key] for key in receipt.candidates if key in part_by_key), None)
        if part is None:
            continue
        matched.add(index)
        # R-T5: once a part has a final receipt, a later one (sent again after a reconnect, a
        # late enroute, an SMSC changing its mind) changes nothing.
        if part[2] in RECEIPT_OUTCOMES:
            continue
        part[2] = receipt.state
        at = receipt.received_at or now
        at = at.replace(microsecond=at.microsecond // 100_000 * 100_000)
        touched[part[0]] = (part[1], receipt.state, at)
    if touched:
        groups: dict[tuple[str, datetime], list[int]] = defaultdict(list)
        for part_id, (_, state, at) in touched.items():
            groups[(state, at)].append(part_id)
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            for (state, at), part_ids in groups.items():
                for chunk in _chunks(part_ids):
                    cursor.execute(
                        f"UPDATE {_table(SmsPart)} SET {_column(SmsPart, 'receipt_state')} = %s, "  # noqa: S608
                        f"{_column(SmsPart, 'receipt_at')} = %s "
                        f"WHERE {_column(SmsPart, 'id')} IN ({_parameter_list(len(chunk))})",
                        [state, adapt(at), *chunk],
                    )
        _settle_messages({message_id for message_id, _, _ in touched.values()}, now)
    return matched


def _parts_by_key(keys: Sequence[str]) -> list[tuple[int, int, str, str]]:
    """(id, message id, id key, receipt state) of the parts stored under `keys`, oldest first."""
    rows: list[tuple[int, int, str, str]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(keys), _IDS_PER_STATEMENT):
            chunk = keys[start : start + _IDS_PER_STATEMENT]
            cursor.execute(
                f"SELECT {_column(SmsPart, 'id')}, {_column(SmsPart, 'message')}, "  # noqa: S608
                f"{_column(SmsPart, 'id_key')}, {_column(SmsPart, 'receipt_state')} "
                f"FROM {_table(SmsPart)} WHERE {_column(SmsPart, 'id_key')} IN "
                f"({_parameter_list(len(chunk))})",
                list(chunk),
            )
            rows.extend(cursor.fetchall())
    rows.sort()
    return rows


def _settle_messages(message_ids: set[int], now: datetime) -> None:
    """R-T5: move each submitted message whose every part has a final receipt to its outcome.
    A part sent twice counts as delivered when either copy was."""
    outcomes_by_part: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(message_ids)):
            cursor.execute(
                f"SELECT {_column(SmsPart, 'message')}, {_column(SmsPart, 'seq')}, "  # noqa: S608
                f"{_column(SmsPart, 'receipt_state')} FROM {_table(SmsPart)} "
                f"WHERE {_column(SmsPart, 'message')} IN ({_parameter_list(len(chunk))})",
                list(chunk),
            )
            for message_id, seq, state in cursor.fetchall():
                outcomes_by_part[message_id][seq].add(RECEIPT_OUTCOMES.get(state, ""))
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for message_id, parts in outcomes_by_part.items():
        outcome = _message_outcome([parts[seq] for seq in sorted(parts)])
        if outcome:
            by_outcome[outcome].append(message_id)
    for outcome, ids in by_outcome.items():
        _move_messages(ids, outcome, {"done_at": now, "updated_at": now})


def _message_outcome(parts: list[set[str]]) -> str:
    """The status of a message from its parts' outcomes (in part order), or "" while a part has
    none yet."""
    settled: list[str] = []
    for copies in parts:
        if MessageStatus.DELIVERED in copies:
            settled.append(MessageStatus.DELIVERED)
            continue
        final = sorted(copies - {""})
        if not final:
            return ""
        settled.append(final[0])
    failed = [outcome for outcome in settled if outcome != MessageStatus.DELIVERED]
    return failed[0] if failed else MessageStatus.DELIVERED


# --- Receipts that never come (R-T5) ------------------------------------------------------


def receipt_wait() -> timedelta:
    """How long a submitted message waits for its receipt: the validity period every
    `submit_sm` carries (CENTREX_SMS_VALIDITY) and the grace after it
    (CENTREX_SMS_RECEIPT_GRACE). Read from the settings, no query."""
    return settings.CENTREX_SMS_VALIDITY + settings.CENTREX_SMS_RECEIPT_GRACE


def receipt_deadline(submitted_at: datetime) -> datetime:
    """When a message submitted at `submitted_at` is due for the expiry sweep."""
    return submitted_at + receipt_wait()


# Submitted messages due for the sweep (parameters: now, the latest submitted_at that may
# expire). Both conditions, so a message waits for the longer of the deadline set when it was
# submitted (the validity it was sent with) and the settings of now. `submitted` is written in,
# as in `_DUE`: PostgreSQL's prepared statement then walks the claim index.
assert MessageStatus.SUBMITTED.value.isalpha()
assert statuses_before(MessageStatus.EXPIRED) == [MessageStatus.SUBMITTED]
_UNRECEIPTED = (
    f"status = '{MessageStatus.SUBMITTED.value}' AND next_attempt_at <= %s AND submitted_at <= %s"
)


def has_unreceipted() -> bool:
    """Whether `expire_unreceipted` would find something now: one read, no lock (so an idle
    sweep never takes SQLite's write lock)."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {_table(SmsMessage)} WHERE {_UNRECEIPTED} LIMIT 1",  # noqa: S608
            [adapt(now), adapt(now - receipt_wait())],
        )
        return cursor.fetchone() is not None


def expire_unreceipted(limit: int = 1000, rounds: int = 10) -> int:
    """R-T5: the messages still `submitted` after their validity period and its grace become
    `expired` with `error` `no_receipt`. Returns how many.

    Safe with any number of sweepers at once (every dispatcher runs it): each statement is one
    conditional UPDATE of at most `limit` rows, whose rows PostgreSQL locks as it picks them
    and skips when another sweeper or a receipt holds them (`FOR UPDATE SKIP LOCKED`), and
    whose `status = 'submitted'` is checked again on the row it updates, so a message is
    expired once, and never after a receipt settled it. SQLite runs it under its single
    writer lock. At most `rounds` statements per call: a backlog is taken in bounded bites."""
    if not has_unreceipted():
        return 0
    table = _table(SmsMessage)
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    adapt = connection.ops.adapt_datetimefield_value
    expired = 0
    for _ in range(rounds):
        now = timezone.now()
        with write_transaction(), connection.cursor() as cursor:
            cursor.execute(
                f"WITH due AS MATERIALIZED (SELECT id FROM {table} WHERE {_UNRECEIPTED} "  # noqa: S608
                f"ORDER BY next_attempt_at, id LIMIT %s{lock}) "
                f"UPDATE {table} SET status = %s, error_code = %s, error_text = %s, "
                "claimed_by = '', claimed_until = NULL, done_at = %s, updated_at = %s "
                f"WHERE id IN (SELECT id FROM due) AND status = '{MessageStatus.SUBMITTED.value}' "
                "RETURNING id",
                [
                    adapt(now),
                    adapt(now - receipt_wait()),
                    limit,
                    MessageStatus.EXPIRED.value,
                    NO_RECEIPT,
                    NO_RECEIPT_TEXT,
                    adapt(now),
                    adapt(now),
                ],
            )
            moved = len(cursor.fetchall())  # (SQLite's rowcount is -1 after a WITH)
        expired += moved
        if moved < limit:
            break
    return expired


# --- R-A11 ---------------------------------------------------------------------------------


def fail_queued_with_alias(alias_id: int, code: str = ErrorCode.ALIAS_NOT_VALIDATED) -> int:
    """R-A11: the alias stopped being validated, so its queued messages (claimed or not) become
    `failed` with `code`. One in flight at that moment may still reach the SMSC; its parts and
    receipts are recorded, its status stays `failed`. Returns how many failed."""
    now = timezone.now()
    return int(
        # R-T5: queued → failed; submitted ones are sent
        SmsMessage.objects.filter(request__sender_alias_id=alias_id).move_to(
            MessageStatus.FAILED,
            error_code=str(code),
            error_text="The sender alias is no longer validated.",
            claimed_by="",
            claimed_until=None,
            done_at=now,
            updated_at=now,
        )
    )


def fail_queued_of_unusable_alias(
    sender: type[SenderAlias], alias: SenderAlias, **kwargs: Any
) -> None:
    """Receiver of `aliases.actions.alias_became_unusable` (connected in SmsConfig.ready)."""
    fail_queued_with_alias(alias.id)
