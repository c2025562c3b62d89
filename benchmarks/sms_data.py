"""Bulk data for the SMS benchmarks (issues 4 and 5): a sending customer and user built through
the actions, then messages inserted in bulk with raw SQL (COPY on PostgreSQL, `executemany`
in chunks on SQLite) — a million rows in seconds, not the minutes one `enqueue_sms` each would
take. The rows are the ones `enqueue_sms` writes (a request, one `queued` message per
recipient), plus, for the "big table" case, messages already `delivered` with their part.

Needs Django set up on a migrated database (`benchmarks/sms_database.py` builds a whole one in
a process of its own).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
from centrex.customers.models import Customer
from centrex.sms.models import SmsMessage, SmsPart, SmsRequest

CHUNK = 10_000
SENDER_ALIAS = "Centrex"  # TON 5 / NPI 0 (R-T6)
BENCH_PASSWORD = "Bench-Centrex-2026!"
# Destinations: +39 3XX XXXXXXX, unique per message: "+393" followed by 9 digits of the number.
DESTINATION_PREFIX = "+393"


@dataclass(frozen=True)
class Sender:
    customer: Customer
    user: User


def destination(number: int) -> str:
    """The E.164 destination of message `number` (unique up to 10⁹)."""
    return f"{DESTINATION_PREFIX}{number:09d}"


def create_sender(email: str = "bench@grande.example") -> Sender:
    """A business customer with one extension and a Communicator-enabled admin, through the
    actions an operator uses."""
    operator = User.objects.create_operator("operatore@bench.example", BENCH_PASSWORD)
    customer = create_customer(
        CustomerData(
            name="Grande Invio S.p.A.",
            kind="business",
            vat_number="IT00743110157",
            email="amministrazione@grande.example",
            street="Via Roma 1",
            postcode="20121",
            city="Milano",
            province="MI",
            pec="grande@pec.example",
            phone="+390212345678",
            contact_first_name="Anna",
            contact_last_name="Invio",
            brands=["Grande"],
        ),
        acting_user=operator,
    )
    provision_extensions(customer, ["201"], acting_user=operator)
    user = create_user(
        customer,
        UserData(
            email=email,
            first_name="Anna",
            last_name="Invio",
            role=Role.ADMIN,
            extension="201",
        ),
        acting_user=operator,
        password=BENCH_PASSWORD,
    )
    return Sender(customer=customer, user=user)


def insert_queued(sender: Sender, count: int, *, first_number: int = 0) -> float:
    """`count` single-recipient requests with their `queued` message, due now, to
    `destination(first_number)` … onwards. Returns the seconds it took."""
    started = time.perf_counter()
    now = timezone.now()
    _insert_requests_and_messages(
        sender,
        count,
        first_number=first_number,
        recipients_per_request=1,
        now=now,
        final=False,
    )
    return time.perf_counter() - started


def insert_final(sender: Sender, count: int, *, first_number: int) -> float:
    """`count` messages already `delivered` (one part each, its receipt received), a hundred
    recipients per request, dated over the last 30 days: the history a busy portal keeps.
    Returns the seconds it took."""
    started = time.perf_counter()
    _insert_requests_and_messages(
        sender,
        count,
        first_number=first_number,
        recipients_per_request=100,
        now=timezone.now() - timedelta(days=30),
        final=True,
    )
    return time.perf_counter() - started


def _insert_requests_and_messages(
    sender: Sender,
    count: int,
    *,
    first_number: int,
    recipients_per_request: int,
    now: datetime,
    final: bool,
) -> None:
    requests = -(-count // recipients_per_request)
    first_request = next_id(SmsRequest)
    first_message = next_id(SmsMessage)
    first_part = next_id(SmsPart)
    adapt = connection.ops.adapt_datetimefield_value
    stamp = adapt(now)
    step = timedelta(days=30) / max(count, 1)

    def request_rows() -> Iterator[Sequence[Any]]:
        for index in range(requests):
            recipients = min(recipients_per_request, count - index * recipients_per_request)
            yield (
                first_request + index,
                sender.customer.id,
                sender.user.id,
                "message",
                f"Messaggio di prova numero {first_number + index}: benchmark del motore SMS.",
                recipients,
                "gsm7",
                1,
                "alias",
                SENDER_ALIAS,
                5,
                0,
                None,
                "benchmark",
                "{}",
                "",
                "",
                stamp,
            )

    def message_rows() -> Iterator[Sequence[Any]]:
        for index in range(count):
            request_id = first_request + index // recipients_per_request
            if final:
                at = adapt(now + step * index)
                yield (
                    first_message + index,
                    request_id,
                    sender.customer.id,
                    destination(first_number + index),
                    "delivered",
                    "",
                    "",
                    1,
                    at,
                    "",
                    None,
                    at,
                    at,
                    at,
                    at,
                )
            else:
                yield (
                    first_message + index,
                    request_id,
                    sender.customer.id,
                    destination(first_number + index),
                    "queued",
                    "",
                    "",
                    0,
                    stamp,
                    "",
                    None,
                    stamp,
                    None,
                    None,
                    stamp,
                )

    def part_rows() -> Iterator[Sequence[Any]]:
        for index in range(count):
            at = adapt(now + step * index)
            key = f"old-{first_number + index}"
            yield (first_part + index, first_message + index, 1, key, key, at, "delivered", at)

    with transaction.atomic():
        _copy(
            SmsRequest,
            REQUEST_COLUMNS,
            request_rows(),
        )
        _copy(
            SmsMessage,
            MESSAGE_COLUMNS,
            message_rows(),
        )
        if final:
            _copy(
                SmsPart,
                [
                    "id",
                    "message_id",
                    "seq",
                    "smsc_message_id",
                    "id_key",
                    "submitted_at",
                    "receipt_state",
                    "receipt_at",
                ],
                part_rows(),
            )
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(
                no_style(), [SmsRequest, SmsMessage, SmsPart]
            ):
                cursor.execute(statement)


# The columns `enqueue_sms` writes, in the order the bulk rows give them.
REQUEST_COLUMNS = [
    "id",
    "customer_id",
    "user_id",
    "kind",
    "text",
    "recipient_count",
    "encoding",
    "parts",
    "sender_type",
    "sender_value",
    "sender_ton",
    "sender_npi",
    "sender_alias_id",
    "sender_reason",
    "sender_trace",
    "idempotency_key",
    "request_hash",
    "created_at",
]
MESSAGE_COLUMNS = [
    "id",
    "request_id",
    "customer_id",
    "destination",
    "status",
    "error_code",
    "error_text",
    "attempts",
    "next_attempt_at",
    "claimed_by",
    "claimed_until",
    "created_at",
    "submitted_at",
    "done_at",
    "updated_at",
]


def analyze() -> None:
    """Fresh planner statistics (and, on PostgreSQL, the visibility map VACUUM keeps), as a
    production database would have."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def next_id(model: type[Model]) -> int:
    return int(model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1


def _copy(model: type[Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    table = model._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg 3
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            cursor.executemany(sql, chunk)
