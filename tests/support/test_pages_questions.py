"""«Inviaci la tua domanda» (R-U8): the question is stored with the privacy acknowledgement,
the operators are e-mailed, each user sees only their own questions (R-C3), with a throttle."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from centrex.accounts.models import User
from centrex.core.errors import DomainError, ErrorCode
from centrex.core.models import AuditEvent, ThrottleEvent
from centrex.support.actions import QUESTIONS_PER_HOUR, ask_question
from centrex.support.models import PRIVACY_NOTICE_VERSION, QuestionStatus, SupportQuestion
from tests.conftest import PASSWORD

ASK = reverse("support:ask")


def _form(**overrides: str) -> dict[str, str]:
    return {
        "subject": "Alias rifiutato",
        "body": "Perché il mio alias «Esempio» è stato rifiutato?\nGrazie",
        "privacy": "on",
        **overrides,
    }


def _text(content: bytes) -> str:
    inline_gone = re.sub(r"</?(?:strong|em|a|code|span)\b[^>]*>", "", content.decode())
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline_gone)).split())


def test_question_is_stored_and_the_operators_are_emailed(
    alice: User,
    operator: User,
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given a second active operator, and a deactivated one who must not be disturbed
    colleague = User.objects.create_operator("secondo@provider.example", PASSWORD)
    retired = User.objects.create_operator("ex@provider.example", PASSWORD, is_active=False)
    client = login(alice)

    # when Alice sends a question
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK, _form(), REMOTE_ADDR="192.0.2.10")

    # then it is stored with everything the operators need (R-U8)
    assert response.status_code == 302
    question = SupportQuestion.objects.get()
    assert (question.customer_id, question.user_id) == (alice.customer_id, alice.pk)
    assert question.subject == "Alias rifiutato"
    assert question.body == "Perché il mio alias «Esempio» è stato rifiutato?\nGrazie"
    assert question.status == QuestionStatus.OPEN
    assert question.ip == "192.0.2.10"
    assert question.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert timezone.now() - question.privacy_acknowledged_at < timedelta(minutes=1)
    assert question.created_at == question.privacy_acknowledged_at
    assert AuditEvent.objects.filter(
        action="support.question_asked", object_id=str(question.pk)
    ).exists()
    # and every active operator got one e-mail with the question and a link to answer it
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([operator.email, colleague.email])
    assert retired.email not in message.to
    assert "Esempio S.r.l." in message.subject and "Alias rifiutato" in message.subject
    assert "alice@esempio.example" in message.body
    assert "«Esempio» è stato rifiutato?" in message.body
    assert reverse("backoffice:question_detail", kwargs={"pk": question.pk}) in message.body


def test_after_sending_the_user_sees_a_confirmation_and_the_question(
    alice: User, operator: User, login: Callable[[User], Client]
) -> None:
    # given
    client = login(alice)

    # when
    response = client.post(ASK, _form(), follow=True)

    # then
    text = _text(response.content)
    assert "la tua domanda è stata inviata" in text
    assert "Alias rifiutato" in text
    assert "Non abbiamo ancora risposto" in text


def test_operators_are_emailed_each_in_their_own_language(
    alice: User,
    operator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given one Italian operator (the cast's) and one English one
    english = User.objects.create_operator("english@provider.example", PASSWORD, language="en")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        ask_question(alice, subject="Domanda", body="Testo", privacy_acknowledged=True)

    # then
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {(operator.email,), (english.email,)}
    assert by_recipient[(operator.email,)].subject.startswith("Nuova domanda di supporto")
    assert by_recipient[(english.email,)].subject.startswith("New support question")


def test_the_privacy_acknowledgement_is_required(
    alice: User, operator: User, login: Callable[[User], Client]
) -> None:
    # when the box is not ticked
    form = _form()
    del form["privacy"]
    response = login(alice).post(ASK, form)

    # then nothing is stored and the page says why, next to the box (R-U8)
    assert response.status_code == 422
    assert SupportQuestion.objects.count() == 0
    assert "Spunta la casella per confermare di aver letto l'informativa privacy." in _text(
        response.content
    )
    assert ThrottleEvent.objects.count() == 0


def test_the_privacy_error_is_shown_next_to_the_box_with_the_other_errors(
    alice: User, operator: User, login: Callable[[User], Client]
) -> None:
    # when the box is not ticked and the subject is missing too (issue 14)
    form = _form(subject="")
    del form["privacy"]
    response = login(alice).post(ASK, form)

    # then nothing is stored, and the page says both, the privacy one right after the box
    assert response.status_code == 422
    assert SupportQuestion.objects.count() == 0
    page = response.content.decode()
    box = re.search(r'<input type="checkbox" name="privacy"[^>]*>', page)
    assert box, page
    assert re.search(r'aria-describedby="[^"]*\bid_privacy_error\b', box.group())
    after_box = _text(page[box.end() :].encode())
    before_next_field = after_box.split("Invia la domanda")[0]
    assert "Spunta la casella per confermare di aver letto l'informativa privacy." in (
        before_next_field
    )
    assert 'id="id_privacy_error"' in page
    assert "Questo campo è obbligatorio." in _text(page[: box.start()].encode())


def test_the_action_refuses_a_question_without_the_acknowledgement(alice: User) -> None:
    # when
    with pytest.raises(DomainError) as refused:
        ask_question(alice, subject="Domanda", body="Testo", privacy_acknowledged=False)

    # then
    assert refused.value.code == ErrorCode.CONSENT_REQUIRED
    assert refused.value.errors[0].field == "privacy"
    assert SupportQuestion.objects.count() == 0


def test_the_form_shows_the_manual_privacy_sentence_with_its_link(
    alice: User, login: Callable[[User], Client]
) -> None:
    # when
    response = login(alice).get(ASK)

    # then the sentence of the manual, with "informativa privacy" linking to the notice
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Le informazioni fornite saranno trattate per le finalità di cui al numero 4 "
        "dell'informativa privacy." in _text(response.content)
    )
    assert f'<a href="{reverse("support:privacy")}">informativa privacy</a>' in page
    assert re.search(r'<input type="checkbox" name="privacy"[^>]*required', page)
    assert re.search(r'<label [^>]*for="id_privacy"', page)


def test_a_question_longer_than_5000_characters_is_refused(alice: User) -> None:
    # when
    with pytest.raises(DomainError) as refused:
        ask_question(alice, subject="Lunga", body="x" * 5001, privacy_acknowledged=True)

    # then
    assert refused.value.code == ErrorCode.VALIDATION_ERROR
    assert refused.value.errors[0].field == "body"

    # and 5000 characters are fine
    assert ask_question(alice, subject="Lunga", body="x" * 5000, privacy_acknowledged=True).pk


def test_empty_subject_and_question_are_refused_together(alice: User) -> None:
    # when
    with pytest.raises(DomainError) as refused:
        ask_question(alice, subject="  ", body="\n", privacy_acknowledged=False)

    # then every broken rule is listed
    assert {e.field for e in refused.value.errors} == {"subject", "body", "privacy"}


def test_the_eleventh_question_within_an_hour_is_throttled(
    alice: User, bob: User, login: Callable[[User], Client]
) -> None:
    # given Alice sent the allowed number of questions in the last hour
    for number in range(QUESTIONS_PER_HOUR):
        ask_question(alice, subject=f"Domanda {number}", body="Testo", privacy_acknowledged=True)

    # when she sends one more from the page
    response = login(alice).post(ASK, _form(subject="Ancora una"))

    # then it is refused with a friendly explanation, and nothing is stored
    assert response.status_code == 429
    assert "Hai già inviato 10 domande nell'ultima ora" in _text(response.content)
    assert not SupportQuestion.objects.filter(subject="Ancora una").exists()
    with pytest.raises(DomainError) as refused:
        ask_question(alice, subject="Ancora", body="Testo", privacy_acknowledged=True)
    assert refused.value.code == ErrorCode.THROTTLED
    assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 3600

    # and Bob, a colleague, is not affected: the limit is per user
    assert ask_question(bob, subject="Mia", body="Testo", privacy_acknowledged=True).pk


def test_the_throttle_forgets_questions_older_than_an_hour(alice: User) -> None:
    # given ten questions counted more than an hour ago
    for number in range(QUESTIONS_PER_HOUR):
        ask_question(alice, subject=f"Domanda {number}", body="Testo", privacy_acknowledged=True)
    ThrottleEvent.objects.update(created_at=timezone.now() - timedelta(hours=1, seconds=1))

    # when / then
    assert ask_question(alice, subject="Nuova", body="Testo", privacy_acknowledged=True).pk


def test_each_user_sees_only_their_own_questions(
    alice: User,
    bob: User,
    carla: User,
    login: Callable[[User], Client],
    make_question: Callable[..., SupportQuestion],
) -> None:
    # given questions of Alice, of her colleague Bob and of Carla of another customer
    make_question(alice, "Domanda di Alice")
    bobs = make_question(bob, "Domanda di Bob")
    carlas = make_question(carla, "Domanda di Carla")

    # when Alice (an admin) opens her page
    text = _text(login(alice).get(ASK).content)

    # then she sees her question only (R-C3: not even a colleague's)
    assert "Domanda di Alice" in text
    assert "Domanda di Bob" not in text
    assert "Domanda di Carla" not in text
    # and the others' questions answer 404, as if they did not exist
    client = login(alice)
    for foreign in (bobs, carlas):
        response = client.get(reverse("support:question", kwargs={"pk": foreign.pk}))
        assert response.status_code == 404
    assert client.get(reverse("support:question", kwargs={"pk": 999999})).status_code == 404


def test_the_user_reads_the_answer_to_their_question(
    alice: User,
    operator: User,
    login: Callable[[User], Client],
    make_question: Callable[..., SupportQuestion],
) -> None:
    # given an answered question of Alice
    question = make_question(
        alice,
        "Interni",
        status=QuestionStatus.ANSWERED,
        answer="Gli interni li attiviamo noi: scrivici quanti ne servono.",
        answered_by=operator,
        answered_at=timezone.now(),
    )

    # when
    client = login(alice)
    listing = _text(client.get(ASK).content)
    detail = client.get(reverse("support:question", kwargs={"pk": question.pk}))

    # then the answer is on both pages
    assert "Gli interni li attiviamo noi" in listing
    assert detail.status_code == 200
    assert "Gli interni li attiviamo noi" in _text(detail.content)


def test_operators_do_not_ask_questions(operator: User, login: Callable[[User], Client]) -> None:
    # when / then
    assert login(operator).get(ASK).status_code == 403
    with pytest.raises(DomainError) as refused:
        ask_question(operator, subject="Domanda", body="Testo", privacy_acknowledged=True)
    assert refused.value.code == ErrorCode.PERMISSION_DENIED


def test_asking_needs_a_login(client: Client, db: None) -> None:
    # when
    response = client.post(ASK, _form())

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert SupportQuestion.objects.count() == 0
