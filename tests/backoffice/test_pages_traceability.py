"""The operators' traceability export (R-S4, R-B1): for one customer and a period, every SMS
with who sent it, from which extension, the sender with the policy option and why, the alias's
AGCOM registration and the delivery state — as a streamed CSV. Operators only; a page of the
back office, whose messages `sms.history.traced_messages` reads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from centrex.accounts.actions import update_user
from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus
from centrex.backoffice.views.traceability import TRACEABILITY_CSV_COLUMNS
from centrex.customers.models import Customer
from centrex.senders.models import SenderPolicyMode, SenderType
from centrex.senders.resolution import Sender
from centrex.sms.actions import send_sms
from centrex.sms.models import MessageStatus, SmsMessage
from centrex.sms.queue import Submission, SubmittedPart, mark_submitted
from tests.plugins.policy_cast import BOB_MOBILE, AliasIn, give_mobile, policy_of
from tests.sidebar import current_page
from tests.sms.verification_sms import queue_verification_code
from tests.support.sessions import signed_in as logged_in

PAGE = "/backoffice/sms/tracciabilita/"
EXPORT = "/backoffice/sms/tracciabilita/export.csv"
CARLO = "+393401112233"
DANIELA = "+393405556677"


@pytest.fixture(autouse=True)
def no_send_rate_limits(settings: Settings) -> None:
    """No per-user or per-customer sending limits (R-S7) while the SMS are made."""
    settings.CENTREX_SMS_USER_RATE = 0
    settings.CENTREX_SMS_CUSTOMER_RATE = 0


def today() -> str:
    return timezone.localdate().isoformat()


@pytest.fixture
def traced(
    esempio: Customer, alice: User, bob: User, carla: User, alias_in: AliasIn
) -> dict[str, Any]:
    """Bob's SMS from his number to Carlo (submitted), then in user_choice with the alias
    EsempioNet to Daniela; an SMS of Altra's; a verification code; an SMS of last year."""
    give_mobile(bob, BOB_MOBILE)
    give_mobile(carla, "+393351234567")
    old = send_sms(bob, to=[CARLO], text="Vecchio", sender=None, idempotency_key=None)
    last_year = timezone.now() - timedelta(days=365)
    SmsMessage.objects.filter(request=old).update(created_at=last_year)
    by_number = send_sms(bob, to=[CARLO], text="Dal mio numero", sender=None, idempotency_key=None)
    message = SmsMessage.objects.get(request=by_number)
    mark_submitted([Submission(message.pk, (SubmittedPart(1, "abc123", "abc123"),))])
    alias = alias_in(AliasStatus.VALIDATED)
    policy_of(esempio, SenderPolicyMode.USER_CHOICE)
    by_alias = send_sms(
        bob,
        to=[DANIELA],
        text="Dall'alias",
        sender=Sender(SenderType.ALIAS, "EsempioNet"),
        idempotency_key=None,
    )
    send_sms(carla, to=[CARLO], text="Di Altra", sender=None, idempotency_key=None)
    queue_verification_code(esempio, bob, BOB_MOBILE)
    # Bob moves to another extension afterwards: the CSV says the one he sent from
    update_user(bob, extension="210", acting_user=alice)
    return {"alias": alias, "by_number": by_number, "by_alias": by_alias}


