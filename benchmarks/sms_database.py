"""Build an SMS benchmark database in a process of its own (the SMS benchmarks run it once per
database kind, then clone the result for every run): migrate, create the sending customer and
user, insert the history and the queue (`sms_data`), refresh the planner statistics, and print
what was built as one JSON line.

    python benchmarks/sms_database.py --data-dir DIR --database-url URL \\
        --history 900000 --queued 100000 [--token]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SENDER_MOBILE = "+393331234567"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--history", type=int, default=0, help="messages already delivered")
    parser.add_argument("--queued", type=int, default=0, help="messages waiting to be sent")
    parser.add_argument(
        "--token",
        action="store_true",
        help="also issue the user an API token, and give them a verified mobile number (the "
        "default policy's sender, R-S2) so they can send through the API",
    )
    args = parser.parse_args(argv)
    os.environ["CENTREX_DATA_DIR"] = str(args.data_dir)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["EMAIL_URL"] = "memory"
    os.environ["CENTREX_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["CENTREX_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "centrex.settings"
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.sms_data import analyze, create_sender, insert_final, insert_queued, next_id
    from centrex.sms.models import SmsMessage

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    sender = create_sender()
    history = insert_final(sender, args.history, first_number=10**8) if args.history else 0.0
    first_queued = next_id(SmsMessage)
    queued = insert_queued(sender, args.queued) if args.queued else 0.0
    started = time.perf_counter()
    analyze()
    analyzed = time.perf_counter() - started
    metrics_ms = _time_queue_depth()
    built: dict[str, Any] = {
        "customer_id": sender.customer.id,
        "user_id": sender.user.id,
        "first_queued_id": first_queued,
        "queued": args.queued,
        "history": args.history,
        "seconds": {
            "migrate": round(migrated, 1),
            "history": round(history, 1),
            "queued": round(queued, 1),
            "analyze": round(analyzed, 1),
        },
        "metrics_ms": metrics_ms,
    }
    if args.token:
        from centrex.accounts.actions import issue_api_token
        from centrex.accounts.models import User

        # Set directly: the code round trip (R-M2) is not what is measured.
        User.objects.filter(id=sender.user.id).update(
            mobile_number=SENDER_MOBILE, mobile_verified=True
        )
        built["token"] = issue_api_token(sender.user)[0]
        built["sender"] = SENDER_MOBILE
    connection.close()
    print(json.dumps(built))
    return 0


def _time_queue_depth(rounds: int = 7) -> dict[str, float]:
    """What `/metrics` costs on this table: its queue depth (the waiting statuses, through the
    claim index) against one GROUP BY over every status, median of `rounds`, milliseconds."""
    import statistics

    from django.db.models import Count

    from centrex.sms.models import SmsMessage
    from centrex.smsc.metrics import queue_depth, render_metrics

    def median_ms(work: Any) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        return round(statistics.median(times), 1)

    return {
        "queue_depth": median_ms(queue_depth),
        "every_status": median_ms(
            lambda: list(
                SmsMessage.objects.order_by().values_list("status").annotate(count=Count("*"))
            )
        ),
        "whole_page": median_ms(render_metrics),
    }


if __name__ == "__main__":
    sys.exit(main())
