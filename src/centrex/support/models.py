"""Support questions sent from Impostazioni > Aiuto ("Inviaci la tua domanda", R-U8) and the
operators' answers (R-B1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The wording of the privacy notice a question acknowledges; bump it when privacy_*.html
# changes in substance, so each question records which text its author accepted.
PRIVACY_NOTICE_VERSION = "2026-01"

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 5000
ANSWER_MAX_LENGTH = 10000


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("open")
    ANSWERED = "answered", _("answered")


class SupportQuestionQuerySet(TenantQuerySet["SupportQuestion"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> SupportQuestionQuerySet:
        """Operators see every question; anyone else only the questions they asked themselves
        (not even their company's admin sees a colleague's)."""
        scoped = super().visible_to(user)
        if not user.is_authenticated or getattr(user, "is_operator", False):
            return scoped
        return scoped.filter(user_id=int(user.pk))

    def open(self) -> SupportQuestionQuerySet:
        return self.filter(status=QuestionStatus.OPEN)

    def answered(self) -> SupportQuestionQuerySet:
        return self.filter(status=QuestionStatus.ANSWERED)

    def matching(self, search: str) -> SupportQuestionQuerySet:
        """The questions whose subject, text, answer, asker (e-mail, name) or customer
        contains `search`; all of them for an empty search."""
        if not search:
            return self
        return self.filter(
            models.Q(subject__icontains=search)
            | models.Q(body__icontains=search)
            | models.Q(answer__icontains=search)
            | models.Q(user__email__icontains=search)
            | models.Q(user__first_name__icontains=search)
            | models.Q(user__last_name__icontains=search)
            | models.Q(customer__name__icontains=search)
        )

    def in_operators_order(self, status: str) -> SupportQuestionQuerySet:
        """Open questions are a queue (oldest first); the rest is an archive (newest first)."""
        if status == QuestionStatus.OPEN:
            return self.order_by("created_at", "id")
        return self.order_by("-created_at", "-id")


class SupportQuestion(models.Model):
    """A question a customer's user sent to the provider's operators, with the privacy
    acknowledgement it was sent under and, once given, the operator's answer."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="support_questions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="support_questions",
    )
    subject = models.CharField(_("subject"), max_length=SUBJECT_MAX_LENGTH)
    body = models.TextField(_("question"))
    privacy_acknowledged_at = models.DateTimeField(_("privacy notice acknowledged"))
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=16, default=PRIVACY_NOTICE_VERSION
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("sent"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = SupportQuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("support question")
        verbose_name_plural = _("support questions")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", answered_at__isnull=True)
                | models.Q(status="answered", answered_at__isnull=False),
                name="support_question_answered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == QuestionStatus.OPEN

    def can_be_answered(self) -> bool:
        """Only an open question takes an answer; a follow-up is a new question."""
        return self.is_open
