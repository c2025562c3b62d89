"""Sending SMS from Communicator (R-T1–T5, R-U6, R-S4): the one action behind `POST
/api/v1/sms/messages` and the «Invia SMS» page.

`send_sms` checks who may send (R-U6), the recipients (R-T1), the text (R-T3), the sender the
policy allows (R-T2 through `resolve_senders`, the one R-S4 answer), the per-user and
per-customer rates, and puts the request on the durable queue with `enqueue_sms` (R-T4) together
with why it carries its sender, for traceability requests. A retried request with the same
idempotency key gives back the first request and creates nothing (R-T4).

The send path is measured in requests per second (the issue's benchmark), so it runs a fixed,
small number of statements whatever happens: the policy (and, in `user_choice`, the validated
aliases), one sum over the last minute when a rate is set, one look-up when an idempotency key
is given, and the two inserts. No audit row: the request row itself, with its sender trace, is
the record of the send.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from centrex.core.errors import DomainError, ErrorCode, FieldError
from centrex.core.phones import normalize_mobile_number
from centrex.senders.models import SenderPolicy, SenderType
from centrex.senders.resolution import Sender, SenderResolution, resolve_senders
from centrex.sms.encoding import MAX_PARTS, MULTI_PART_LIMIT, SmsCount, count_sms
from centrex.sms.enqueue import enqueue_sms
from centrex.sms.models import RequestKind, SmsRequest

if TYPE_CHECKING:
    from centrex.accounts.models import User
    from centrex.customers.models import Customer

# R-T1: recipients of one request (distinct numbers).
MAX_RECIPIENTS = 100
# Entries beyond this are not even parsed: no list this long can hold only 100 distinct numbers
# worth sending, and parsing costs time.
MAX_RECIPIENT_ENTRIES = 10 * MAX_RECIPIENTS
# R-T3: no text longer than this (in characters) fits in MAX_PARTS parts, whatever its
# alphabet; longer ones are refused without being counted.
MAX_TEXT_CHARACTERS = MAX_PARTS * MULTI_PART_LIMIT["gsm7"]
# R-T4: what an Idempotency-Key may be (the column's size).
MAX_IDEMPOTENCY_KEY = 200
# CENTREX_SMS_USER_RATE / CENTREX_SMS_CUSTOMER_RATE count recipients over this sliding window.
RATE_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class RecipientCheck:
    """The recipients of a request as read (R-T1): the distinct numbers in E.164, in the order
    first given, and one error per entry that is not a mobile number (`field` = `to[i]`)."""

    numbers: tuple[str, ...]
    errors: tuple[FieldError, ...]
    entries: int

    @property
    def too_many(self) -> bool:
        return len(self.numbers) > MAX_RECIPIENTS or self.entries > MAX_RECIPIENT_ENTRIES


def check_recipients(entries: Sequence[str]) -> RecipientCheck:
    """R-T1: read each recipient (E.164 or Italian national form, R-M1) — only mobile numbers
    can receive an SMS, so a landline is as invalid as a typo. Duplicates (also written
    differently: "+39 333 …" and "333…") count once."""
    if len(entries) > MAX_RECIPIENT_ENTRIES:
        return RecipientCheck(numbers=(), errors=(), entries=len(entries))
    numbers: dict[str, None] = {}
    errors: list[FieldError] = []
    for index, entry in enumerate(entries):
        field = f"to[{index}]"
        if not entry.strip():
            errors.append(
                FieldError(
                    field,
                    ErrorCode.INVALID_RECIPIENT,
                    _("Recipient %(position)d is empty: write a mobile number or remove it.")
                    % {"position": index + 1},
                )
            )
            continue
        try:
            number = normalize_mobile_number(entry, field=field)
        except DomainError as error:  # invalid_phone_number, not_a_mobile_number
            errors.append(FieldError(field, ErrorCode.INVALID_RECIPIENT, error.message))
            continue
        numbers.setdefault(number)
    return RecipientCheck(numbers=tuple(numbers), errors=tuple(errors), entries=len(entries))


def check_text(text: str) -> tuple[SmsCount | None, list[FieldError]]:
    """R-T3: the text's count, and `text_empty` / `text_too_long` (more than 10 parts)."""
    if not text.strip():
        return None, [FieldError("text", ErrorCode.TEXT_EMPTY, _("Write the text of the SMS."))]
    count = count_sms(text) if len(text) <= MAX_TEXT_CHARACTERS else None
    if count is not None and count.fits:
        return count, []
    message = _(
        "The text is too long: an SMS may have at most %(max)d parts, that is %(gsm)d "
        "characters, or %(ucs2)d when it holds a character outside the GSM alphabet (such as "
        "an emoji). Shorten it."
    ) % {
        "max": MAX_PARTS,
        "gsm": MAX_PARTS * MULTI_PART_LIMIT["gsm7"],
        "ucs2": MAX_PARTS * MULTI_PART_LIMIT["ucs2"],
    }
    return count, [FieldError("text", ErrorCode.TEXT_TOO_LONG, message)]


