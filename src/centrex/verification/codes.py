"""Verification codes sent by SMS (R-M2): the one module that issues, sends, throttles and checks
every code, for a user's own mobile number and for a company's shared one.

A code is 6 digits from `secrets`, valid 10 minutes, and proves the number it was sent to and
nothing else: the hash binds it to its purpose and number, and it is looked up by them, so once
the number changes an old code is useless. At most 5 wrong attempts per code: each answers
`code_invalid`; after the fifth the code is dead and every further attempt, right or wrong,
answers `code_attempts_exceeded` until a new code is requested (API.md "Caller"). A new code
supersedes the previous one, at most one every 60 s and 5 per hour per number
(`code_resend_too_soon`, 429 with Retry-After).

Only the SMS carries the code: it is never logged, returned, audited or e-mailed, and the
engine wipes the SMS text once the SMSC accepted it (`REDACTED_TEXT`).

Why HMAC-SHA256 keyed with SECRET_KEY rather than a password hasher: a 6-digit code has only a
million values, so a slow hash (PBKDF2, Argon2) of it falls to an offline search within hours
whatever its cost, while it would slow every check. What protects a stolen table is a key that
is not in the database: without SECRET_KEY the hashes say nothing. The key salt, purpose and
number in the HMAC keep these hashes apart from any other use of the key.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from centrex.core.errors import DomainError, ErrorCode
from centrex.verification.models import VerificationCode, VerificationPurpose

if TYPE_CHECKING:
    from centrex.accounts.models import User
    from centrex.customers.models import Customer

logger = logging.getLogger(__name__)

# R-M2
CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_WRONG_ATTEMPTS = 5
RESEND_INTERVAL = timedelta(seconds=60)
CODES_PER_HOUR = 5
HOUR = timedelta(hours=1)

# The key salt is this module's path from before issue 11 (`sms` + `.verification`): changing
# it would void every live code. Spelt in two parts so that a search for the old module finds
# code that still uses it, not this constant.
_HMAC_SALT = "centrex.sms" + ".verification"
# Spaces and dashes people type inside a code ("123 456") are not part of it.
_CODE_SEPARATORS = str.maketrans("", "", " -\u00a0\t")


def hash_code(*, purpose: str, number: str, code: str) -> str:
    """The stored form of `code` (R-M2): HMAC-SHA256 under SECRET_KEY, bound to the purpose
    and number it was sent for."""
    message = f"{purpose}:{number}:{code}"
    return salted_hmac(_HMAC_SALT, message, algorithm="sha256").hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _masked(number: str) -> str:
    """A number as logs may show it (people's numbers stay out of the logs)."""
    return f"{number[:3]}…{number[-3:]}" if len(number) > 6 else "…"


# --- Throttling -------------------------------------------------------------------------


def _lock_number(number: str) -> None:
    """R-M2: serialise, until the transaction ends, everything that sends a code to `number`,
    so two requests at once cannot both pass the throttle. PostgreSQL: an advisory lock on the
    number's hash; SQLite: every transaction already holds the write lock from BEGIN
    (`transaction_mode=IMMEDIATE`)."""
    if connection.vendor != "postgresql":
        return
    digest = hash_code(purpose="lock", number=number, code="")
    key = int(digest[:16], 16) - (1 << 63)  # a signed 64-bit key
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def next_code_at(number: str, *, now: datetime | None = None) -> datetime | None:
    """When a new code may be sent to `number` (R-M2: 60 s after the last one, and no more than
    5 in any hour); None if it may be sent now. Every purpose and customer counts: the limit
    protects the number's owner."""
    now = now or timezone.now()
    recent = list(
        VerificationCode.objects.filter(number=number, created_at__gt=now - HOUR)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)[:CODES_PER_HOUR]
    )
    if not recent:
        return None
    allowed = recent[0] + RESEND_INTERVAL
    if len(recent) >= CODES_PER_HOUR:
        allowed = max(allowed, recent[-1] + HOUR)
    return allowed if allowed > now else None


def seconds_until_next_code(number: str, *, now: datetime | None = None) -> int:
    """0 if a code may be sent to `number` now, else the whole seconds to wait (Retry-After)."""
    now = now or timezone.now()
    allowed = next_code_at(number, now=now)
    if allowed is None:
        return 0
    return max(1, math.ceil((allowed - now).total_seconds()))


