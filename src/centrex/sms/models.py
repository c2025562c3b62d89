"""The durable SMS queue (R-T4, R-T5, R-T6): accepted requests, one message per recipient, the
SMSC's ids per part, and the receipts waiting for their part.

The message table is the queue itself (DESIGN "SMS pipeline"): a request and its messages are
inserted in one transaction before anyone is told "accepted", and `centrex.sms.queue` moves the
rows along `ALLOWED_TRANSITIONS`. The transport (`centrex.smsc`) reads and updates these rows
through `centrex.sms.queue`; nothing here imports the transport.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centrex.aliases.models import SenderAlias
from centrex.core.tenancy import TenantQuerySet
from centrex.customers.models import Customer
from centrex.senders.models import SenderType

if TYPE_CHECKING:
    from centrex.accounts.models import User


class Encoding(models.TextChoices):
    """R-T3: the two alphabets a text is sent in."""

    GSM7 = "gsm7", _("GSM 7-bit")
    UCS2 = "ucs2", _("UCS-2")


class MessageStatus(models.TextChoices):
    """R-T5: where one recipient's message is."""

    QUEUED = "queued", _("queued")
    SUBMITTED = "submitted", _("submitted")
    DELIVERED = "delivered", _("delivered")
    UNDELIVERABLE = "undeliverable", _("undeliverable")
    EXPIRED = "expired", _("expired")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("failed")


# R-T5: every allowed move, and nothing else. `queued` → `queued` is a retry after a transient
# error (SMSC throttling, connection lost); `failed` is a permanent refusal by the SMSC or an
# alias that stopped being validated while the message waited (R-A11).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    MessageStatus.QUEUED: frozenset(
        {MessageStatus.QUEUED, MessageStatus.SUBMITTED, MessageStatus.FAILED}
    ),
    MessageStatus.SUBMITTED: frozenset(
        {
            MessageStatus.DELIVERED,
            MessageStatus.UNDELIVERABLE,
            MessageStatus.EXPIRED,
            MessageStatus.REJECTED,
        }
    ),
    MessageStatus.DELIVERED: frozenset(),
    MessageStatus.UNDELIVERABLE: frozenset(),
    MessageStatus.EXPIRED: frozenset(),
    MessageStatus.REJECTED: frozenset(),
    MessageStatus.FAILED: frozenset(),
}

FINAL_STATUSES = frozenset(status for status, moves in ALLOWED_TRANSITIONS.items() if not moves)


def statuses_before(status: str) -> list[str]:
    """R-T5: the statuses a message may move to `status` from (in `ALLOWED_TRANSITIONS`' order).
    Every statement that moves messages filters on these, so a row that has moved on meanwhile
    (a receipt, the expiry sweep, another dispatcher) is left alone and no status moves back."""
    return [source for source, moves in ALLOWED_TRANSITIONS.items() if status in moves]


class InvalidTransition(ValueError):
    """A message was told to move where R-T5 does not allow (back, or out of a final status)."""


# R-T5: the `error` of a message still `submitted` when its validity period
# (CENTREX_SMS_VALIDITY) and the grace after it (CENTREX_SMS_RECEIPT_GRACE) have passed: the
# SMSC never said what became of it, so it is `expired` (`centrex.sms.queue.expire_unreceipted`).
NO_RECEIPT = "no_receipt"
NO_RECEIPT_TEXT = "No delivery receipt came within the validity period and the grace after it."

# R-T5: the message status a final delivery receipt state (SMPP 3.4 §5.2.28, as
# `centrex.smsc.receipts.ReceiptState` names them) leads to. `enroute` is not final and changes
# nothing; `accepted` (read on the subscriber's behalf) counts as delivered; `deleted` and
# `unknown` mean the recipient never got it.
RECEIPT_OUTCOMES: dict[str, str] = {
    "delivered": MessageStatus.DELIVERED,
    "accepted": MessageStatus.DELIVERED,
    "undeliverable": MessageStatus.UNDELIVERABLE,
    "deleted": MessageStatus.UNDELIVERABLE,
    "unknown": MessageStatus.UNDELIVERABLE,
    "expired": MessageStatus.EXPIRED,
    "rejected": MessageStatus.REJECTED,
}


class RequestKind(models.TextChoices):
    """What a request is: a user's message, or a verification code the system sends (R-M2).
    Verification codes never appear in histories or exports, and their text is wiped once the
    SMSC accepted them."""

    MESSAGE = "message", _("message")
    VERIFICATION = "verification", _("verification code")


