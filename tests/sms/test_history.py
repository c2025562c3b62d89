"""The history of sent SMS (R-T5, R-C3): `GET /sms/messages` and `/sms/messages/{id}`, and the
pages «SMS inviati» (filters, pages, CSV) and the page of one SMS with each recipient's status
updated live. A user sees their own SMS, an admin the company's; a colleague's is 404 for a
non-admin, another customer's for everybody; verification codes never show."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from centrex.accounts.models import User
from centrex.customers.models import Customer
from centrex.sms.actions import send_sms
from centrex.sms.models import MessageStatus, RequestKind, SmsMessage, SmsRequest
from centrex.sms.queue import Failure, mark_failed
from tests.plugins.policy_cast import BOB_MOBILE, give_mobile
from tests.problems import assert_problem, error_fields
from tests.sms.verification_sms import queue_verification_code

ApiClient = Callable[[User | None], Client]

ALICE_MOBILE = "+393331234567"
CARLA_MOBILE = "+393351234567"
CARLO = "+393401112233"
DANIELA = "+393405556677"
MESSAGES = "/api/v1/sms/messages"


pytestmark = pytest.mark.usefixtures("no_send_rate_limits")


def send(user: User, *to: str, text: str = "Ciao") -> SmsRequest:
    return send_sms(user, to=list(to), text=text, sender=None, idempotency_key=None)


def move(message: SmsMessage, status: str, **fields: Any) -> None:
    """A recipient's message as the dispatcher and the receipts leave it (R-T5)."""
    now = timezone.now()
    SmsMessage.objects.filter(pk=message.pk).update(
        status=status, updated_at=now, submitted_at=now, done_at=now, **fields
    )


@pytest.fixture
def sent(esempio: Customer, alice: User, bob: User, carla: User) -> dict[str, SmsRequest]:
    """Bob's SMS to Carlo (delivered) and Daniela (queued); Alice's to Carlo; Carla's (Altra)
    to Carlo; and a verification code to Bob's number."""
    give_mobile(bob, BOB_MOBILE)
    give_mobile(alice, ALICE_MOBILE)
    give_mobile(carla, CARLA_MOBILE)
    bobs = send(bob, CARLO, DANIELA, text="Ciao da Bob")
    move(bobs.queued_messages[0], MessageStatus.DELIVERED)  # type: ignore[attr-defined]
    alices = send(alice, CARLO, text="Ciao da Alice")
    carlas = send(carla, CARLO, text="Ciao da Carla")
    queue_verification_code(esempio, bob, BOB_MOBILE)
    return {"bob": bobs, "alice": alices, "carla": carlas}


# --- API: GET /sms/messages, GET /sms/messages/{id} -----------------------------------------


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_a_user_lists_their_own_sms_and_an_admin_the_companys(
    sent: dict[str, SmsRequest], alice: User, bob: User, carla: User, api_client: ApiClient
) -> None:
    # when
    bobs = api_client(bob).get(MESSAGES)
    alices = api_client(alice).get(MESSAGES)
    carlas = api_client(carla).get(MESSAGES)
    # then: newest first; never the verification code; never another customer's
    assert ids(bobs) == [sent["bob"].pk]
    assert ids(alices) == [sent["alice"].pk, sent["bob"].pk]
    assert ids(carlas) == [sent["carla"].pk]
    assert alices.json()["count"] == 2
    item = bobs.json()["items"][0]
    assert item["sender"] == {"type": "mobile", "value": BOB_MOBILE}
    assert [(r["to"], r["status"]) for r in item["recipients"]] == [
        (CARLO, "delivered"),
        (DANIELA, "queued"),
    ]


def test_one_sms_with_its_recipients(
    sent: dict[str, SmsRequest], alice: User, bob: User, api_client: ApiClient
) -> None:
    # when
    mine = api_client(bob).get(f"{MESSAGES}/{sent['bob'].pk}")
    as_admin = api_client(alice).get(f"{MESSAGES}/{sent['bob'].pk}")
    # then
    assert mine.status_code == as_admin.status_code == 200
    assert mine.json() == as_admin.json()
    assert mine.json()["user_id"] == bob.pk
    assert len(mine.json()["recipients"]) == 2