def request_hash(*, to: Sequence[str], text: str, sender: Sender | None) -> str:
    """R-T4: the fingerprint of a request's body (as sent, canonical JSON), to tell a retry
    from another request reusing its idempotency key."""
    body = {"to": list(to), "text": text, "sender": sender.as_dict() if sender else None}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()


def send_sms(
    user: User,
    *,
    to: Sequence[str],
    text: str,
    sender: Sender | None,
    idempotency_key: str | None,
    policy: SenderPolicy | None = None,
) -> SmsRequest:
    """R-T1–T4: queue `text` for each recipient in `to` with the sender the policy allows
    (`sender` names it in `user_choice`), and return the request with `queued_messages`.
    `policy` is the customer's sender policy when the caller has just read it (the intake
    reads it with the token); otherwise it is read here.

    Refusals, each a DomainError with its code: `communicator_not_enabled` (R-U6, 403);
    `idempotency_conflict` (the key was used with another body, 409); the sender's
    (`no_sender_available`, `mobile_not_verified`, `policy_unusable`, `sender_not_allowed`,
    `alias_not_validated`), `too_many_recipients`, `invalid_recipient` (each bad number with
    `field` = `to[i]`), `text_empty`, `text_too_long` — all of them at once, led by the first
    in API.md's order (422); `throttled` with `retry_after` (429). Nothing is queued when
    anything is refused.

    With an `idempotency_key` already used by this user for the same body, the first request
    is returned as it is now and nothing new is created — also when two such requests race
    (the unique constraint decides, and the loser returns the winner's request)."""
    if user.customer_id is None or not user.communicator_enabled:  # R-U6
        problem = resolve_senders(user, policy=policy).problem
        assert problem is not None
        raise problem.as_error()
    key = _clean_idempotency_key(idempotency_key)
    fingerprint = request_hash(to=to, text=text, sender=sender) if key else ""
    if key:
        earlier = SmsRequest.objects.filter(user=user, idempotency_key=key).first()
        if earlier is not None:
            return _replayed(earlier, fingerprint)

    resolution = resolve_senders(user, policy=policy)
    chosen, errors = _choose_sender(resolution, sender, user)
    recipients = check_recipients(to)
    errors += _recipient_errors(recipients)
    errors += check_text(text)[1]
    if errors:
        raise DomainError.from_errors(errors)
    assert chosen is not None and user.customer is not None

    _check_rates(user, len(recipients.numbers))
    reason, facts = resolution.trace(chosen)
    # Traceability (R-S4): the extension the user had when sending, as the user may move.
    facts["extension"] = user.extension.number if user.extension is not None else None
    try:
        return enqueue_sms(
            customer=user.customer,
            user=user,
            sender=chosen,
            text=text,
            destinations=recipients.numbers,
            kind=RequestKind.MESSAGE,
            sender_reason=reason,
            sender_trace=facts,
            idempotency_key=key,
            request_hash=fingerprint,
        )
    except IntegrityError:
        # R-T4: a concurrent request with the same key was inserted first; it is the answer.
        if not key:
            raise
        earlier = SmsRequest.objects.filter(user=user, idempotency_key=key).first()
        if earlier is None:
            raise
        return _replayed(earlier, fingerprint)


def _clean_idempotency_key(raw: str | None) -> str:
    key = (raw or "").strip()
    if len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _(
                "The Idempotency-Key must be at most %(max)d printable characters: use a "
                "random identifier such as a UUID."
            )
            % {"max": MAX_IDEMPOTENCY_KEY},
            field="Idempotency-Key",
        )
    return key


def _replayed(earlier: SmsRequest, fingerprint: str) -> SmsRequest:
    """R-T4: the first request for a retry with the same body; 409 for another body."""
    if earlier.request_hash != fingerprint:
        raise DomainError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            _(
                "This Idempotency-Key was already used for a different request. Use a new key "
                "for each new SMS; reuse a key only to retry the very same request."
            ),
            field="Idempotency-Key",
        )
    return earlier


def _choose_sender(
    resolution: SenderResolution, requested: Sender | None, user: User
) -> tuple[Sender | None, list[FieldError]]:
    """R-T2: the sender, or why not (to be reported with the other broken rules)."""
    try:
        return resolution.choose(requested, user), []
    except DomainError as error:
        return None, list(error.errors)


def _recipient_errors(recipients: RecipientCheck) -> list[FieldError]:
    errors: list[FieldError] = []
    if recipients.too_many:
        errors.append(
            FieldError(
                "to",
                ErrorCode.TOO_MANY_RECIPIENTS,
                _(
                    "An SMS may go to at most %(max)d recipients at a time: split the list "
                    "into several SMS."
                )
                % {"max": MAX_RECIPIENTS},
            )
        )
    elif not recipients.entries:
        # Not `invalid_recipient`: no number is wrong, the request names none. API.md files
        # a missing value under `validation_error`.
        errors.append(
            FieldError(
                "to",
                ErrorCode.VALIDATION_ERROR,
                _("Write at least one recipient: a mobile number."),
            )
        )
    errors.extend(recipients.errors)
    return errors


