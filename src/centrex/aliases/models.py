"""SMS sender aliases and their AGCOM validation workflow (R-A1–A12)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from centrex.core.tenancy import LookupQuerySet, TenantQuerySet
from centrex.customers.models import Customer


class AliasStatus(models.TextChoices):
    """R-A6. Labels are the words of the manual's "campo stato"."""

    DRAFT = "draft", _("draft")
    PENDING = "pending", _("awaiting validation")
    VALIDATED = "validated", _("validated")
    REJECTED = "rejected", _("rejected")
    REVOKED = "revoked", _("revoked")
    WITHDRAWN = "withdrawn", _("withdrawn")


# R-A6: every allowed move, and nothing else. `actions.py` checks moves against this table.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    AliasStatus.DRAFT: frozenset({AliasStatus.PENDING}),  # invia richiesta (or deleted)
    AliasStatus.PENDING: frozenset(
        {AliasStatus.VALIDATED, AliasStatus.REJECTED, AliasStatus.DRAFT}  # decided, or cancelled
    ),
    AliasStatus.VALIDATED: frozenset({AliasStatus.REVOKED, AliasStatus.WITHDRAWN}),
    AliasStatus.REJECTED: frozenset(),  # deleted, never resubmitted
    AliasStatus.REVOKED: frozenset(),
    AliasStatus.WITHDRAWN: frozenset(),
}

# Aliases that occupy their name: within the customer (R-A4 duplicates) and, when pending or
# validated, for every other customer (R-A4 collisions).
LIVE_STATUSES = (AliasStatus.DRAFT, AliasStatus.PENDING, AliasStatus.VALIDATED)
CLAIMING_STATUSES = (AliasStatus.PENDING, AliasStatus.VALIDATED)


class RegistryState(models.TextChoices):
    """Where the AGCOM registration of an approved alias stands (R-A9)."""

    NONE = "", _("not sent")
    QUEUED = "queued", _("being sent")
    FAILED = "failed", _("failed, will be retried")
    ACCEPTED = "accepted", _("registered")


class SenderAliasQuerySet(TenantQuerySet["SenderAlias"]):
    def usable(self) -> SenderAliasQuerySet:
        """Only validated aliases can be SMS senders (R-A11)."""
        return self.filter(status=AliasStatus.VALIDATED)

    def in_status(self, status: str | None) -> SenderAliasQuerySet:
        """Only the aliases in `status` (R-A6); None or "": all of them. The page's filter
        form and the API's `?status=` check the value first."""
        return self.filter(status=status) if status else self

    def in_queue_order(self) -> SenderAliasQuerySet:
        """The operators' queue order (R-A8), one for the back-office page and
        `GET /backoffice/aliases`: requests awaiting validation first, the earliest due first
        (so the overdue ones lead), ties by request order; then every alias whose outcome is
        not due (drafts, decided ones), newest first. Ids break every tie, so the order is
        stable across pages."""
        waiting = models.Q(status=AliasStatus.PENDING)
        return self.order_by(
            models.Case(
                models.When(waiting, then=0), default=1, output_field=models.IntegerField()
            ),
            models.Case(models.When(waiting, then=models.F("due_at"))).asc(nulls_last=True),
            models.Case(models.When(waiting, then=models.F("id"))).asc(nulls_last=True),
            "-id",
        )