# What a verification code's text becomes once the SMSC accepted it (the code is never kept in
# clear longer than it takes to send it).
REDACTED_TEXT = "[verification code]"


# The queue's references (request → customer, user, alias; message → request, customer;
# part → message) are kept by the portal, not by foreign-key constraints in the database
# (`db_constraint=False`). On PostgreSQL a constraint checks each inserted row by locking the row
# it refers to (`FOR KEY SHARE`): every request of a customer locks the same customer and user
# rows, every message its request, every part its message — the send benchmark measured those
# checks at 0.5 ms of the database's CPU per SMS, 60 % of it, and the full-load p99 at 1.4 s
# (benchmarks/README.md, "Sending SMS end to end"; the rate went 1,018 → 1,376 SMS/s, +35 %,
# not re-measured in issue 11, which keeps the models). Nothing is lost for integrity: the rows are
# written only by `sms.enqueue` (with the caller's customer and user, both loaded) and the
# dispatcher (parts of the messages it has just claimed), and deletions go through Django, whose
# `on_delete` (PROTECT, CASCADE) does not need the constraint; tests check both.


class SmsRequestQuerySet(TenantQuerySet["SmsRequest"]):
    """Send requests, with the history's rules and filters (R-T5, R-C3): the API's
    `GET /sms/messages` and the pages read the history through these (`sms.history`)."""

    def history_of(self, user: User) -> Self:
        """The send requests `user` may see: a customer admin's company's, anyone else's own.
        Verification codes are never shown (R-M2): they are the system's, not a user's SMS."""
        requests = self.visible_to(user).filter(kind=RequestKind.MESSAGE)
        if not user.is_customer_admin:
            requests = requests.filter(user_id=user.pk)
        return requests

    def sent_by(self, user_id: int) -> Self:
        """One user's requests."""
        return self.filter(user_id=user_id)

    def sent_between(self, since: datetime | None, until: datetime | None) -> Self:
        """Requests made at or after `since` and before `until` (either may be open)."""
        return self.filter(**_period_lookups(since, until))

    def with_a_recipient(self, condition: models.Q) -> Self:
        """Requests one of whose recipients' messages meets `condition` — the same recipient
        for every part of it ("to 333… and failed", not "to 333… and another one failed")."""
        matching = SmsMessage.objects.filter(condition, request_id=models.OuterRef("pk"))
        return self.filter(models.Exists(matching))


class SmsMessageQuerySet(TenantQuerySet["SmsMessage"]):
    """Recipients' messages, with the same history rules and filters as `SmsRequestQuerySet`
    (the «SMS inviati» page lists one row per recipient)."""

    def history_of(self, user: User) -> Self:
        """The messages `user` may see, by the rule of `SmsRequestQuerySet.history_of`."""
        messages = self.visible_to(user).filter(request__kind=RequestKind.MESSAGE)
        if not user.is_customer_admin:
            messages = messages.filter(request__user_id=user.pk)
        return messages

    def sent_by(self, user_id: int) -> Self:
        """The messages of one user's requests."""
        return self.filter(request__user_id=user_id)

    def sent_between(self, since: datetime | None, until: datetime | None) -> Self:
        """Messages queued at or after `since` and before `until` (a message's created_at is
        its request's: `enqueue_sms` sets them together)."""
        return self.filter(**_period_lookups(since, until))

    def move_to(self, status: str, **changes: Any) -> int:
        """R-T5: move the messages of this queryset that may go to `status` (`statuses_before`),
        with the other `changes`, in one conditional UPDATE; the others (moved on meanwhile,
        or final) are left as they are. Returns how many moved. The queue's statements all
        move messages this way (its hot ones as SQL with the same condition)."""
        if status not in ALLOWED_TRANSITIONS:
            raise InvalidTransition(f"{status!r} is no message status.")
        # COALESCE keeps the claim index out of statements that pick their rows by id: SQLite,
        # without statistics, would rather walk every queued row of it.
        allowed: In = In(Coalesce(models.F("status"), models.Value("")), statuses_before(status))
        return int(self.filter(allowed).update(status=status, **changes))


def _period_lookups(since: datetime | None, until: datetime | None) -> dict[str, datetime]:
    lookups: dict[str, datetime] = {}
    if since is not None:
        lookups["created_at__gte"] = since
    if until is not None:
        lookups["created_at__lt"] = until
    return lookups


