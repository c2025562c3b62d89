"""Operations on support questions (R-U8, R-B1): the only place that creates or answers one."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_address as parse_ip

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.accounts.access import require_operator
from centrex.accounts.models import User
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode, FieldError, PermissionDenied
from centrex.core.throttling import count_event, seconds_until_allowed
from centrex.support import emails
from centrex.support.models import (
    ANSWER_MAX_LENGTH,
    BODY_MAX_LENGTH,
    PRIVACY_NOTICE_VERSION,
    SUBJECT_MAX_LENGTH,
    QuestionStatus,
    SupportQuestion,
)

QUESTIONS_PER_HOUR = 10
THROTTLE_SCOPE = "support_question"


def _clean_text(value: str, *, field: str, max_length: int, errors: list[FieldError]) -> str:
    """Trimmed text; an empty or overlong one adds a field error."""
    text = (value or "").strip()
    if not text:
        errors.append(FieldError(field, ErrorCode.VALIDATION_ERROR, _("This field is required.")))
    elif len(text) > max_length:
        errors.append(
            FieldError(
                field,
                ErrorCode.VALIDATION_ERROR,
                _("At most %(limit)d characters (you wrote %(count)d): shorten it.")
                % {"limit": max_length, "count": len(text)},
            )
        )
    return text


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(parse_ip(value)) if value else None
    except ValueError:
        return None


@transaction.atomic
def ask_question(
    user: User,
    *,
    subject: str,
    body: str,
    privacy_acknowledged: bool,
    ip: str | None = None,
) -> SupportQuestion:
    """«Inviaci la tua domanda» (R-U8): store the question with the privacy acknowledgement
    and notify every active operator by e-mail once it commits. At most QUESTIONS_PER_HOUR
    per user per hour."""
    if not user.is_authenticated or not user.is_active or user.is_operator or not user.customer_id:
        raise PermissionDenied(_("Only users of a customer can send a question to support."))
    errors: list[FieldError] = []
    clean_subject = " ".join(
        _clean_text(subject, field="subject", max_length=SUBJECT_MAX_LENGTH, errors=errors).split()
    )
    clean_body = _clean_text(body, field="body", max_length=BODY_MAX_LENGTH, errors=errors)
    if not privacy_acknowledged:
        errors.append(
            FieldError(
                "privacy",
                ErrorCode.CONSENT_REQUIRED,
                _("Tick the box to confirm you have read the privacy notice."),
            )
        )
    if errors:
        raise DomainError.from_errors(errors)

    wait = seconds_until_allowed(
        THROTTLE_SCOPE, str(user.pk), limit=QUESTIONS_PER_HOUR, window=timedelta(hours=1)
    )
    if wait:
        raise DomainError(
            ErrorCode.THROTTLED,
            _(
                "You have already sent %(limit)d questions in the last hour. Please wait "
                "%(minutes)d minutes before sending another one: the operators will answer "
                "the ones you sent."
            )
            % {"limit": QUESTIONS_PER_HOUR, "minutes": max(1, (wait + 59) // 60)},
            retry_after=wait,
        )
    count_event(THROTTLE_SCOPE, str(user.pk))

    now = timezone.now()
    address = _valid_ip(ip)
    question = SupportQuestion.objects.create(
        customer_id=user.customer_id,
        user=user,
        subject=clean_subject,
        body=clean_body,
        privacy_acknowledged_at=now,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        ip=address,
        created_at=now,
    )
    record_audit(
        "support.question_asked",
        actor=user,
        target=question,
        to_state=QuestionStatus.OPEN,
        ip_address=address,
        data={"privacy_notice_version": PRIVACY_NOTICE_VERSION},
    )
    emails.notify_operators_of_question(question)
    return question


@transaction.atomic
def answer_question(
    question: SupportQuestion, *, answer: str, acting_user: User
) -> SupportQuestion:
    """An operator answers an open question (R-B1): store the answer, mark it answered and
    e-mail it to the user in their language once it commits."""
    require_operator(acting_user)
    errors: list[FieldError] = []
    text = _clean_text(answer, field="answer", max_length=ANSWER_MAX_LENGTH, errors=errors)
    if errors:
        raise DomainError.from_errors(errors)
    # Lock the row: two operators answering at once must not both e-mail the user.
    locked = SupportQuestion.objects.select_for_update().select_related("user").get(pk=question.pk)
    if not locked.can_be_answered():
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            _("This question has already been answered."),
        )
    locked.answer = text
    locked.status = QuestionStatus.ANSWERED
    locked.answered_by = acting_user
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    record_audit(
        "support.question_answered",
        actor=acting_user,
        target=locked,
        from_state=QuestionStatus.OPEN,
        to_state=QuestionStatus.ANSWERED,
    )
    emails.send_answer(locked)
    return locked