# --- Rates (CENTREX_SMS_USER_RATE, CENTREX_SMS_CUSTOMER_RATE) -----------------------------


def _check_rates(user: User, count: int) -> None:
    """At most CENTREX_SMS_USER_RATE recipients per user and CENTREX_SMS_CUSTOMER_RATE per
    customer in any minute (0 = unlimited), counted on the requests themselves (verification
    codes never count). One statement when a rate is set; the Retry-After is worked out only
    when refusing. Two requests racing may both pass near the limit: a rate, not a quota."""
    customer_id = int(user.customer_id or 0)
    user_limit = int(settings.CENTREX_SMS_USER_RATE)
    customer_limit = int(settings.CENTREX_SMS_CUSTOMER_RATE)
    if user_limit <= 0 and customer_limit <= 0:
        return
    now = timezone.now()
    recent = SmsRequest.objects.filter(
        kind=RequestKind.MESSAGE, created_at__gt=now - RATE_WINDOW
    ).order_by()
    mine = recent.filter(user_id=user.pk)
    if customer_limit > 0:
        sums = recent.filter(customer_id=customer_id).aggregate(
            customer=Sum("recipient_count"),
            user=Sum("recipient_count", filter=Q(user_id=user.pk)),
        )
    else:
        sums = mine.aggregate(user=Sum("recipient_count"))
    user_sent = int(sums.get("user") or 0)
    if user_limit > 0 and user_sent + count > user_limit:
        seconds = _seconds_until_room(mine, user_sent, count, user_limit, now)
        raise _throttled(
            ngettext(
                "You may send SMS to at most %(limit)d recipient per minute.",
                "You may send SMS to at most %(limit)d recipients per minute.",
                user_limit,
            )
            % {"limit": user_limit},
            count,
            user_limit,
            seconds,
        )
    customer_sent = int(sums.get("customer") or 0)
    if customer_limit > 0 and customer_sent + count > customer_limit:
        company = recent.filter(customer_id=customer_id)
        seconds = _seconds_until_room(company, customer_sent, count, customer_limit, now)
        raise _throttled(
            ngettext(
                "Your company may send SMS to at most %(limit)d recipient per minute.",
                "Your company may send SMS to at most %(limit)d recipients per minute.",
                customer_limit,
            )
            % {"limit": customer_limit},
            count,
            customer_limit,
            seconds,
        )


def _seconds_until_room(
    recent: QuerySet[SmsRequest], sent: int, count: int, limit: int, now: datetime
) -> int:
    """The Retry-After: when enough of the window's recipients have left it for `count` more
    to fit (a whole window when `count` alone is over the limit)."""
    window = math.ceil(RATE_WINDOW.total_seconds())
    if count > limit:
        return window
    excess = sent + count - limit
    freed = 0
    rows = recent.order_by("created_at", "id").values_list("created_at", "recipient_count")
    for created_at, recipients in rows.iterator():
        freed += recipients
        if freed >= excess:
            return max(1, math.ceil((created_at + RATE_WINDOW - now).total_seconds()))
    return window


def _throttled(rule: str, count: int, limit: int, seconds: int) -> DomainError:
    if count > limit:
        advice = _("This request alone is over the limit: split it into smaller ones.")
    else:
        advice = ngettext(
            "Try again in %(seconds)d second.", "Try again in %(seconds)d seconds.", seconds
        ) % {"seconds": seconds}
    return DomainError(ErrorCode.THROTTLED, f"{rule} {advice}", retry_after=seconds)


# --- Verification codes (R-M2) -------------------------------------------------------------


def otp_sender() -> Sender:
    """R-T6: verification codes go out under the provider's own alias, CENTREX_OTP_SENDER
    (alphanumeric, TON 5/NPI 0), whatever the customer's sender policy."""
    return Sender(SenderType.ALIAS, settings.CENTREX_OTP_SENDER)


def send_verification_sms(
    *, customer: Customer, user: User, number: str, text: str, purpose: str
) -> int:
    """The SMS of a verification code (`centrex.verification.codes.CodeSms`, registered in
    `SmsConfig.ready`): queued in the caller's transaction under the provider's sender, as a
    `verification` request that no history shows and whose text the engine wipes once the SMSC
    accepted it (R-M2). Returns the request's id."""
    request = enqueue_sms(
        customer=customer,
        user=user,
        sender=otp_sender(),
        text=text,
        destinations=[number],
        kind=RequestKind.VERIFICATION,
        sender_reason=(
            f"Verification code ({purpose}): the provider's sender CENTREX_OTP_SENDER, "
            "not the customer's policy."
        ),
        sender_trace={"mode": "verification", "purpose": purpose},
    )
    return int(request.pk)
