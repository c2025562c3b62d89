"""`/metrics` (issue 4 "Observability"): the dispatchers' per-SMSC counters, the queue depth,
unmatched receipts and pending tasks in the Prometheus text format, for loopback clients or a
bearer token."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.models import User
from centrex.customers.models import Customer
from centrex.senders.resolution import Sender
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import MessageStatus, SmsMessage, SmsReceipt
from centrex.smsc.metrics import CONTENT_TYPE, render_metrics
from centrex.smsc.models import DispatcherStats
from centrex.smsc.views import is_loopback

METRICS = reverse("smsc:metrics")
TOKEN = "prometheus-scrape-token-2026"
# One line of the text exposition format 0.0.4: a comment, or name{labels} value.
SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
    r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$'
)
COMMENT = re.compile(
    r"^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge))$"
)


def _samples(text: str) -> dict[str, float]:
    """{"name{labels}": value} of every sample line."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


def _stats(dispatcher: str, *, age: timedelta = timedelta(0), **values: Any) -> None:
    now = timezone.now()
    DispatcherStats.objects.create(
        dispatcher_id=dispatcher,
        smsc="centrex@127.0.0.1:2775",
        counters=values.get("counters", {}),
        gauges=values.get("gauges", {}),
        started_at=now - age - timedelta(minutes=5),
        updated_at=now - age,
    )


@pytest.fixture
def no_token(settings: Any) -> None:
    settings.CENTREX_METRICS_TOKEN = ""
    settings.CENTREX_TRUSTED_PROXIES = 0


def test_a_live_dispatcher_s_counters_and_gauges_are_shown_per_smsc_account(
    db: None, no_token: None, client: Client
) -> None:
    # given a dispatcher that wrote its statistics just now
    _stats(
        "smsd-host-1234",
        counters={"submit_sm": 1500, "submit_sm_resp_ok": 1490, "receipts": 1200},
        gauges={"window_in_use": 37, "window_size": 100, "binds_up": 1},
    )

    # when Prometheus scrapes from this machine
    response = client.get(METRICS)

    # then counters end in _total, gauges do not, both labelled by SMSC and dispatcher
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    samples = _samples(response.content.decode())
    labels = '{smsc="centrex@127.0.0.1:2775",dispatcher="smsd-host-1234"}'
    assert samples[f"centrex_smsc_submit_sm_total{labels}"] == 1500
    assert samples[f"centrex_smsc_submit_sm_resp_ok_total{labels}"] == 1490
    assert samples[f"centrex_smsc_receipts_total{labels}"] == 1200
    assert samples[f"centrex_smsc_window_in_use{labels}"] == 37
    assert samples[f"centrex_smsc_window_size{labels}"] == 100
    assert samples[f"centrex_smsc_dispatcher_up{labels}"] == 1
    page = response.content.decode()
    assert "# TYPE centrex_smsc_submit_sm_total counter" in page
    assert "# TYPE centrex_smsc_window_in_use gauge" in page
    assert "# HELP centrex_smsc_submit_sm_total submit_sm PDUs sent to the SMSC." in page


def test_every_line_follows_the_text_exposition_format(db: None, esempio: Customer) -> None:
    # given two dispatchers, one with an awkward SMSC label, a key added by a later dispatcher
    # and a value that is not a number, some messages and an unmatched receipt
    _stats("smsd-a", counters={"submit_sm": 3, "new-counter": 2}, gauges={"claimed": 0})
    DispatcherStats.objects.create(
        dispatcher_id="smsd-b",
        smsc='weird"label\\with\nnewline',
        counters={"submit_sm": 1, "note": "text"},
        gauges={"binds_up": 2.5},
    )
    SmsReceipt.objects.create(id_key="abc", candidates=["abc"], state="delivered")

    # when
    text = render_metrics()

    # then every line is a HELP/TYPE comment or a well-formed sample, ending with a newline
    assert text.endswith("\n")
    for line in text.splitlines():
        assert COMMENT.match(line) or SAMPLE.match(line), line
    samples = _samples(text)
    assert (
        samples['centrex_smsc_new_counter_total{smsc="centrex@127.0.0.1:2775",dispatcher="smsd-a"}']
        == 2
    )
    escaped = 'smsc="weird\\"label\\\\with\\nnewline"'
    assert samples[f'centrex_smsc_binds_up{{{escaped},dispatcher="smsd-b"}}'] == 2.5
    assert "note" not in text
    # each family has exactly one TYPE line, before its samples
    types = re.findall(r"^# TYPE (\S+)", text, flags=re.MULTILINE)
    assert len(types) == len(set(types))
    assert samples["centrex_sms_receipts_unmatched"] == 1


def test_a_dispatcher_silent_for_over_30_seconds_is_reported_down(db: None) -> None:
    # given one dispatcher that wrote 10 s ago, one 31 s ago and one two days ago
    _stats("smsd-live", age=timedelta(seconds=10), counters={"submit_sm": 1})
    _stats("smsd-stuck", age=timedelta(seconds=31), counters={"submit_sm": 2})
    _stats("smsd-gone", age=timedelta(days=2), counters={"submit_sm": 3})

    # when
    samples = _samples(render_metrics())

    # then the live one is up, the stuck one down, the long-gone one no longer listed
    up = 'centrex_smsc_dispatcher_up{{smsc="centrex@127.0.0.1:2775",dispatcher="{}"}}'
    assert samples[up.format("smsd-live")] == 1
    assert samples[up.format("smsd-stuck")] == 0
    assert up.format("smsd-gone") not in samples
    age = 'centrex_smsc_dispatcher_last_update_age_seconds{smsc="centrex@127.0.0.1:2775",dispatcher="smsd-stuck"}'
    assert 31 <= samples[age] < 40


