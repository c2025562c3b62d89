"""SMS usage per month (R-R1): messages (one per recipient) and parts (what the SMSC charges) by
user, by status and per day, checked against messages the test sends — long GSM texts and
UCS-2 ones; the admins' `GET /sms/usage`, the operators' `GET /backoffice/usage[.csv]`; a
month is Europe/Rome's; another customer's messages never count."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from centrex.accounts.models import User
from centrex.customers.models import Customer
from centrex.sms.actions import send_sms
from centrex.sms.models import MessageStatus, SmsMessage, SmsRequest
from centrex.sms.usage import Month, customer_usage
from tests.plugins.policy_cast import BOB_MOBILE, give_mobile
from tests.problems import assert_problem, error_fields
from tests.sms.verification_sms import queue_verification_code

ApiClient = Callable[[User | None], Client]
ROME = ZoneInfo("Europe/Rome")
CARLO = "+393401112233"
DANIELA = "+393405556677"
# GSM 7-bit: 153 characters per part of a long text (R-T3) → 2 parts.
LONG_GSM = "Riunione spostata alle 15. " * 7
# UCS-2 (an emoji): 67 units per part → 2 parts.
UCS2 = "Buon lavoro 😀 " * 6

pytestmark = pytest.mark.usefixtures("no_send_rate_limits")


def send(user: User, *to: str, text: str, at: datetime) -> SmsRequest:
    sms = send_sms(user, to=list(to), text=text, sender=None, idempotency_key=None)
    SmsRequest.objects.filter(pk=sms.pk).update(created_at=at)
    SmsMessage.objects.filter(request=sms).update(created_at=at)
    return sms


def finish(sms: SmsRequest, to: str, status: str) -> None:
    SmsMessage.objects.filter(request=sms, destination=to).update(status=status)


@pytest.fixture
def march(esempio: Customer, alice: User, bob: User, carla: User) -> dict[str, SmsRequest]:
    """March 2026 in Esempio: Bob's long text to two recipients on the 2nd (one delivered,
    one undeliverable), Alice's UCS-2 text on the 31st at 23:30 in Rome; Bob's short text on
    1 April at 00:10 in Rome (22:10 UTC on 31 March, yet April's). Carla of Altra and a
    verification code to Bob also go out in March and never count for Esempio."""
    give_mobile(bob, BOB_MOBILE)
    give_mobile(alice, "+393331234567")
    give_mobile(carla, "+393351234567")
    long = send(bob, CARLO, DANIELA, text=LONG_GSM, at=datetime(2026, 3, 2, 10, 0, tzinfo=ROME))
    finish(long, CARLO, MessageStatus.DELIVERED)
    finish(long, DANIELA, MessageStatus.UNDELIVERABLE)
    wide = send(alice, CARLO, text=UCS2, at=datetime(2026, 3, 31, 23, 30, tzinfo=ROME))
    april = send(bob, CARLO, text="Ciao", at=datetime(2026, 4, 1, 0, 10, tzinfo=ROME))
    other = send(carla, CARLO, text="Altra", at=datetime(2026, 3, 5, 9, 0, tzinfo=ROME))
    code = queue_verification_code(esempio, bob, BOB_MOBILE)
    SmsMessage.objects.filter(request=code).update(created_at=datetime(2026, 3, 9, tzinfo=ROME))
    return {"long": long, "wide": wide, "april": april, "other": other}


def test_the_months_messages_and_parts_by_status_user_and_day(
    march: dict[str, SmsRequest], esempio: Customer, alice: User, bob: User
) -> None:
    # given: the texts' parts as the engine counted them
    assert (march["long"].parts, march["wide"].parts) == (2, 2)
    # when
    usage = customer_usage(esempio, Month(2026, 3)).as_api()
    # then: 3 messages (recipients), 6 parts
    assert (usage["month"], usage["messages"], usage["parts"]) == ("2026-03", 3, 6)
    assert usage["by_status"] == {
        "queued": 2,
        "submitted": 0,
        "delivered": 2,
        "undeliverable": 2,
        "expired": 0,
        "rejected": 0,
        "failed": 0,
    }
    assert usage["by_user"] == [
        {"user_id": bob.pk, "messages": 2, "parts": 4},
        {"user_id": alice.pk, "messages": 1, "parts": 2},
    ]
    days = {day["date"]: (day["messages"], day["parts"]) for day in usage["by_day"]}
    assert len(days) == 31
    assert days["2026-03-02"] == (2, 4)
    assert days["2026-03-31"] == (1, 2)
    assert sum(parts for _messages, parts in days.values()) == 6


def test_a_message_counts_in_the_month_of_romes_calendar(
    march: dict[str, SmsRequest], esempio: Customer, bob: User
) -> None:
    usage = customer_usage(esempio, Month(2026, 4)).as_api()
    assert (usage["messages"], usage["parts"]) == (1, 1)
    assert usage["by_day"][0] == {"date": "2026-04-01", "messages": 1, "parts": 1}
    assert len(usage["by_day"]) == 30


def test_an_admin_reads_the_month_through_the_api(
    march: dict[str, SmsRequest], alice: User, api_client: ApiClient
) -> None:
    answer = api_client(alice).get("/api/v1/sms/usage", {"month": "2026-03"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["messages"], body["parts"]) == (3, 6)
    assert set(body) == {"month", "messages", "parts", "by_status", "by_user", "by_day"}


def test_an_empty_month_is_zeros_on_every_day(alice: User, api_client: ApiClient) -> None:
    body = api_client(alice).get("/api/v1/sms/usage", {"month": "2026-02"}).json()
    assert (body["messages"], body["parts"], body["by_user"]) == (0, 0, [])
    assert [day["date"] for day in body["by_day"]][-1] == "2026-02-28"
    assert set(body["by_status"].values()) == {0}


def test_without_a_month_the_current_one_is_answered(alice: User, api_client: ApiClient) -> None:
    body = api_client(alice).get("/api/v1/sms/usage").json()
    assert body["month"] == str(Month.current())


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "marzo", "2026-03-01", "1999-12"])
def test_a_month_that_is_not_yyyy_mm_is_a_validation_error(
    month: str, alice: User, api_client: ApiClient
) -> None:
    answer = api_client(alice).get("/api/v1/sms/usage", {"month": month})
    assert_problem(answer, 422, "validation_error")
    assert error_fields(answer.json()) == {"month": "validation_error"}


def test_usage_is_for_customer_admins(bob: User, operator: User, api_client: ApiClient) -> None:
    assert_problem(api_client(bob).get("/api/v1/sms/usage"), 403, "permission_denied")
    assert_problem(api_client(operator).get("/api/v1/sms/usage"), 403, "permission_denied")
    assert_problem(api_client(None).get("/api/v1/sms/usage"), 401, "not_authenticated")


def test_operators_see_every_customers_month(
    march: dict[str, SmsRequest],
    esempio: Customer,
    carla: User,
    operator: User,
    api_client: ApiClient,
) -> None:
    body = api_client(operator).get("/api/v1/backoffice/usage", {"month": "2026-03"}).json()
    assert carla.customer is not None
    assert body == {
        "month": "2026-03",
        "items": [
            {
                "customer_id": carla.customer.pk,
                "name": carla.customer.name,
                "messages": 1,
                "parts": 1,
            },
            {"customer_id": esempio.pk, "name": esempio.name, "messages": 3, "parts": 6},
        ],
    }


def test_the_billing_csv_has_the_same_lines(
    march: dict[str, SmsRequest], esempio: Customer, operator: User, api_client: ApiClient
) -> None:
    answer = api_client(operator).get("/api/v1/backoffice/usage.csv", {"month": "2026-03"})
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert 'filename="sms-usage-2026-03-' in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0] == [
        "month",
        "customer_id",
        "name",
        "vat_number",
        "tax_code",
        "messages",
        "parts",
    ]
    line = next(row for row in rows if row[1] == str(esempio.pk))
    assert line == ["2026-03", str(esempio.pk), esempio.name, esempio.vat_number, "", "3", "6"]


def test_the_back_offices_usage_is_for_operators(alice: User, api_client: ApiClient) -> None:
    for path in ("/api/v1/backoffice/usage", "/api/v1/backoffice/usage.csv"):
        assert_problem(api_client(alice).get(path), 403, "permission_denied")
        assert_problem(api_client(None).get(path), 401, "not_authenticated")


# --- the daily roll-up: a past day whose messages are all final is counted once --------------


def test_a_past_day_of_final_messages_is_counted_once_and_read_back(
    march: dict[str, SmsRequest], esempio: Customer, django_assert_max_num_queries: Any
) -> None:
    from centrex.sms.models import UsageDay

    # when: the month is read twice
    first = customer_usage(esempio, Month(2026, 3)).as_api()
    # then: every past day is closed except the 31st, whose message is still queued
    closed = set(UsageDay.objects.filter(customer=esempio).values_list("day", flat=True))
    assert len(closed) == 30
    assert date(2026, 3, 31) not in closed
    with django_assert_max_num_queries(4):  # the roll-up (2), the open day, the users
        again = customer_usage(esempio, Month(2026, 3)).as_api()
    assert again == first


def test_a_day_closes_once_its_last_message_is_final(
    march: dict[str, SmsRequest], esempio: Customer
) -> None:
    from centrex.sms.models import UsageDay

    customer_usage(esempio, Month(2026, 3))
    assert not UsageDay.objects.filter(customer=esempio, day=date(2026, 3, 31)).exists()
    # when: Alice's UCS-2 message is delivered at last
    finish(march["wide"], CARLO, MessageStatus.DELIVERED)
    usage = customer_usage(esempio, Month(2026, 3)).as_api()
    # then: the day is closed with its final status
    assert UsageDay.objects.filter(customer=esempio, day=date(2026, 3, 31)).exists()
    assert usage["by_status"]["delivered"] == 4
    assert usage["by_status"]["queued"] == 0
    assert customer_usage(esempio, Month(2026, 3)).as_api() == usage


def test_today_is_counted_from_the_messages_and_never_closed(
    alice: User, esempio: Customer
) -> None:
    from centrex.sms.models import UsageDay

    give_mobile(alice, "+393331234567")
    sms = send_sms(alice, to=[CARLO], text="Ciao", sender=None, idempotency_key=None)
    SmsMessage.objects.filter(request=sms).update(status=MessageStatus.DELIVERED)
    usage = customer_usage(esempio, Month.current())
    assert (usage.total.messages, usage.total.parts) == (1, 1)
    assert not UsageDay.objects.filter(customer=esempio, day=timezone.localdate()).exists()


def test_two_readers_closing_the_same_day_store_it_once(
    march: dict[str, SmsRequest], esempio: Customer
) -> None:
    from centrex.sms.models import UsageCount
    from centrex.sms.usage import _close

    customer_usage(esempio, Month(2026, 3))
    stored = UsageCount.objects.filter(usage_day__day=date(2026, 3, 2)).count()
    # when: a second reader, which counted the day before the first stored it, closes it too
    _close(esempio, date(2026, 3, 2), [(1, "delivered", 99, 99)])
    # then: nothing more is stored, the first counts stand
    assert UsageCount.objects.filter(usage_day__day=date(2026, 3, 2)).count() == stored
    assert customer_usage(esempio, Month(2026, 3)).total.messages == 3


# --- the pages: «Consumo SMS» (admins) and «Consumo per cliente» (operators) -----------------


def page_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admins_page_shows_the_chart_and_the_tables_in_italian(
    march: dict[str, SmsRequest], alice: User, bob: User
) -> None:
    # when
    page = page_of(alice).get("/communicator/sms/consumo/", {"month": "2026-03"})
    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert "Consumo SMS" in html
    assert "<strong>3</strong> messaggi (uno per destinatario), <strong>6</strong> parti" in html
    chart = html[html.index('<svg class="chart"') : html.index("</svg>")]
    assert chart.count("<rect") == 31
    assert "<title>02: 4</title>" in chart  # the 2nd: Bob's long text to two recipients
    assert "<title>31: 2</title>" in chart
    assert "Per stato" in html and "Consegnato" in html
    assert bob.full_name in html and alice.full_name in html
    assert 'value="2026-03" selected' in html


def test_the_admins_csv_has_a_line_per_day_user_and_status(
    march: dict[str, SmsRequest], alice: User, bob: User
) -> None:
    answer = page_of(alice).get("/communicator/sms/consumo/export.csv", {"month": "2026-03"})
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode())))
    assert rows[0] == ["date", "user_email", "user_name", "status", "messages", "parts"]
    assert sorted(rows[1:]) == [
        ["2026-03-02", bob.email, bob.full_name, "delivered", "1", "2"],
        ["2026-03-02", bob.email, bob.full_name, "undeliverable", "1", "2"],
        ["2026-03-31", alice.email, alice.full_name, "queued", "1", "2"],
    ]


def test_a_month_outside_the_picker_shows_this_month_with_the_fields_error(
    alice: User,
) -> None:
    page = page_of(alice).get("/communicator/sms/consumo/", {"month": "1999-01"})
    assert page.status_code == 200
    assert 'aria-invalid="true"' in page.content.decode()


def test_the_operators_page_lists_every_customer_with_a_total(
    march: dict[str, SmsRequest], esempio: Customer, operator: User
) -> None:
    page = page_of(operator).get("/backoffice/sms/consumo/", {"month": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Consumo per cliente" in html
    assert esempio.name in html and "Altra" in html
    total = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert "Totale" in total and ">4<" in total and ">7<" in total
    csv_answer = page_of(operator).get("/backoffice/sms/consumo/export.csv", {"month": "2026-03"})
    rows = list(csv.reader(io.StringIO(b"".join(csv_answer.streaming_content).decode())))
    assert [row[-2:] for row in rows[1:]] == [["1", "1"], ["3", "6"]]