def export(client: Client, **query: Any) -> list[dict[str, str]]:
    response = client.get(EXPORT, query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert "tracciabilita-sms-" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == TRACEABILITY_CSV_COLUMNS
    return list(reader)


def test_the_operator_exports_a_customers_sms_of_a_period_r_s4(
    traced: dict[str, Any], operator: User, esempio: Customer
) -> None:
    # when
    rows = export(logged_in(operator), customer=esempio.pk, date_from=today(), date_to=today())
    # then: Esempio's two SMS of today, oldest first; not Altra's, the code or last year's
    assert [row["text"] for row in rows] == ["Dal mio numero", "Dall'alias"]
    by_number, by_alias = rows
    assert by_number["customer"] == "Esempio S.r.l."
    assert by_number["user_email"] == "bob@esempio.example"
    assert by_number["extension"] == "202"
    assert by_number["recipient"] == CARLO
    assert (by_number["sender_type"], by_number["sender"]) == ("mobile", BOB_MOBILE)
    assert (by_number["sender_ton"], by_number["sender_npi"]) == ("1", "1")
    assert by_number["policy_mode"] == "own_mobile"
    assert BOB_MOBILE in by_number["sender_reason"]
    assert by_number["status"] == MessageStatus.SUBMITTED
    assert by_number["submitted_at"] and not by_number["done_at"]
    alias = traced["alias"]
    assert (by_alias["sender_type"], by_alias["sender"]) == ("alias", "EsempioNet")
    assert (by_alias["sender_ton"], by_alias["sender_npi"]) == ("5", "0")
    assert by_alias["policy_mode"] == "user_choice"
    assert by_alias["alias_id"] == str(alias.pk)
    assert by_alias["alias_registry_reference"] == alias.registry_reference != ""
    assert by_alias["alias_registered_at"] == alias.registered_at.isoformat()
    assert by_alias["alias_validated_at"]
    assert "EsempioNet" in by_alias["sender_reason"]
    assert by_alias["status"] == MessageStatus.QUEUED
    assert by_alias["request_id"] == str(traced["by_alias"].pk)


def test_the_period_is_whole_days_both_ends_included(
    traced: dict[str, Any], operator: User, esempio: Customer
) -> None:
    # given
    client = logged_in(operator)
    a_year_ago = (timezone.localdate() - timedelta(days=365)).isoformat()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    # when
    last_year = export(client, customer=esempio.pk, date_from=a_year_ago, date_to=a_year_ago)
    up_to_yesterday = export(client, customer=esempio.pk, date_from=a_year_ago, date_to=yesterday)
    everything = export(client, customer=esempio.pk, date_from=a_year_ago, date_to=today())
    # then
    assert [row["text"] for row in last_year] == ["Vecchio"]
    assert [row["text"] for row in up_to_yesterday] == ["Vecchio"]
    assert len(everything) == 3


def test_the_page_counts_what_the_csv_will_hold(
    traced: dict[str, Any], operator: User, esempio: Customer
) -> None:
    # when
    response = logged_in(operator).get(
        PAGE, {"customer": esempio.pk, "date_from": today(), "date_to": today()}
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 destinatari di SMS in questo periodo." in html
    assert "Tracciabilità SMS" in html
    assert f'<option value="{esempio.pk}" selected>Esempio S.r.l.</option>' in html


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-01-01", "date_to": "2026-01-31"},
        {"customer": "999999", "date_from": "2026-01-01", "date_to": "2026-01-31"},
        {"customer": "{esempio}", "date_from": "2026-01-31", "date_to": "2026-01-01"},
        {"customer": "{esempio}", "date_from": "ieri", "date_to": "2026-01-01"},
    ],
)
def test_an_incomplete_request_goes_back_to_the_page_that_explains_it(
    traced: dict[str, Any], operator: User, esempio: Customer, query: dict[str, str]
) -> None:
    # given
    query = {key: value.format(esempio=esempio.pk) for key, value in query.items()}
    client = logged_in(operator)
    # when
    response = client.get(EXPORT, query)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith(PAGE)
    page = client.get(response["Location"])
    assert 'class="errorlist"' in page.content.decode()


@pytest.mark.parametrize("path", [PAGE, EXPORT])
@pytest.mark.parametrize("who", ["alice", "bob", "carla"])
def test_customers_users_may_not_trace_r_b1(
    traced: dict[str, Any],
    esempio: Customer,
    request: pytest.FixtureRequest,
    who: str,
    path: str,
) -> None:
    # when
    response = logged_in(request.getfixturevalue(who)).get(
        path, {"customer": esempio.pk, "date_from": today(), "date_to": today()}
    )
    # then
    assert response.status_code == 403
    assert "Dal mio numero" not in response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client: Client) -> None:
    # when
    response = client.get(PAGE)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_back_office_menu_links_the_page(operator: User) -> None:
    # when
    html = logged_in(operator).get(PAGE).content.decode()
    # then
    assert current_page(html) == [("Tracciabilità SMS", PAGE)]  # not "Clienti" too: same namespace