def test_the_queue_depth_counts_waiting_messages_by_status(
    db: None, esempio: Customer, alice: User
) -> None:
    # given 3 queued messages, 2 submitted ones and 4 delivered ones
    request = enqueue_sms(
        customer=esempio,
        user=alice,
        sender=Sender(type="alias", value="Esempio"),
        text="Ciao",
        destinations=[f"+39333000000{n}" for n in range(9)],
    )
    ids = list(
        SmsMessage.objects.filter(request=request).order_by("id").values_list("id", flat=True)
    )
    SmsMessage.objects.filter(id__in=ids[3:5]).update(status=MessageStatus.SUBMITTED)
    SmsMessage.objects.filter(id__in=ids[5:]).update(status=MessageStatus.DELIVERED)

    # when
    samples = _samples(render_metrics())

    # then final messages are not queue depth
    assert samples['centrex_sms_messages{status="queued"}'] == 3
    assert samples['centrex_sms_messages{status="submitted"}'] == 2
    assert 'centrex_sms_messages{status="delivered"}' not in samples


def test_without_dispatchers_the_queue_families_still_answer(db: None) -> None:
    # when nothing ever ran
    samples = _samples(render_metrics())

    # then there is no dispatcher sample, and the queue and tasks read zero
    assert not [key for key in samples if key.startswith("centrex_smsc_")]
    assert samples['centrex_sms_messages{status="queued"}'] == 0
    assert samples["centrex_sms_receipts_unmatched"] == 0
    assert samples["centrex_tasks_pending"] == 0


def test_tasks_waiting_for_the_worker_are_counted(db: None, settings: Any) -> None:
    # given the database task backend with two tasks ready and one done
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for status in (TaskResultStatus.READY, TaskResultStatus.READY, TaskResultStatus.SUCCESSFUL):
        DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="centrex.core.tasks.send_email",
            backend_name="default",
            run_after=timezone.now(),
        )

    # when
    samples = _samples(render_metrics())

    # then
    assert samples["centrex_tasks_pending"] == 2


# --- Access --------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1"])
def test_without_a_token_clients_on_this_machine_may_read(
    address: str, db: None, no_token: None, client: Client
) -> None:
    # when
    response = client.get(METRICS, REMOTE_ADDR=address)

    # then
    assert response.status_code == 200


@pytest.mark.parametrize("address", ["192.0.2.10", "10.0.0.1", "::ffff:192.0.2.10", "2001:db8::1"])
def test_without_a_token_other_clients_are_refused_with_a_hint(
    address: str, db: None, no_token: None, client: Client
) -> None:
    # when
    response = client.get(METRICS, REMOTE_ADDR=address)

    # then
    assert response.status_code == 403
    assert b"CENTREX_METRICS_TOKEN" in response.content
    assert b"centrex_" not in response.content


def test_behind_a_trusted_proxy_the_forwarded_address_decides(
    db: None, settings: Any, client: Client
) -> None:
    # given a reverse proxy on this machine, trusted for X-Forwarded-For
    settings.CENTREX_METRICS_TOKEN = ""
    settings.CENTREX_TRUSTED_PROXIES = 1

    # when an outside client comes through it, and then a local one
    outside = client.get(METRICS, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    local = client.get(METRICS, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    # then the proxy's own loopback address does not let the outside client in
    assert outside.status_code == 403
    assert local.status_code == 200


def test_an_untrusted_forwarded_header_does_not_let_a_remote_client_in(
    db: None, no_token: None, client: Client
) -> None:
    # when a remote client claims to be local
    response = client.get(METRICS, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="127.0.0.1")

    # then
    assert response.status_code == 403


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"]
)
def test_with_a_token_every_client_must_send_it(
    authorization: str | None, db: None, settings: Any, client: Client
) -> None:
    # given a token, and a client on this machine without the right one
    settings.CENTREX_METRICS_TOKEN = TOKEN
    headers = {"Authorization": authorization} if authorization else {}

    # when
    response = client.get(METRICS, REMOTE_ADDR="127.0.0.1", headers=headers)

    # then
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"centrex_" not in response.content


def test_with_the_token_a_remote_scraper_reads_the_metrics(
    db: None, settings: Any, client: Client
) -> None:
    # given
    settings.CENTREX_METRICS_TOKEN = TOKEN

    # when
    response = client.get(METRICS, REMOTE_ADDR="192.0.2.10", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    # then
    assert response.status_code == 200
    assert b"centrex_sms_messages" in response.content


def test_only_reading_is_allowed(db: None, no_token: None, client: Client) -> None:
    # when / then
    assert client.post(METRICS).status_code == 405


@pytest.mark.parametrize(
    ("address", "loopback"),
    [("127.0.0.1", True), ("[::1]", True), ("unknown", False), ("", False), ("128.0.0.1", False)],
)
def test_loopback_addresses_are_recognised(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