@pytest.mark.parametrize(
    ("who", "whose"),
    [("bob", "alice"), ("carla", "bob"), ("carla", "alice"), ("alice", "carla")],
)
def test_a_colleagues_sms_for_a_non_admin_and_another_customers_are_404_r_c3(
    sent: dict[str, SmsRequest],
    request: pytest.FixtureRequest,
    api_client: ApiClient,
    who: str,
    whose: str,
) -> None:
    # given
    client = api_client(request.getfixturevalue(who))
    # when
    response = client.get(f"{MESSAGES}/{sent[whose].pk}")
    # then: exactly as for an SMS that does not exist
    assert_problem(response, 404, "not_found")
    assert response.json() == client.get(f"{MESSAGES}/987654").json()


def test_a_verification_code_is_not_an_sms_of_the_history(
    sent: dict[str, SmsRequest], bob: User, api_client: ApiClient
) -> None:
    # given
    code = SmsRequest.objects.get(kind=RequestKind.VERIFICATION)
    # when
    response = api_client(bob).get(f"{MESSAGES}/{code.pk}")
    # then
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "delivered"}, ["bob"]),
        ({"status": "queued"}, ["alice", "bob"]),
        ({"status": "failed"}, []),
        ({"to": DANIELA}, ["bob"]),
        ({"to": "340 555 6677"}, ["bob"]),
        ({"to": "5556"}, ["bob"]),
        ({"to": CARLO}, ["alice", "bob"]),
        ({"to": DANIELA, "status": "delivered"}, []),  # one recipient must match both
        ({"user_id": "bob"}, ["bob"]),
        ({"since": "2000-01-01"}, ["alice", "bob"]),
        ({"until": "2000-01-01"}, []),
        ({"since": "2000-01-01T10:00:00+01:00", "until": "2999-01-01T10:00"}, ["alice", "bob"]),
    ],
)
def test_the_admins_filters(
    sent: dict[str, SmsRequest],
    alice: User,
    bob: User,
    api_client: ApiClient,
    query: dict[str, str],
    expected: list[str],
) -> None:
    # given
    if query.get("user_id") == "bob":
        query = {**query, "user_id": str(bob.pk)}
    # when
    response = api_client(alice).get(MESSAGES, query)
    # then
    assert ids(response) == [sent[name].pk for name in expected]


def test_the_time_filters_cut_at_the_moment_given(
    sent: dict[str, SmsRequest], alice: User, api_client: ApiClient
) -> None:
    # given Bob's SMS sent an hour ago
    an_hour_ago = timezone.now() - timedelta(hours=1)
    SmsRequest.objects.filter(pk=sent["bob"].pk).update(created_at=an_hour_ago)
    half_an_hour_ago = (timezone.now() - timedelta(minutes=30)).isoformat()
    # when
    before = api_client(alice).get(MESSAGES, {"until": half_an_hour_ago})
    after = api_client(alice).get(MESSAGES, {"since": half_an_hour_ago})
    # then
    assert ids(before) == [sent["bob"].pk]
    assert ids(after) == [sent["alice"].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "sent"}, "status"),
        ({"to": "Mario"}, "to"),
        ({"since": "ieri"}, "since"),
        ({"until": "2026-02-30"}, "until"),
        ({"limit": "0"}, "limit"),
    ],
)
def test_bad_filters_are_validation_errors(
    sent: dict[str, SmsRequest],
    alice: User,
    api_client: ApiClient,
    query: dict[str, str],
    field: str,
) -> None:
    # when
    response = api_client(alice).get(MESSAGES, query)
    # then
    body = assert_problem(response, 422, "validation_error")
    assert field in error_fields(body)


def test_a_user_filter_never_shows_a_non_admin_a_colleagues_sms(
    sent: dict[str, SmsRequest], alice: User, bob: User, api_client: ApiClient
) -> None:
    # when
    response = api_client(bob).get(MESSAGES, {"user_id": alice.pk})
    # then
    assert response.json() == {"count": 0, "items": []}


def test_the_list_pages_with_limit_and_offset(
    sent: dict[str, SmsRequest], alice: User, api_client: ApiClient
) -> None:
    # when
    first = api_client(alice).get(MESSAGES, {"limit": 1})
    second = api_client(alice).get(MESSAGES, {"limit": 1, "offset": 1})
    # then
    assert (first.json()["count"], ids(first)) == (2, [sent["alice"].pk])
    assert ids(second) == [sent["bob"].pk]