class SenderAlias(models.Model):
    """An alphanumeric SMS sender (alias) requested by a business customer (R-A1–A11).
    Case is kept exactly as typed; `match_key` is the form used for R-A4 comparisons."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="aliases"
    )
    text = models.CharField(_("alias"), max_length=40)
    match_key = models.CharField(max_length=40, db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=AliasStatus.choices, default=AliasStatus.DRAFT
    )
    # The last reason given (rejection, revocation); the history keeps every one.
    reason = models.TextField(_("reason"), blank=True)
    relatedness = models.FloatField(_("relatedness"), default=0.0)
    relatedness_match = models.CharField(_("related to"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    submitted_at = models.DateTimeField(_("requested"), null=True, blank=True)
    due_at = models.DateTimeField(_("outcome due"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    # R-A9: an approval is recorded first, then the registry is asked; `validated` only after.
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    registry_state = models.CharField(
        _("registry"),
        max_length=16,
        choices=RegistryState.choices,
        default=RegistryState.NONE,
        blank=True,
    )
    registry_error = models.TextField(_("registry error"), blank=True)
    registry_attempts = models.PositiveIntegerField(_("registry attempts"), default=0)
    registry_reference = models.CharField(_("registry reference"), max_length=200, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    overdue_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SenderAliasQuerySet.as_manager()

    class Meta:
        verbose_name = _("SMS sender alias")
        verbose_name_plural = _("SMS sender aliases")
        ordering = ["text", "id"]
        constraints = [
            # R-A4: one live alias per name within a customer (case, spaces, punctuation ignored).
            models.UniqueConstraint(
                fields=["customer", "match_key"],
                condition=models.Q(status__in=["draft", "pending", "validated"]),
                name="alias_unique_live_name_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def can_move_to(self, status: str) -> bool:
        return status in ALLOWED_TRANSITIONS[self.status]

    @property
    def is_usable(self) -> bool:
        """R-A11."""
        return self.status == AliasStatus.VALIDATED


class AliasEventAction(models.TextChoices):
    """What an AliasEvent records (R-A6, R-A7, R-A9, R-A10, R-A11)."""

    CREATED = "created", _("created")
    SUBMITTED = "submitted", _("validation requested")
    CONSENT_GIVEN = "consent_given", _("AGCOM authorisation given")
    CANCELLED = "cancelled", _("request cancelled")
    DELETED = "deleted", _("deleted")
    APPROVED = "approved", _("approved")
    REGISTRY_ACCEPTED = "registry_accepted", _("registered with AGCOM")
    REGISTRY_FAILED = "registry_failed", _("AGCOM registration failed")
    VALIDATED = "validated", _("validated")
    REJECTED = "rejected", _("rejected")
    REVOKED = "revoked", _("revoked")
    WITHDRAWN = "withdrawn", _("withdrawn")
    UNUSABLE = "unusable", _("no longer usable as a sender")
    OVERDUE_REMINDER = "overdue_reminder", _("operators reminded of the due time")


class AliasEvent(models.Model):
    """Append-only history of an alias (R-A6): who, when, from, to, reason. Kept when a draft
    or rejected alias is deleted, with its text and customer copied here."""

    alias = models.ForeignKey(
        SenderAlias, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    alias_text = models.CharField(_("alias"), max_length=40)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_email = models.CharField(_("who (e-mail)"), max_length=254, blank=True)
    actor_is_operator = models.BooleanField(default=False)
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = TenantQuerySet["AliasEvent"].as_manager()

    class Meta:
        verbose_name = _("alias event")
        verbose_name_plural = _("alias events")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.alias_text}: {self.from_status or '—'} → {self.to_status or '—'}"

    # The words the people involved read (bozza, in attesa di validazione, …), not the values.

    @property
    def action_label(self) -> str:
        return str(dict(AliasEventAction.choices).get(self.action, self.action))

    @property
    def from_label(self) -> str:
        return str(dict(AliasStatus.choices).get(self.from_status, self.from_status))

    @property
    def to_label(self) -> str:
        return str(dict(AliasStatus.choices).get(self.to_status, self.to_status))


class AliasConsent(models.Model):
    """R-A7: the admin's authorisation for the provider to insert the customer's data into the
    AGCOM database — who, when, from which address, and the exact wording shown."""

    alias = models.ForeignKey(
        SenderAlias, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents"
    )
    alias_text = models.CharField(_("alias"), max_length=40)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("given by"),
    )
    given_by_email = models.CharField(_("given by (e-mail)"), max_length=254)
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    wording_version = models.CharField(_("wording version"), max_length=32)
    wording_language = models.CharField(_("language"), max_length=2)
    wording = models.TextField(_("wording"))

    objects = TenantQuerySet["AliasConsent"].as_manager()

    class Meta:
        verbose_name = _("AGCOM authorisation")
        verbose_name_plural = _("AGCOM authorisations")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.alias_text} {self.given_by_email} {self.given_at:%Y-%m-%d %H:%M}"


class ReservedName(models.Model):
    """R-A4b: a name reserved to public bodies; operators edit the list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LookupQuerySet["ReservedName"].as_manager()

    class Meta:
        verbose_name = _("reserved name")
        verbose_name_plural = _("reserved names")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GenericWord(models.Model):
    """R-A4b: a generic word that cannot be an alias by itself; operators edit the list."""

    word = models.CharField(_("word"), max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LookupQuerySet["GenericWord"].as_manager()

    class Meta:
        verbose_name = _("generic word")
        verbose_name_plural = _("generic words")
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class AliasSettings(models.Model):
    """Operator settings of the alias rules (one row): R-A1's extended character set."""

    extended_charset = models.BooleanField(
        _("allow the extended character set + * / = < > ( ) @ _ # &"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alias settings")
        verbose_name_plural = _("alias settings")

    def __str__(self) -> str:
        return "alias settings"

    @classmethod
    def current(cls) -> AliasSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row
