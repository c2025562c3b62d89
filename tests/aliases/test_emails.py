"""The e-mails of the alias workflow (R-A10, R-A8) as a real SMTP server receives them, in each
recipient's language, text and HTML; the operators' reminder before a request is overdue, once."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.aliases import tasks
from centrex.aliases.actions.decisions import approve_alias, reject_alias, revoke_alias
from centrex.aliases.actions.lifecycle import create_alias, submit_alias
from centrex.aliases.actions.reminders import send_overdue_reminders
from centrex.aliases.models import AliasEvent, SenderAlias
from centrex.customers.models import Customer
from tests.aliases.lifecycle import CLIENT_IP
from tests.conftest import PASSWORD
from tests.plugins.smtp import ReceivedMail, SmtpServer

ROME = ZoneInfo("Europe/Rome")
FRIDAY_16 = datetime(2026, 11, 27, 16, tzinfo=ROME)  # due Monday 30 November 2026, 15:00


def by_recipient(messages: list[ReceivedMail]) -> dict[str, ReceivedMail]:
    return {address: mail for mail in messages for address in mail.rcpt_tos}


def subject(mail: ReceivedMail) -> str:
    """The subject as one line (long ones arrive folded)."""
    return " ".join(str(mail.message["Subject"]).split())


def plain(text: str) -> str:
    """Lower case, one kind of quotes, one space: what a reader sees, whatever typographic
    quotes the translation uses."""
    for quote in "«»“”":
        text = text.replace(quote, '"')
    return " ".join(text.split()).lower()


@pytest.fixture
def english_operator(db: None) -> User:
    return User.objects.create_operator(
        "operator.en@provider.example", PASSWORD, first_name="Oliver", language="en"
    )


@pytest.fixture
def english_admin(esempio: Customer, operator: User, alice: User) -> User:
    return create_user(
        esempio,
        UserData(
            email="elisa@esempio.example",
            first_name="Elisa",
            last_name="Neri",
            role=Role.ADMIN,
            language="en",
        ),
        acting_user=operator,
        password=PASSWORD,
    )


def request_alias(alice: User, text: str = "Esempio", *, now: datetime = FRIDAY_16) -> SenderAlias:
    assert alice.customer is not None
    draft = create_alias(alice.customer, text, acting_user=alice)
    return submit_alias(
        draft, consent=True, acting_user=alice, ip_address=CLIENT_IP, language="it", now=now
    )


def test_operators_are_told_of_a_new_request_with_its_due_time_in_their_language(
    alice: User,
    operator: User,
    english_operator: User,
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # when Alice sends the request on Friday at 16:00
    with django_capture_on_commit_callbacks(execute=True):
        alias = request_alias(alice)
    # then each operator gets one e-mail, in their language, with Monday 15:00 Rome time
    mails = by_recipient(smtp_server.wait_for(2))
    assert set(mails) == {operator.email, english_operator.email}
    italian = mails[operator.email]
    assert plain(subject(italian)) == 'nuova richiesta di alias: "esempio" (esempio s.r.l.)'
    assert "esempio s.r.l. chiede" in plain(italian.text)
    assert "lunedì 30 novembre 2026, 15:00" in plain(italian.text)
    assert "Europe/Rome" in italian.text
    assert "lunedì 30 novembre 2026, 15:00" in plain(italian.html)
    assert f"/backoffice/alias/{alias.pk}/" in italian.text
    english = mails[english_operator.email]
    assert subject(english) == "New alias request: “Esempio” (Esempio S.r.l.)"
    assert "Monday 30 November 2026, 15:00" in english.text
    assert "Relatedness hint: 100% (closest name: “Esempio S.r.l.”)." in english.text
    assert "Monday 30 November 2026, 15:00" in english.html


def test_the_requester_and_every_admin_are_told_of_the_validation_r_a10(
    alice: User,
    bob: User,
    english_admin: User,
    operator: User,
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given
    alias = request_alias(alice)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        approve_alias(alias, acting_user=operator)
    # then
    mails = by_recipient(smtp_server.wait_for(2))
    assert set(mails) == {alice.email, english_admin.email}  # not Bob, a plain user
    italian = mails[alice.email]
    assert plain(subject(italian)) == 'alias "esempio" validato'
    assert "alice," in plain(italian.text)
    assert "è stato validato e registrato nel database agcom" in plain(italian.text)
    assert "/communicator/alias/" in italian.text
    assert "validato" in italian.html
    english = mails[english_admin.email]
    assert subject(english) == "Alias “Esempio” validated"
    assert english.text.startswith("Hello Elisa,")
    assert "has been validated and registered in the AGCOM database" in english.text
    assert "has been validated" in english.html


def test_the_rejection_gives_the_reason_r_a10(
    alice: User, operator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    alias = request_alias(alice)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        reject_alias(alias, "L'alias non è inerente alla ragione sociale.", acting_user=operator)
    # then
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [alice.email]
    assert plain(subject(mail)) == 'alias "esempio" rifiutato'
    assert "L'alias non è inerente alla ragione sociale." in mail.text  # not HTML-escaped
    assert "L&#x27;alias non è inerente alla ragione sociale." in mail.html
    assert "è stata rifiutata" in plain(mail.text)


def test_the_revocation_gives_the_reason_in_english_r_a10(
    alice: User, operator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    # given Alice reads English, and her alias is validated
    alice.language = "en"
    alice.save(update_fields=["language"])
    alias = approve_alias(request_alias(alice), acting_user=operator)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        revoke_alias(alias, "Misleading use reported to AGCOM.", acting_user=operator)
    # then
    [mail] = smtp_server.wait_for(1)
    assert subject(mail) == "Alias “Esempio” revoked"
    assert "can no longer be used as the sender of SMS" in mail.text
    assert "Misleading use reported to AGCOM." in mail.text
    assert "Misleading use reported to AGCOM." in mail.html


def test_quotes_and_apostrophes_of_an_alias_reach_the_text_unchanged(
    alice: User, operator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    # given Alice reads English
    alice.language = "en"
    alice.save(update_fields=["language"])
    alias = request_alias(alice, '"Esempio"')
    # when
    with django_capture_on_commit_callbacks(execute=True):
        approve_alias(alias, acting_user=operator)
    # then
    [mail] = smtp_server.wait_for(1)
    assert subject(mail) == 'Alias “"Esempio"” validated'
    assert '“"Esempio"”' in mail.text
    assert "“&quot;Esempio&quot;”" in mail.html


# --- The reminder one business hour before the due time (R-A8) -------------------------------


def test_operators_are_reminded_once_when_a_request_is_about_to_be_overdue(
    alice: User,
    operator: User,
    english_operator: User,
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a request due Monday at 15:00
    alias = request_alias(alice)
    # when checked on Monday at 13:59: more than one business hour left
    with django_capture_on_commit_callbacks(execute=True):
        early = send_overdue_reminders(datetime(2026, 11, 30, 13, 59, tzinfo=ROME))
    # then nothing
    assert early == 0
    # when checked at 14:00, and again at 14:30 and once overdue
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_overdue_reminders(datetime(2026, 11, 30, 14, tzinfo=ROME))
        again = send_overdue_reminders(datetime(2026, 11, 30, 14, 30, tzinfo=ROME))
        later = send_overdue_reminders(datetime(2026, 12, 1, 9, tzinfo=ROME))
    # then each operator got exactly one reminder
    assert (sent, again, later) == (1, 0, 0)
    mails = by_recipient(smtp_server.wait_for(2))
    assert set(mails) == {operator.email, english_operator.email}
    italian = mails[operator.email]
    assert plain(subject(italian)).startswith('promemoria: richiesta di alias "esempio"')
    assert plain(subject(italian)).endswith("lunedì 30 novembre 2026, 15:00")
    assert "decisione" in italian.text
    english = mails[english_operator.email]
    assert (
        subject(english)
        == "Reminder: alias request “Esempio” due by Monday 30 November 2026, 15:00"
    )
    assert "is still waiting for a decision" in english.text
    alias.refresh_from_db()
    assert alias.overdue_reminder_sent_at == datetime(2026, 11, 30, 14, tzinfo=ROME)
    assert AliasEvent.objects.filter(alias=alias, action="overdue_reminder").count() == 1


def test_a_decided_request_gets_no_reminder(alice: User, operator: User) -> None:
    # given
    alias = request_alias(alice)
    reject_alias(alias, "No.", acting_user=operator)
    # when / then
    assert send_overdue_reminders(datetime(2026, 12, 1, 9, tzinfo=ROME)) == 0


def test_the_scheduled_reminder_task_sends_only_when_due(
    alice: User, operator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    # given a request made just now: hours from its due time
    alias = request_alias(alice, now=datetime.now(tz=ROME))
    # when the task runs early
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_operators.call(alias.pk)
    # then nothing
    alias.refresh_from_db()
    assert alias.overdue_reminder_sent_at is None
    assert smtp_server.messages == []


def test_the_alias_reminders_command_reminds_of_overdue_requests(
    alice: User, operator: User, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Any
) -> None:
    # given a request long overdue
    request_alias(alice, now=datetime(2026, 1, 7, 10, tzinfo=ROME))
    output = StringIO()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        call_command("alias_reminders", stdout=output)
        call_command("alias_reminders", stdout=output)
    # then
    assert output.getvalue().splitlines() == ["alias reminders sent: 1", "alias reminders sent: 0"]
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == [operator.email]
