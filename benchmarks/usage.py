"""SMS usage reports on a year of history (issue 15, R-R1; see benchmarks/README.md):

    .venv/bin/python benchmarks/usage.py                 # SQLite in a temporary data directory
    .venv/bin/python benchmarks/usage.py --db postgres   # a private PostgreSQL started for the run

Builds one customer whose 50 users sent 1,000,000 messages (recipients) over the last 365 days
— one to three recipients and one to three parts per request, most delivered, some
undeliverable, expired or failed — beside a second, small customer; then times, through the
whole Django stack (`django.test.Client`, bearer token or session, DEBUG off), the admin's
«Consumo SMS» page and `GET /api/v1/sms/usage` for a full month in the middle of the year and
`GET /api/v1/sms/usage` for the current month,
and the operators' `GET /api/v1/backoffice/usage`. Prints the first request's time (it counts
the month's days from the messages and keeps them in the daily roll-up), then median and p95,
and exits 1 when a median misses the target (100 ms).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `benchmarks` and `tests` importable

from benchmarks.run import configure, describe_database, in_data_dir  # noqa: E402

TARGET_MEDIAN_MS = 100.0
USERS = 50
# Final statuses in the history, by weight (R-T5).
STATUSES = [("delivered", 90), ("undeliverable", 5), ("expired", 3), ("failed", 2)]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return in_data_dir(run, parse_args(argv), prefix="centrex-bench-usage-")


def build_history(messages: int) -> tuple[Any, Any, float]:
    """The big customer's year (requests and messages in bulk, as `enqueue_sms` and the
    dispatcher leave them) and a small customer; (admin, operator, seconds)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks.sms_data import (
        MESSAGE_COLUMNS,
        REQUEST_COLUMNS,
        _copy,
        analyze,
        create_sender,
        destination,
        next_id,
    )
    from centrex.accounts.actions import UserData, create_user
    from centrex.accounts.models import Role, User
    from centrex.sms.models import SmsMessage, SmsRequest

    started = time.perf_counter()
    sender = create_sender()
    users = [sender.user]
    for index in range(USERS - 1):
        users.append(
            create_user(
                sender.customer,
                UserData(
                    email=f"utente{index}@grande.example",
                    first_name="Utente",
                    last_name=f"{index}",
                    role=Role.USER,
                ),
                acting_user=sender.user,
            )
        )
    operator = User.objects.get(is_operator=True)
    chance = random.Random(2026)  # the same history every run
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    now = timezone.now()
    year = timedelta(days=365)
    first_request, first_message = next_id(SmsRequest), next_id(SmsMessage)
    requests: list[Sequence[Any]] = []
    rows: list[Sequence[Any]] = []
    adapt = connection.ops.adapt_datetimefield_value
    message = 0
    while message < messages:
        recipients = min(chance.randint(1, 3), messages - message)
        parts = chance.choice((1, 1, 1, 2, 2, 3))
        at = adapt(now - year * (1 - message / messages))
        request_id = first_request + len(requests)
        requests.append(
            (
                request_id,
                sender.customer.pk,
                chance.choice(users).pk,
                "message",
                "Promemoria appuntamento",
                recipients,
                "gsm7",
                parts,
                "alias",
                "Centrex",
                5,
                0,
                None,
                "benchmark",
                "{}",
                "",
                "",
                at,
            )
        )
        for _ in range(recipients):
            rows.append(
                (
                    first_message + message,
                    request_id,
                    sender.customer.pk,
                    destination(message),
                    chance.choice(statuses),
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
            )
            message += 1
    with transaction.atomic():
        _copy(SmsRequest, REQUEST_COLUMNS, iter(requests))
        _copy(SmsMessage, MESSAGE_COLUMNS, iter(rows))
    analyze()
    return sender.user, operator, time.perf_counter() - started


def timed(client: Any, path: str, runs: int, warmup: int) -> Iterator[float]:
    for index in range(warmup + runs):
        started = time.perf_counter()
        answer = client.get(path)
        elapsed = time.perf_counter() - started
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.content[:300]!r}")
        if index >= warmup:
            yield elapsed


def run(args: argparse.Namespace, data_dir: Path) -> int:
    configure(args.db, data_dir)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from centrex.accounts.actions import issue_api_token
    from centrex.sms.usage import Month

    call_command("migrate", verbosity=0)
    admin, operator, seconds = build_history(args.messages)
    middle = Month.current()
    for _ in range(6):
        middle = middle.previous()
    print(f"database: {describe_database()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average before: "
        + ", ".join(f"{value:.1f}" for value in os.getloadavg())
    )
    print(
        f"data: {args.messages:,} messages of one customer over 365 days, {USERS} users "
        f"(built in {seconds:.0f} s); {args.runs} runs after {args.warmup} warm-up\n"
    )

    def client_of(user: Any) -> Client:
        token, _expires = issue_api_token(user)
        return Client(SERVER_NAME="localhost", headers={"Authorization": f"Bearer {token}"})

    as_admin, as_operator = client_of(admin), client_of(operator)
    page = Client(SERVER_NAME="localhost")
    page.force_login(admin)
    scenarios = [
        (
            f"«Consumo SMS» page, {middle} (admin)",
            page,
            f"/communicator/sms/consumo/?month={middle}",
        ),
        (f"GET /sms/usage?month={middle} (admin)", as_admin, f"/api/v1/sms/usage?month={middle}"),
        ("GET /sms/usage (this month, admin)", as_admin, "/api/v1/sms/usage"),
        (
            f"GET /backoffice/usage?month={middle}",
            as_operator,
            f"/api/v1/backoffice/usage?month={middle}",
        ),
    ]
    print("| request | first ms | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    missed = []
    for name, client, path in scenarios:
        # The first read counts the month's days from the messages and closes them.
        [first] = timed(client, path, 1, 0)
        times = sorted(timed(client, path, args.runs, args.warmup))
        median = 1000 * statistics.median(times)
        p95 = 1000 * times[min(len(times) - 1, int(0.95 * len(times)))]
        print(f"| {name} | {1000 * first:.0f} | {median:.1f} | {p95:.1f} |")
        if median >= TARGET_MEDIAN_MS:
            missed.append(name)
    if missed:
        print(f"\nmedian target ({TARGET_MEDIAN_MS:.0f} ms) missed by: {', '.join(missed)}")
        return 1
    print(f"\nevery median is under the {TARGET_MEDIAN_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