class SmsRequest(models.Model):
    """One accepted send request (R-T1, R-T4): a text, its sender and why that sender (for
    traceability requests), and the idempotency key the client sent. Its recipients are the
    `messages`."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=RequestKind.choices, default=RequestKind.MESSAGE
    )
    text = models.TextField(_("text"))
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    encoding = models.CharField(_("encoding"), max_length=4, choices=Encoding.choices)
    parts = models.PositiveSmallIntegerField(_("parts"))
    sender_type = models.CharField(_("sender type"), max_length=6, choices=SenderType.choices)
    sender_value = models.CharField(_("sender"), max_length=20)
    sender_ton = models.PositiveSmallIntegerField(_("sender TON"))  # R-T6
    sender_npi = models.PositiveSmallIntegerField(_("sender NPI"))  # R-T6
    # R-A11: the alias the request sends with, so queued messages fail when it stops being usable.
    sender_alias = models.ForeignKey(
        SenderAlias,
        verbose_name=_("sender alias"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    # R-S4 traceability: why this sender ("policy user_choice, alias 12 validated on …") in
    # words, and the same facts as data (policy mode, alias id, verified number and when).
    sender_reason = models.TextField(_("sender reason"), blank=True)
    sender_trace = models.JSONField(_("sender trace"), default=dict, blank=True)
    # R-T4: the client's Idempotency-Key and the hash of the body it came with.
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, blank=True)
    request_hash = models.CharField(_("request hash"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = SmsRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("SMS request")
        verbose_name_plural = _("SMS requests")
        constraints = [
            # R-T4: a retried request with the same key creates nothing new.
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="sms_request_unique_idempotency_key",
            ),
        ]
        indexes = [
            # The history lists: the customer's (admins), the user's own.
            models.Index(fields=["customer", "created_at"], name="sms_request_history"),
            models.Index(fields=["user", "created_at"], name="sms_request_user_history"),
        ]

    def __str__(self) -> str:
        return f"{self.sender_value}: {self.text[:30]}"


class SmsMessage(models.Model):
    """One recipient of a request, and the queue row the dispatcher claims (R-T4, R-T5).

    Status history is kept in this row, not in an event table: the state machine is short and
    forward-only, so `created_at` (queued), `submitted_at`, `done_at` (final status) with
    `attempts` and the last `error_code`/`error_text` (a retry goes back to `queued`) tell the
    whole story. An append-only event per move would triple the writes at the 5,000 messages/s
    the engine must sustain and could not be kept in the single UPDATE statements the queue
    uses for a whole batch.

    `claimed_by`/`claimed_until` is the dispatcher's lease: a message is claimed before it is
    sent, so a crashed dispatcher's messages return to the queue when the lease runs out —
    duplicated at most for the in-flight window, never lost.
    """

    request = models.ForeignKey(
        SmsRequest,
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="messages",
        db_constraint=False,
    )
    # Denormalised from the request for tenancy and the history lists. No index of its own:
    # `sms_message_history` starts with it, and every status change rewrites each index.
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    destination = models.CharField(_("recipient"), max_length=16)  # E.164
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    error_code = models.CharField(_("error code"), max_length=64, blank=True)
    error_text = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When the queue next looks at the message: a `queued` one is due to be sent; a `submitted`
    # one is due for the expiry sweep (its validity period and the grace after it end, R-T5),
    # so the sweep walks the claim index as the claim does, and no other index is written.
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    done_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Set by every statement of `centrex.sms.queue` (bulk UPDATEs bypass `auto_now`).
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = SmsMessageQuerySet.as_manager()
    # The status as read from the database (`from_db`), which `save` checks the move from.
    _loaded_status: str | None = None

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        indexes = [
            # The dispatcher's claim: queued, due, oldest first.
            models.Index(fields=["status", "next_attempt_at", "id"], name="sms_message_claim"),
            # The history lists (a customer's, newest first).
            models.Index(fields=["customer", "created_at"], name="sms_message_history"),
        ]

    def __str__(self) -> str:
        return f"{self.destination} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """R-T5 holds for a saved instance too: when its status changed since it was read, the
        row is locked and the move checked against the status the database holds now (a
        receipt may have settled it meanwhile); a move `ALLOWED_TRANSITIONS` does not allow
        raises InvalidTransition. (The queue moves rows with `move_to`, not with `save`.)"""
        loaded = self._loaded_status
        if loaded is None or self.status == loaded or self.pk is None:
            super().save(*args, **kwargs)
        else:
            with transaction.atomic(using=kwargs.get("using")):
                current = (
                    type(self)
                    ._base_manager.select_for_update()
                    .filter(pk=self.pk)
                    .values_list("status", flat=True)
                    .first()
                )
                if current is not None and self.status not in ALLOWED_TRANSITIONS[current]:
                    raise InvalidTransition(
                        f"A message does not move from {current} to {self.status}."
                    )
                super().save(*args, **kwargs)
        self._loaded_status = self.status

    def can_move_to(self, status: str) -> bool:
        """R-T5: whether `status` is an allowed next status."""
        return status in ALLOWED_TRANSITIONS[self.status]

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance


class SmsPart(models.Model):
    """One `submit_sm` of a message as the SMSC accepted it (R-T6): the id it gave, and `id_key`,
    the normalised form delivery receipts are matched by (hexadecimal or decimal alike).

    A message sent twice (a dispatcher died after sending, before recording) has its parts
    twice, so the receipts of both copies find it; `seq` is therefore not unique per message."""

    message = models.ForeignKey(
        SmsMessage,
        verbose_name=_("message"),
        on_delete=models.CASCADE,
        related_name="parts",
        db_constraint=False,
    )
    seq = models.PositiveSmallIntegerField(_("part"))
    smsc_message_id = models.CharField(_("SMSC message id"), max_length=65)
    id_key = models.CharField(_("match key"), max_length=65, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    receipt_state = models.CharField(_("receipt"), max_length=16, blank=True)
    receipt_at = models.DateTimeField(_("receipt received"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS part")
        verbose_name_plural = _("SMS parts")

    def __str__(self) -> str:
        return f"{self.message_id}/{self.seq}: {self.smsc_message_id}"


class SmsReceipt(models.Model):
    """A delivery receipt whose part was not known when it arrived (R-T5): the SMSC may send it
    before the dispatcher stored the `submit_sm_resp`. Kept, and matched later; `candidates` are
    every key the receipt's id may be stored under, `id_key` the first of them. The same receipt
    sent again (after a reconnect) is not stored twice while it waits."""

    id_key = models.CharField(_("match key"), max_length=65, db_index=True)
    candidates = models.JSONField(_("match keys"), default=list)
    state = models.CharField(_("state"), max_length=16)
    raw = models.TextField(_("receipt"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    matched = models.BooleanField(_("matched"), default=False)

    class Meta:
        verbose_name = _("SMS receipt")
        verbose_name_plural = _("SMS receipts")
        indexes = [models.Index(fields=["matched", "received_at"], name="sms_receipt_pending")]
        constraints = [
            # R-T5: an SMSC sends a receipt again when it got no deliver_sm_resp for it (the
            # connection went away first): one waiting for its part is stored once.
            models.UniqueConstraint(
                fields=["id_key", "state"],
                condition=models.Q(matched=False),
                name="sms_receipt_unique_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id_key}: {self.state}"


class UsageDay(models.Model):
    """R-R1: one customer's local day (Europe/Rome) whose messages are all final, counted once
    into `counts` by `centrex.sms.usage`. A final status never changes (R-T5) and no message is
    ever created in the past, so the counts stay true; a day with a message still queued or
    submitted is not closed and is counted from the messages each time."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("day"))
    closed_at = models.DateTimeField(_("counted"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS usage day")
        verbose_name_plural = _("SMS usage days")
        constraints = [
            models.UniqueConstraint(fields=["customer", "day"], name="sms_usage_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day}"


class UsageCount(models.Model):
    """One user's messages (recipients) and parts in one status on a closed day (R-R1)."""

    usage_day = models.ForeignKey(
        UsageDay, verbose_name=_("day"), on_delete=models.CASCADE, related_name="counts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices)
    messages = models.PositiveIntegerField(_("messages"))
    parts = models.PositiveBigIntegerField(_("parts"))

    class Meta:
        verbose_name = _("SMS usage count")
        verbose_name_plural = _("SMS usage counts")
        constraints = [
            models.UniqueConstraint(
                fields=["usage_day", "user", "status"], name="sms_usage_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.usage_day_id} {self.user_id} {self.status}: {self.parts}"