def _too_soon(number: str, now: datetime) -> DomainError | None:
    wait = seconds_until_next_code(number, now=now)
    if not wait:
        return None
    last_minute = VerificationCode.objects.filter(
        number=number, created_at__gt=now - RESEND_INTERVAL
    ).exists()
    if last_minute and wait <= RESEND_INTERVAL.total_seconds():
        message = _(
            "A verification code was sent to this number less than a minute ago. Wait "
            "%(seconds)d seconds, then ask for a new one."
        ) % {"seconds": wait}
    else:
        message = _(
            "This number already received %(count)d verification codes in the last hour. Ask "
            "for a new one in %(minutes)d minutes."
        ) % {"count": CODES_PER_HOUR, "minutes": math.ceil(wait / 60)}
    return DomainError(ErrorCode.CODE_RESEND_TOO_SOON, message, field="number", retry_after=wait)


# --- Sending ----------------------------------------------------------------------------


def _codes_of(purpose: str, customer: Customer, user: User | None) -> QuerySet[VerificationCode]:
    """The codes one verification is about: a user's own number (each user has theirs), or a
    customer's shared number (any of its admins may enter the code)."""
    codes = VerificationCode.objects.filter(purpose=purpose, customer=customer)
    if purpose == VerificationPurpose.OWN_MOBILE:
        if user is None:
            raise ValueError("A code for an own mobile number belongs to a user.")
        codes = codes.filter(user=user)
    return codes


def cancel_codes(*, purpose: str, customer: Customer, user: User | None = None) -> int:
    """Kill the live codes of this verification (the number was removed or replaced): they can
    no longer verify anything. Returns how many there were."""
    live = _codes_of(purpose, customer, user).filter(superseded=False, used_at__isnull=True)
    return int(live.update(superseded=True))