def test_a_failed_recipient_shows_the_smsc_error_code(
    sent: dict[str, SmsRequest], bob: User, api_client: ApiClient
) -> None:
    # given the SMSC refused Daniela's for good
    daniela = SmsMessage.objects.get(request=sent["bob"], destination=DANIELA)
    mark_failed([Failure(daniela.pk, "0x0000000B", "Invalid destination address")])
    # when
    body = api_client(bob).get(f"{MESSAGES}/{sent['bob'].pk}").json()
    # then
    assert [(r["status"], r["error"]) for r in body["recipients"]] == [
        ("delivered", None),
        ("failed", "0x0000000B"),
    ]


def many_sms(user: User, count: int) -> None:
    """`count` SMS of `user` with two recipients each, as bulk rows."""
    assert user.customer is not None
    for n in range(count):
        send(user, f"+39340{n:07d}", f"+39341{n:07d}")


def test_the_list_runs_as_many_queries_for_100_sms_as_for_5(
    bob: User, api_client: ApiClient
) -> None:
    # given
    give_mobile(bob, BOB_MOBILE)
    many_sms(bob, 100)
    client = api_client(bob)
    client.get("/api/v1/me")

    def queries(limit: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(MESSAGES, {"limit": limit, "status": "queued"})
        assert len(response.json()["items"]) == limit
        return len(captured.captured_queries)

    # when / then
    assert queries(5) == queries(100)


# --- Pages: SMS inviati ----------------------------------------------------------------------


def page_of(viewer: User, path: str = "/communicator/sms/inviati/", **query: Any) -> Any:
    client = Client()
    client.force_login(viewer)
    return client.get(path, query)


def recipients_listed(response: Any) -> list[str]:
    assert response.status_code == 200
    html = response.content.decode()
    return [
        number
        for number in (CARLO, DANIELA, BOB_MOBILE)
        for _ in range(html.count(f"<td>{number}</td>"))
    ]


def test_sms_inviati_lists_the_users_own_recipients(sent: dict[str, SmsRequest], bob: User) -> None:
    # when
    response = page_of(bob)
    # then
    html = response.content.decode()
    assert sorted(recipients_listed(response)) == [CARLO, DANIELA]
    assert "Ciao da Bob" in html and "Ciao da Alice" not in html
    assert "codice" not in html  # no verification code
    assert 'data-status="delivered">consegnato<' in html
    assert 'data-status="queued">in coda<' in html
    assert 'name="user"' not in html  # no user filter for a non-admin


def test_an_admin_sees_the_companys_sms_and_filters_by_user(
    sent: dict[str, SmsRequest], alice: User, bob: User
) -> None:
    # when
    everyone = page_of(alice)
    only_bob = page_of(alice, user=bob.pk)
    # then
    assert sorted(recipients_listed(everyone)) == [CARLO, CARLO, DANIELA]
    assert "Ciao da Carla" not in everyone.content.decode()
    assert 'name="user"' in everyone.content.decode()
    assert sorted(recipients_listed(only_bob)) == [CARLO, DANIELA]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "delivered"}, [CARLO]),
        ({"recipient": "340 555 6677"}, [DANIELA]),
        ({"recipient": "555"}, [DANIELA]),
        ({"date_from": "2000-01-01", "date_to": "2999-12-31"}, [CARLO, DANIELA]),
        ({"date_to": "2000-01-01"}, []),
    ],
)
def test_sms_inviati_filters(
    sent: dict[str, SmsRequest], bob: User, query: dict[str, str], expected: list[str]
) -> None:
    # when
    response = page_of(bob, **query)
    # then
    assert sorted(recipients_listed(response)) == expected


def test_a_filter_that_makes_no_sense_is_explained_on_its_field(
    sent: dict[str, SmsRequest], bob: User
) -> None:
    # when
    response = page_of(bob, recipient="Mario", date_from="2026-03-02", date_to="2026-03-01")
    # then
    html = response.content.decode()
    assert 'id="id_recipient_error"' in html
    assert 'id="id_date_to_error"' in html


def test_sms_inviati_exports_the_filtered_list_as_csv(
    sent: dict[str, SmsRequest], bob: User
) -> None:
    # when
    response = page_of(bob, "/communicator/sms/inviati/export.csv", status="queued")
    # then
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["recipient"], r["status"], r["status_label"]) for r in rows] == [
        (DANIELA, "queued", "in coda")
    ]
    assert rows[0]["user_email"] == "bob@esempio.example"
    assert rows[0]["sender"] == BOB_MOBILE
    assert rows[0]["text"] == "Ciao da Bob"


