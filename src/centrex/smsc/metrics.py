"""What `/metrics` shows (issue 4 "Observability"), in the Prometheus text exposition format
0.0.4: the dispatchers' per-SMSC counters and gauges (`DispatcherStats`, written by every
`centrex smsd` every few seconds), the depth of the SMS queue, receipts still waiting for their
message, and background tasks waiting for a worker.

Everything is read at scrape time with a fixed number of indexed queries, whatever the size of
the message table (see `queue_depth`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from centrex.sms.models import MessageStatus, SmsMessage, SmsReceipt
from centrex.smsc.models import DispatcherStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# A dispatcher writes its row every 2 s; one silent for longer than this is reported down.
STALE_AFTER = timedelta(seconds=30)
# Rows of dispatchers gone for longer than this (an old process id) are no longer shown.
FORGOTTEN_AFTER = timedelta(days=1)

# The dispatcher's counters (monotonic totals since it started) and gauges (current values),
# as the SMS contract names them. A key the dispatcher adds later is shown too, with a
# generic help text.
COUNTERS: dict[str, str] = {
    "submit_sm": "submit_sm PDUs sent to the SMSC.",
    "submit_sm_resp_ok": "submit_sm accepted by the SMSC (submit_sm_resp ESME_ROK).",
    "submit_sm_resp_error": "submit_sm refused by the SMSC (submit_sm_resp with an error).",
    "throttled": "submit_sm answered ESME_RTHROTTLED or ESME_RMSGQFUL (retried later).",
    "failed": "Messages failed for good by a permanent SMSC error.",
    "receipts": "Delivery receipts (deliver_sm) received.",
    "receipts_unmatched": "Delivery receipts whose message was not known when they arrived.",
    "enquire_link": "enquire_link PDUs sent.",
    "reconnects": "Reconnections to the SMSC.",
    "bind_failures": "Bind attempts the SMSC refused or that failed.",
}
GAUGES: dict[str, str] = {
    "window_in_use": "submit_sm sent and not yet answered, over all binds.",
    "window_size": "Outstanding submit_sm allowed, over all binds.",
    "binds_up": "Binds currently bound.",
    "binds_configured": "Binds configured.",
    "claimed": "Messages claimed by the dispatcher and not yet recorded.",
}

# The queue: the statuses a message waits in. Counted with the claim index
# (`sms_message_claim`, status first), so the cost follows the queue, not the table.
QUEUE_STATUSES = (MessageStatus.QUEUED, MessageStatus.SUBMITTED)

_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_]")


@dataclass
class _Family:
    """One metric family: its HELP and TYPE lines and its samples."""

    name: str
    kind: str  # "counter" or "gauge"
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def lines(self) -> Iterable[str]:
        yield f"# HELP {self.name} {_escape_help(self.help)}"
        yield f"# TYPE {self.name} {self.kind}"
        for labels, value in self.samples:
            yield f"{self.name}{_labels(labels)} {_number(value)}"


def render_metrics(now: datetime | None = None) -> str:
    """The whole exposition, one family after the other, ending with a newline."""
    now = now or timezone.now()
    families = [
        *dispatcher_families(now),
        _queue_family(),
        _Family(
            "centrex_sms_receipts_unmatched",
            "gauge",
            "Delivery receipts stored because their message was not known yet (matched later).",
            [({}, SmsReceipt.objects.filter(matched=False).count())],
        ),
        _Family(
            "centrex_tasks_pending",
            "gauge",
            "Background tasks (e-mails, registry submissions) waiting for a worker.",
            [({}, pending_tasks())],
        ),
    ]
    return "".join(line + "\n" for family in families for line in family.lines())


def dispatcher_families(now: datetime) -> list[_Family]:
    """`centrex_smsc_*`: one sample per dispatcher and SMSC account for every counter and
    gauge it reported, and whether it is alive (wrote its row within STALE_AFTER)."""
    rows = list(
        DispatcherStats.objects.filter(updated_at__gte=now - FORGOTTEN_AFTER).order_by(
            "smsc", "dispatcher_id"
        )
    )
    up = _Family(
        "centrex_smsc_dispatcher_up",
        "gauge",
        "1 if the dispatcher updated its statistics in the last 30 seconds, else 0.",
    )
    age = _Family(
        "centrex_smsc_dispatcher_last_update_age_seconds",
        "gauge",
        "Seconds since the dispatcher last updated its statistics.",
    )
    families: dict[str, _Family] = {}
    for row in rows:
        labels = {"smsc": row.smsc, "dispatcher": row.dispatcher_id}
        silent = max((now - row.updated_at).total_seconds(), 0.0)
        up.samples.append((labels, 0 if silent > STALE_AFTER.total_seconds() else 1))
        age.samples.append((labels, round(silent, 3)))
        for key, value in _numbers(row.counters):
            name = f"centrex_smsc_{_metric_name(key)}_total"
            family = families.setdefault(
                name, _Family(name, "counter", COUNTERS.get(key, f"Dispatcher counter {key}."))
            )
            family.samples.append((labels, value))
        for key, value in _numbers(row.gauges):
            name = f"centrex_smsc_{_metric_name(key)}"
            family = families.setdefault(
                name, _Family(name, "gauge", GAUGES.get(key, f"Dispatcher gauge {key}."))
            )
            family.samples.append((labels, value))
    if not rows:
        return []
    return [up, age, *(families[name] for name in sorted(families))]


def queue_depth() -> dict[str, int]:
    """How many messages wait in each queue status (`queued`: not yet accepted by the SMSC;
    `submitted`: waiting for the receipt). One GROUP BY restricted to those statuses, which the
    claim index serves as a range scan: final messages (the bulk of a table that only grows)
    are never read. Counting every status was measured at 1,000,000 rows: see
    benchmarks/README.md ("/metrics")."""
    counts = dict.fromkeys((str(status) for status in QUEUE_STATUSES), 0)
    for status, count in (
        SmsMessage.objects.filter(status__in=QUEUE_STATUSES)
        .order_by()
        .values_list("status")
        .annotate(count=Count("*"))
    ):
        counts[status] = count
    return counts


def pending_tasks() -> int:
    """Tasks of the database task backend ready to run (its partial index on `status`); 0 with
    a backend that keeps no table (the immediate backend of the tests)."""
    from django.conf import settings

    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return 0
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return int(DBTaskResult.objects.filter(status=TaskResultStatus.READY).count())


def _queue_family() -> _Family:
    return _Family(
        "centrex_sms_messages",
        "gauge",
        "SMS messages waiting in the queue, by status (queued: not yet accepted by the SMSC; "
        "submitted: waiting for the delivery receipt).",
        [({"status": status}, count) for status, count in queue_depth().items()],
    )


def _numbers(values: object) -> Iterable[tuple[str, float]]:
    """The numeric entries of a counters/gauges dict, sorted by key (anything else skipped)."""
    if not isinstance(values, Mapping):
        return []
    return [
        (str(key), float(value))
        for key, value in sorted(values.items())
        if isinstance(value, int | float) and not isinstance(value, bool)
    ]


def _metric_name(key: str) -> str:
    name = _NAME_UNSAFE.sub("_", key)
    return name.removesuffix("_total")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape_label(value)}"' for key, value in labels.items()) + "}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(float(value))