def live_code(
    *, purpose: str, customer: Customer, number: str, user: User | None = None
) -> VerificationCode | None:
    """The code that would be checked now for `number` (unused and not superseded; it may
    have expired or be out of attempts), or None."""
    return (
        _codes_of(purpose, customer, user)
        .filter(number=number, superseded=False, used_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )


def is_usable(code: VerificationCode, *, now: datetime | None = None) -> bool:
    """Whether `code` may still verify its number: unused, not superseded, not expired, not
    out of attempts (R-M2)."""
    now = now or timezone.now()
    return (
        code.used_at is None
        and not code.superseded
        and code.expires_at > now
        and code.failed_attempts < MAX_WRONG_ATTEMPTS
    )


def verification_text(code: str, language: str) -> str:
    """The SMS, in the recipient's language."""
    with translation.override(language):
        return gettext(
            "Your Centrex verification code is %(code)s. It expires in %(minutes)d minutes."
        ) % {"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)}


class CodeSms(Protocol):
    """Puts the SMS that carries a code on the queue, in the caller's transaction, and returns
    the SMS request's id. The SMS pipeline (`centrex.sms`) stands above this app in DESIGN's
    layers, so it hands its function over when the apps are ready (`SmsConfig.ready`) instead
    of being imported here."""

    def __call__(
        self, *, customer: Customer, user: User, number: str, text: str, purpose: str
    ) -> int: ...


_DELIVERY: dict[str, CodeSms] = {}


def deliver_codes_with(courier: CodeSms) -> None:
    """Send every verification code's SMS with `courier` from now on."""
    _DELIVERY["sms"] = courier


def _courier() -> CodeSms:
    try:
        return _DELIVERY["sms"]
    except KeyError:
        raise RuntimeError(
            "No SMS pipeline sends verification codes: install centrex.sms."
        ) from None


@transaction.atomic
def send_code(*, purpose: str, number: str, user: User, customer: Customer) -> VerificationCode:
    """Issue a code for `number` (E.164, already a valid mobile number) and put its SMS on the
    queue, in the caller's transaction (R-M2, R-T4): the code and its SMS commit together, and
    the dispatcher sees neither before. `user` asked for it (the owner of the number for
    `own_mobile`, the admin for `shared_mobile`); the SMS is in their language.

    Raises `code_resend_too_soon` (429, `retry_after`) within 60 s of the previous code to this
    number or after 5 in the last hour. Supersedes the verification's earlier codes."""
    purpose = VerificationPurpose(purpose)
    _lock_number(number)
    now = timezone.now()
    refusal = _too_soon(number, now)
    if refusal is not None:
        raise refusal
    cancel_codes(purpose=purpose, customer=customer, user=user)
    code = _new_code()
    request_id = _courier()(
        customer=customer,
        user=user,
        number=number,
        text=verification_text(code, user.language),
        purpose=str(purpose),
    )
    verification = VerificationCode.objects.create(
        purpose=purpose,
        number=number,
        customer=customer,
        user=user,
        code_hash=hash_code(purpose=purpose, number=number, code=code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
        sms_request_id=request_id,
    )
    logger.info(
        "verification code %s (%s) queued for %s as SMS request %s",
        verification.pk,
        purpose,
        _masked(number),
        request_id,
    )
    return verification


# --- Checking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAttempt:
    """The outcome of one attempt: the code it used, or the refusal to raise once the attempt
    (and its count) is committed."""

    verification: VerificationCode | None
    error: DomainError | None

    @property
    def ok(self) -> bool:
        return self.error is None

    def result(self) -> VerificationCode:
        """The used code, or raise the refusal."""
        if self.error is not None:
            raise self.error
        assert self.verification is not None
        return self.verification


def _refused(code: ErrorCode, message: str | Promise) -> CodeAttempt:
    return CodeAttempt(None, DomainError(code, message, field="code"))


def _no_live_code() -> CodeAttempt:
    return _refused(
        ErrorCode.CODE_INVALID,
        _("No verification code is waiting for this number. Ask for a new code."),
    )


def _attempts_exceeded() -> CodeAttempt:
    return _refused(
        ErrorCode.CODE_ATTEMPTS_EXCEEDED,
        _(
            "This verification code was entered wrong %(count)d times and no longer works. "
            "Ask for a new code."
        )
        % {"count": MAX_WRONG_ATTEMPTS},
    )


def _wrong_code(left: int) -> CodeAttempt:
    message: str | Promise
    if left <= 0:
        message = _(
            "This verification code is not right, and that was the last attempt. Ask for a "
            "new code."
        )
    else:
        message = _(
            "This verification code is not right. Check the SMS and type it again "
            "(attempts left: %(left)d)."
        ) % {"left": left}
    return _refused(ErrorCode.CODE_INVALID, message)


def attempt_code(
    *,
    purpose: str,
    number: str,
    customer: Customer,
    code: str,
    user: User | None = None,
) -> CodeAttempt:
    """One attempt at the live code of this verification for `number`, without raising: run
    it inside a transaction that COMMITS whatever the outcome (then raise `result()` after
    it), so a wrong attempt stays counted. Callers that must lock their own rows first (the
    user, the policy) use this; `check_code` wraps it.

    The code row is locked and its counter moved by conditional UPDATEs, so two attempts at
    once cannot both get past the limit, nor both use the code."""
    now = timezone.now()
    current = (
        _codes_of(purpose, customer, user)
        .filter(number=number, superseded=False, used_at__isnull=True)
        .order_by("-created_at", "-id")
        .select_for_update(of=("self",))
        .first()
    )
    if current is None:
        return _no_live_code()
    if current.failed_attempts >= MAX_WRONG_ATTEMPTS:
        return _attempts_exceeded()
    if current.expires_at <= now:
        return _refused(
            ErrorCode.CODE_EXPIRED,
            _("This verification code has expired (codes last 10 minutes). Ask for a new code."),
        )
    typed = (code or "").translate(_CODE_SEPARATORS)
    expected = hash_code(purpose=current.purpose, number=current.number, code=typed)
    still_open = VerificationCode.objects.filter(
        pk=current.pk, used_at__isnull=True, failed_attempts__lt=MAX_WRONG_ATTEMPTS
    )
    if hmac.compare_digest(expected, current.code_hash):
        if not still_open.update(used_at=now):
            return _attempts_exceeded()
        current.used_at = now
        return CodeAttempt(current, None)
    if not still_open.update(failed_attempts=F("failed_attempts") + 1):
        return _attempts_exceeded()
    current.refresh_from_db(fields=["failed_attempts"])
    return _wrong_code(MAX_WRONG_ATTEMPTS - current.failed_attempts)


def check_code(
    *,
    purpose: str,
    number: str,
    customer: Customer,
    code: str,
    user: User | None = None,
) -> VerificationCode:
    """Check `code` against the live code of this verification for `number` and mark it used
    (R-M2). `user` is required for `own_mobile`. Raises `code_invalid` (a wrong code, each of
    the 5 allowed wrong attempts; or no live code for this number), `code_attempts_exceeded`
    (after the fifth wrong attempt, right or wrong, until a new code) or `code_expired`.

    Runs in its own durable transaction, so a wrong attempt is counted even though the call
    raises: calling it inside `transaction.atomic` is refused (RuntimeError). A caller that
    must update its own rows with the same commit uses `attempt_code`."""
    with transaction.atomic(durable=True):
        attempt = attempt_code(
            purpose=purpose, number=number, customer=customer, code=code, user=user
        )
    return attempt.result()