def test_the_export_with_a_bad_filter_goes_back_to_the_page(
    sent: dict[str, SmsRequest], bob: User
) -> None:
    # when
    response = page_of(bob, "/communicator/sms/inviati/export.csv", recipient="Mario")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/communicator/sms/inviati/?recipient=Mario"


def test_sms_inviati_pages_by_fifty_with_the_same_queries_for_any_page_size(
    bob: User, alice: User
) -> None:
    # given 60 SMS of two recipients each
    give_mobile(bob, BOB_MOBILE)
    many_sms(bob, 60)
    client = Client()
    client.force_login(alice)
    client.get("/communicator/sms/inviati/")

    def queries(**query: Any) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/communicator/sms/inviati/", query)
        assert response.status_code == 200
        return len(captured.captured_queries), response.content.decode().count("<tr>") - 1

    # when
    few, few_rows = queries(recipient="3400000001")
    full, full_rows = queries()
    last, last_rows = queries(page=3)
    # then
    assert (few_rows, full_rows, last_rows) == (1, 50, 20)
    assert few == full == last


def test_sms_inviati_needs_a_login(client: Client) -> None:
    # when
    response = client.get("/communicator/sms/inviati/")
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("path", ["/communicator/sms/", "/communicator/sms/inviati/"])
def test_operators_are_sent_to_the_traceability_export(path: str, operator: User) -> None:
    # given
    client = Client()
    client.force_login(operator)
    # when
    response = client.get(path)
    # then: they send nothing here; theirs is the back office's traceability page (R-B1)
    assert response.status_code == 302
    assert response["Location"] == "/backoffice/sms/tracciabilita/"


# --- Pages: one SMS, live (R-T5) -------------------------------------------------------------


def test_the_page_of_an_sms_polls_while_a_recipient_is_not_final(
    sent: dict[str, SmsRequest], bob: User
) -> None:
    # when
    response = page_of(bob, f"/communicator/sms/inviati/{sent['bob'].pk}/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ciao da Bob" in html
    assert f'hx-get="/communicator/sms/inviati/{sent["bob"].pk}/stato/"' in html
    assert 'hx-trigger="every 3s"' in html
    assert html.count('data-status="') == 2


def test_once_every_recipient_is_final_the_polling_stops(
    sent: dict[str, SmsRequest], bob: User
) -> None:
    # given Daniela's undeliverable
    daniela = SmsMessage.objects.get(request=sent["bob"], destination=DANIELA)
    move(daniela, MessageStatus.UNDELIVERABLE)
    # when
    response = page_of(bob, f"/communicator/sms/inviati/{sent['bob'].pk}/stato/")
    # then
    html = response.content.decode()
    assert "hx-get" not in html and "hx-trigger" not in html
    assert 'data-status="undeliverable">non consegnabile<' in html
    assert 'data-status="delivered">consegnato<' in html


def test_a_recipient_failed_by_a_revoked_alias_says_why_r_a11(
    sent: dict[str, SmsRequest], bob: User
) -> None:
    # given
    daniela = SmsMessage.objects.get(request=sent["bob"], destination=DANIELA)
    move(daniela, MessageStatus.FAILED, error_code="alias_not_validated")
    # when
    response = page_of(bob, f"/communicator/sms/inviati/{sent['bob'].pk}/stato/")
    # then
    html = response.content.decode()
    assert 'data-status="failed">non riuscito<' in html
    assert 'data-error="alias_not_validated"' in html
    assert "non è più validato" in html


@pytest.mark.parametrize("suffix", ["", "stato/"])
@pytest.mark.parametrize(("who", "whose"), [("bob", "alice"), ("carla", "bob")])
def test_a_colleagues_or_another_customers_sms_page_is_404_r_c3(
    sent: dict[str, SmsRequest],
    request: pytest.FixtureRequest,
    who: str,
    whose: str,
    suffix: str,
) -> None:
    # when
    response = page_of(
        request.getfixturevalue(who), f"/communicator/sms/inviati/{sent[whose].pk}/{suffix}"
    )
    # then
    assert response.status_code == 404
    assert sent[whose].text not in response.content.decode()


def test_an_admin_opens_a_colleagues_sms(sent: dict[str, SmsRequest], alice: User) -> None:
    # when
    response = page_of(alice, f"/communicator/sms/inviati/{sent['bob'].pk}/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bob Bianchi" in html
