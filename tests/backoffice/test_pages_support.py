"""The operators' questions in the back office (R-B1): list, filter, search, answer; the user
gets the answer by e-mail in their language. Operators only (others 403)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.models import User
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.models import AuditEvent
from centrex.support.actions import answer_question, ask_question
from centrex.support.models import QuestionStatus, SupportQuestion

LIST = reverse("backoffice:question_list")


def _detail(question: SupportQuestion) -> str:
    return reverse("backoffice:question_detail", kwargs={"pk": question.pk})


def _text(content: bytes) -> str:
    inline_gone = re.sub(r"</?(?:strong|em|a|code|span)\b[^>]*>", "", content.decode())
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline_gone)).split())


def test_operator_answers_and_the_user_is_emailed_in_their_language(
    bob: User,
    operator: User,
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given Bob, who reads in English, asked a question
    bob.language = "en"
    bob.save(update_fields=["language"])
    question = ask_question(bob, subject="Alias", body="How long?", privacy_acknowledged=True)
    mail.outbox.clear()

    # when the operator answers it from the back office
    with django_capture_on_commit_callbacks(execute=True):
        response = login(operator).post(
            _detail(question), {"answer": "Entro 8 ore lavorative / within 8 business hours."}
        )

    # then the answer is stored and the question is answered (R-B1)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert question.answer == "Entro 8 ore lavorative / within 8 business hours."
    assert question.answered_by == operator
    assert question.answered_at is not None
    assert AuditEvent.objects.filter(
        action="support.question_answered", object_id=str(question.pk), to_state="answered"
    ).exists()
    # and Bob got it by e-mail, in English, with a link to read it again
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bob@esempio.example"]
    assert message.subject == "Answer to your question: Alias"
    assert "within 8 business hours" in message.body
    assert reverse("support:question", kwargs={"pk": question.pk}) in message.body


def test_an_italian_user_gets_the_answer_in_italian(
    alice: User, operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    # given
    question = ask_question(alice, subject="Interni", body="Come?", privacy_acknowledged=True)
    mail.outbox.clear()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        answer_question(question, answer="Così.", acting_user=operator)

    # then
    assert [m.subject for m in mail.outbox] == ["Risposta alla tua domanda: Interni"]
    assert "la nostra assistenza ha risposto" in mail.outbox[0].body


def test_an_answered_question_is_not_answered_twice(
    alice: User, operator: User, login: Callable[[User], Client]
) -> None:
    # given
    question = ask_question(alice, subject="Interni", body="Come?", privacy_acknowledged=True)
    answer_question(question, answer="Prima risposta", acting_user=operator)

    # when
    with pytest.raises(DomainError) as refused:
        answer_question(question, answer="Seconda", acting_user=operator)
    response = login(operator).post(_detail(question), {"answer": "Terza"})

    # then
    assert refused.value.code == ErrorCode.INVALID_TRANSITION
    assert response.status_code == 409
    question.refresh_from_db()
    assert question.answer == "Prima risposta"


def test_an_empty_answer_is_refused_next_to_the_field(
    alice: User, operator: User, login: Callable[[User], Client]
) -> None:
    # given
    question = ask_question(alice, subject="Interni", body="Come?", privacy_acknowledged=True)

    # when
    response = login(operator).post(_detail(question), {"answer": "   "})

    # then
    assert response.status_code == 422
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN


def test_only_operators_answer(alice: User, bob: User) -> None:
    # given
    question = ask_question(bob, subject="Interni", body="Come?", privacy_acknowledged=True)

    # when / then
    with pytest.raises(DomainError) as refused:
        answer_question(question, answer="Rispondo io", acting_user=alice)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_the_detail_shows_the_customer_the_user_and_the_question(
    alice: User, operator: User, login: Callable[[User], Client]
) -> None:
    # given
    question = ask_question(
        alice,
        subject="Alias",
        body="Perché <rifiutato>?",
        privacy_acknowledged=True,
        ip="192.0.2.7",
    )

    # when
    response = login(operator).get(_detail(question))

    # then
    assert response.status_code == 200
    text = _text(response.content)
    for expected in (
        "Esempio S.r.l.",
        "alice@esempio.example",
        "Alice Rossi",
        "192.0.2.7",
        "Perché <rifiutato>?",
    ):
        assert expected in text
    # the user's text is escaped, never markup
    assert "<rifiutato>" not in response.content.decode()
    assert re.search(r'<label [^>]*for="id_answer"', response.content.decode())


def test_the_list_filters_open_and_answered_and_searches(
    alice: User,
    carla: User,
    operator: User,
    login: Callable[[User], Client],
    make_question: Callable[..., SupportQuestion],
) -> None:
    # given an open question of each customer and an answered one
    make_question(alice, "Domanda aperta di Esempio")
    make_question(carla, "Domanda aperta di Altra")
    make_question(
        alice,
        "Domanda chiusa",
        status=QuestionStatus.ANSWERED,
        answer="Fatto",
        answered_by=operator,
        answered_at=timezone.now(),
    )
    client = login(operator)

    # when / then: open ones by default, of every customer
    text = _text(client.get(LIST).content)
    assert "Domanda aperta di Esempio" in text and "Domanda aperta di Altra" in text
    assert "Domanda chiusa" not in text
    # answered ones on request
    text = _text(client.get(LIST, {"status": "answered"}).content)
    assert "Domanda chiusa" in text and "Domanda aperta di Esempio" not in text
    # search by customer name, across statuses
    text = _text(client.get(LIST, {"status": "all", "q": "altra"}).content)
    assert "Domanda aperta di Altra" in text and "Domanda aperta di Esempio" not in text
    # search by the asker's e-mail
    text = _text(client.get(LIST, {"status": "all", "q": "alice@"}).content)
    assert "Domanda chiusa" in text and "Domanda aperta di Altra" not in text


def test_the_list_is_paginated_and_keeps_the_filter(
    alice: User,
    operator: User,
    login: Callable[[User], Client],
    make_question: Callable[..., SupportQuestion],
) -> None:
    # given more open questions than fit one page
    for number in range(30):
        make_question(alice, f"Domanda numero {number:02d}")

    # when
    first = login(operator).get(LIST, {"status": "open", "q": "numero"})
    second = login(operator).get(LIST, {"status": "open", "q": "numero", "page": "2"})

    # then the oldest open questions come first, and page 2 holds the rest
    assert first.content.decode().count("Domanda numero") == 25
    assert second.content.decode().count("Domanda numero") == 5
    assert "?status=open&amp;q=numero&amp;page=2" in first.content.decode()


@pytest.mark.parametrize("user_name", ["alice", "bob", "carla"])
def test_customers_users_get_403_on_the_back_office_pages(
    user_name: str,
    request: pytest.FixtureRequest,
    login: Callable[[User], Client],
    make_question: Callable[..., SupportQuestion],
) -> None:
    # given a question of the very user who tries the back office
    user: User = request.getfixturevalue(user_name)
    question = make_question(user)
    client = login(user)

    # when / then
    assert client.get(LIST).status_code == 403
    assert client.get(_detail(question)).status_code == 403
    assert client.post(_detail(question), {"answer": "Da solo"}).status_code == 403
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN


def test_an_unknown_question_is_404_for_operators(
    operator: User, login: Callable[[User], Client], db: None
) -> None:
    # when / then
    response = login(operator).get(reverse("backoffice:question_detail", kwargs={"pk": 424242}))
    assert response.status_code == 404


def test_the_back_office_needs_a_login(client: Client, db: None) -> None:
    # when / then
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
