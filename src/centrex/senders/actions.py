"""The company's SMS sender policy, «Mittenti SMS» of the Communicator section (manual §4;
R-S1–S3, R-M2, R-M3, R-A11): the only place that changes it (STYLE 2).

An admin chooses one of the four options. `shared_mobile` follows the manual's two "salva":
`set_shared_mobile` stores the number, not verified, and sends it a code; `verify_shared_mobile`
checks the code, marks the number verified and puts the option in force. Until then the option
in force stays the previous one (R-S1.2: only a verified number becomes the sender), so an admin
half-way through never leaves the company unable to send. Changing a shared number already in
force un-verifies it (R-M3) and blocks sending until the new one is verified (R-S2).

A policy that refers to something unusable — a revoked or withdrawn alias, a shared number not
verified — is never replaced silently (R-S2): users get `policy_unusable`, admins see
`policy_problem` in a banner and, when the shared alias stops being usable, an e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centrex.accounts.access import Visitor, is_customer_user, require_customer_admin
from centrex.accounts.models import User
from centrex.aliases.models import AliasStatus, SenderAlias
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode, NotFound, PermissionDenied
from centrex.core.mail import send_email_after_commit
from centrex.core.phones import normalize_mobile_number
from centrex.customers.models import Customer
from centrex.senders.models import CONSUMER_MODES, SenderPolicy, SenderPolicyMode
from centrex.senders.resolution import (
    PolicyFault,
    SenderProblem,
    SenderResolution,
    policy_fault,
    resolve_senders,
)
from centrex.verification import codes
from centrex.verification.models import VerificationPurpose

logger = logging.getLogger(__name__)

CONSUMER_MODES_MESSAGE = gettext_lazy(
    "Private customers can choose only the mobile-number options: AGCOM (Delibera 42/13/CIR) "
    "does not allow them to send SMS with an alphanumeric sender (alias)."
)


# --- Who may change it ------------------------------------------------------------------


ONLY_ADMINS_CHOOSE = gettext_lazy(
    "Only an administrator of your company can choose the SMS senders."
)


def require_policy_admin(acting_user: Visitor | None, customer: Customer | None = None) -> User:
    """The caller must be an active admin of `customer` — by default of their own, as the
    pages require (R-S1: "chosen by an admin"). Another customer's policy does not exist for
    the caller (R-C3); operators and plain users are refused (the policy is the customer's
    own choice), plain users with the reason."""
    if not is_customer_user(acting_user):
        raise PermissionDenied()
    if customer is not None and acting_user.customer_id != customer.pk:
        raise NotFound()
    return require_customer_admin(acting_user, ONLY_ADMINS_CHOOSE)


# --- The operations -----------------------------------------------------------------------


def set_policy(
    customer: Customer,
    *,
    mode: str,
    shared_alias_id: int | None = None,
    acting_user: User,
    ip: str | None = None,
) -> SenderPolicy:
    """Put an option in force (R-S1). `shared_alias` needs one of the customer's validated
    aliases (another customer's id: `not_found`; not validated: `alias_not_validated`);
    `shared_mobile` needs the shared number verified first (`mobile_not_verified`: enter it
    with `set_shared_mobile`, then the code with `verify_shared_mobile`); consumers choose only
    the mobile modes (`alias_consumer_not_allowed`, R-S3). Choosing the option already in
    force changes nothing."""
    require_policy_admin(acting_user, customer)
    if mode not in SenderPolicyMode.values:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Choose one of the options: %(modes)s.")
            % {"modes": ", ".join(SenderPolicyMode.values)},
            field="mode",
        )
    if not customer.is_business and mode not in CONSUMER_MODES:  # R-S3
        raise DomainError(
            ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED, CONSUMER_MODES_MESSAGE, field="mode"
        )
    if mode != SenderPolicyMode.SHARED_ALIAS and shared_alias_id is not None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("An alias is chosen only with the option “%(option)s”: leave it out.")
            % {"option": SenderPolicyMode.SHARED_ALIAS.label},
            field="shared_alias_id",
        )
    with transaction.atomic():
        alias = None
        if mode == SenderPolicyMode.SHARED_ALIAS:
            # Locked: a revocation waits for this choice, then tells the admins (R-A11).
            alias = _validated_alias_of(customer, shared_alias_id)
        policy = _locked_policy(customer)
        if mode == SenderPolicyMode.SHARED_MOBILE and not policy.shared_mobile_verified:
            raise DomainError(
                ErrorCode.MOBILE_NOT_VERIFIED,
                _(
                    "The shared mobile number is not verified yet. Enter the number: a "
                    "verification code is sent to it by SMS; enter the code to put this "
                    "option in force."
                ),
                field="mode",
            )
        previous_mode, previous_alias = policy.mode, policy.shared_alias
        if policy.pk is not None and previous_mode == mode and previous_alias == alias:
            return policy
        policy.mode = mode
        policy.shared_alias = alias
        _touch(policy, acting_user)
        record_audit(
            "sms.policy_changed",
            actor=acting_user,
            target=policy,
            customer_id=customer.pk,
            from_state=previous_mode,
            to_state=mode,
            ip_address=ip,
            data=_policy_facts(policy, previous_alias=previous_alias),
        )
    return policy


def set_shared_mobile(
    customer: Customer, raw_number: str, *, acting_user: User, ip: str | None = None
) -> SenderPolicy:
    """The first "salva" of `shared_mobile` (R-S1.2): the number, read as a mobile number
    (R-M1), is stored not verified and an SMS with a verification code is sent to it (R-M2).
    The option in force does not change. Entering the number already verified changes nothing
    and sends nothing; entering the number waiting for its code sends a new code (R-M2's
    throttle: `code_resend_too_soon`). A different number replaces a verified one, which is
    then not verified any more (R-M3)."""
    require_policy_admin(acting_user, customer)
    number = normalize_mobile_number(raw_number, field="number")
    with transaction.atomic():
        policy = _locked_policy(customer)
        if policy.shared_mobile_number == number and policy.shared_mobile_verified:
            return policy
        previous, was_verified = policy.shared_mobile_number, policy.shared_mobile_verified
        policy.shared_mobile_number = number
        policy.shared_mobile_verified_at = None  # R-M3
        _touch(policy, acting_user)
        # In this transaction: a refused code (too soon) leaves the policy as it was.
        codes.send_code(
            purpose=VerificationPurpose.SHARED_MOBILE,
            number=number,
            user=acting_user,
            customer=customer,
        )
        record_audit(
            "sms.policy_shared_mobile_entered",
            actor=acting_user,
            target=policy,
            customer_id=customer.pk,
            from_state="verified" if was_verified else ("unverified" if previous else ""),
            to_state="unverified",
            ip_address=ip,
            data={"number": number, "previous_number": previous or None, "mode": policy.mode},
        )
    return policy


def verify_shared_mobile(
    customer: Customer, code: str, *, acting_user: User, ip: str | None = None
) -> SenderPolicy:
    """The second "salva" of `shared_mobile` (R-S1.2, R-M2): the code sent to the shared
    number is checked; right, the number is verified and `shared_mobile` is put in force.
    Wrong codes answer `code_invalid`, then `code_attempts_exceeded`; old ones `code_expired`;
    with no number entered, `code_invalid`. Call it outside any transaction (as the pages and
    the API do): the attempt commits, counted, before a refusal is raised."""
    require_policy_admin(acting_user, customer)
    code = code.strip() if isinstance(code, str) else ""
    if not code:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Enter the verification code received by SMS."),
            field="code",
        )
    with transaction.atomic():
        # Locked first: the number cannot change between the check and the verification.
        policy = _locked_policy(customer)
        number = policy.shared_mobile_number
        if not number:
            refusal: DomainError | None = DomainError(
                ErrorCode.CODE_INVALID,
                _(
                    "No code is waiting: enter the shared mobile number first, and a code is sent to it."
                ),
                field="code",
            )
        else:
            attempt = codes.attempt_code(
                purpose=VerificationPurpose.SHARED_MOBILE,
                number=number,
                customer=customer,
                code=code,
            )
            refusal = attempt.error
        if refusal is None:
            _put_shared_mobile_in_force(policy, acting_user=acting_user, ip=ip)
    if refusal is not None:
        raise refusal
    return policy


def _put_shared_mobile_in_force(policy: SenderPolicy, *, acting_user: User, ip: str | None) -> None:
    """The shared number is verified: it becomes the sender of every user (R-S1.2)."""
    previous_mode, previous_alias = policy.mode, policy.shared_alias
    policy.shared_mobile_verified_at = timezone.now()
    policy.mode = SenderPolicyMode.SHARED_MOBILE
    policy.shared_alias = None
    _touch(policy, acting_user)
    record_audit(
        "sms.policy_shared_mobile_verified",
        actor=acting_user,
        target=policy,
        customer_id=policy.customer_id,
        from_state="unverified",
        to_state="verified",
        ip_address=ip,
        data={"number": policy.shared_mobile_number},
    )
    if previous_mode != policy.mode:
        record_audit(
            "sms.policy_changed",
            actor=acting_user,
            target=policy,
            customer_id=policy.customer_id,
            from_state=previous_mode,
            to_state=policy.mode,
            ip_address=ip,
            data=_policy_facts(policy, previous_alias=previous_alias),
        )


def _validated_alias_of(customer: Customer, alias_id: object) -> SenderAlias:
    """One of the customer's aliases, locked, that is validated (R-A11); another customer's
    or a missing one is NotFound (R-C3)."""
    if alias_id is None:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Choose the alias that all users send with, among your validated aliases."),
            field="shared_alias_id",
        )
    alias = (
        SenderAlias.objects.select_for_update(of=("self",))
        .filter(customer=customer)
        .one_or_not_found(pk=alias_id)
    )
    if not alias.is_usable:
        raise DomainError(
            ErrorCode.ALIAS_NOT_VALIDATED,
            _(
                "The alias “%(alias)s” is %(status)s: only a validated alias can be the sender. "
                "Choose a validated alias, or wait for the outcome of its validation."
            )
            % {"alias": alias.text, "status": AliasStatus(alias.status).label},
            field="shared_alias_id",
        )
    return alias


def _locked_policy(customer: Customer) -> SenderPolicy:
    """The customer's policy row, locked until the transaction ends; a new one with the
    default (`own_mobile`, R-S2) when none was saved yet (not saved by this function)."""
    policy = (
        SenderPolicy.objects.select_for_update(of=("self",))
        .select_related("shared_alias")
        .filter(customer=customer)
        .first()
    )
    if policy is None:
        policy = SenderPolicy(customer=customer)
    policy.customer = customer
    return policy


def _touch(policy: SenderPolicy, acting_user: User) -> None:
    policy.updated_at = timezone.now()
    policy.updated_by = acting_user
    policy.save()


def _policy_facts(policy: SenderPolicy, *, previous_alias: SenderAlias | None) -> dict[str, Any]:
    """What the audit row keeps of a policy change."""

    def alias_facts(alias: SenderAlias | None) -> dict[str, Any] | None:
        return None if alias is None else {"id": alias.pk, "text": alias.text}

    return {
        "shared_alias": alias_facts(policy.shared_alias),
        "previous_shared_alias": alias_facts(previous_alias),
        "shared_mobile": policy.shared_mobile_number or None,
        "shared_mobile_verified": policy.shared_mobile_verified,
    }


# --- Is it usable (R-S2) --------------------------------------------------------------------


def policy_problem(customer: Customer, policy: SenderPolicy | None = None) -> SenderProblem | None:
    """Why nobody of `customer` can send SMS because of the policy (R-S2), phrased for its
    admins (what to do, where), or None when the policy is usable. The banner on every page
    and `GET /sms/policy` show it."""
    policy = policy if policy is not None else SenderPolicy.for_customer(customer)
    fault = policy_fault(policy, is_business=customer.is_business)
    if fault is None:
        return None
    return SenderProblem(ErrorCode.POLICY_UNUSABLE, _ADMIN_FAULT_DETAILS[fault](policy))


def _consumer_mode_detail(policy: SenderPolicy) -> str:
    return _(
        "Your company's SMS sender option “%(option)s” is not available to private customers, "
        "so nobody can send SMS. Choose a mobile-number option in Communicator > SMS senders."
    ) % {"option": SenderPolicyMode(policy.mode).label}


def _shared_mobile_detail(policy: SenderPolicy) -> str:
    if not policy.shared_mobile_number:
        return _(
            "Your company's SMS are sent from a single mobile number, but none is set, so "
            "nobody can send SMS. Enter it and verify it in Communicator > SMS senders."
        )
    return _(
        "Your company's SMS are sent from the shared mobile number %(number)s, which is not "
        "verified yet, so nobody can send SMS. Enter the verification code sent to it by SMS "
        "(or request a new one) in Communicator > SMS senders."
    ) % {"number": policy.shared_mobile_number}


def _shared_alias_detail(policy: SenderPolicy) -> str:
    alias = policy.shared_alias
    if alias is None:
        return _(
            "Your company's SMS are sent with a single alias, but none is chosen, so nobody "
            "can send SMS. Choose a validated alias in Communicator > SMS senders."
        )
    return _(
        "Your company's SMS are sent with the alias “%(alias)s”, which is %(status)s and can "
        "no longer be used, so nobody can send SMS. Choose another option or another alias "
        "in Communicator > SMS senders."
    ) % {"alias": alias.text, "status": AliasStatus(alias.status).label}


# What an admin reads, by fault of the policy.
_ADMIN_FAULT_DETAILS: dict[PolicyFault, Callable[[SenderPolicy], str]] = {
    PolicyFault.CONSUMER_MODE: _consumer_mode_detail,
    PolicyFault.SHARED_MOBILE_UNVERIFIED: _shared_mobile_detail,
    PolicyFault.SHARED_ALIAS_UNUSABLE: _shared_alias_detail,
}


# --- Preview (no side effect) ---------------------------------------------------------------


@dataclass(frozen=True)
class UserPreview:
    """One active user of the customer under a candidate policy: what they could send with,
    or why they could not."""

    user: User
    resolution: SenderResolution

    @property
    def can_send(self) -> bool:
        return self.resolution.can_send

    @property
    def reason(self) -> str:
        """Why this user could not send, in the admin's words ("" when they can)."""
        problem = self.resolution.problem
        if problem is None:
            return ""
        if (
            problem.code == ErrorCode.NO_SENDER_AVAILABLE
            and self.resolution.mode == SenderPolicyMode.USER_CHOICE
        ):
            return _blocked_nothing_to_choose()
        reason = _BLOCKED_REASONS.get(problem.code)
        return reason() if reason is not None else problem.detail


@dataclass(frozen=True)
class PolicyPreview:
    """The effect of a candidate policy on every active user of the customer (R-S4): how many
    could send, who could not and why, or the policy's own fault that blocks everybody."""

    policy: SenderPolicy
    users: tuple[UserPreview, ...]
    problem: SenderProblem | None

    @property
    def total(self) -> int:
        return len(self.users)

    @property
    def can_send(self) -> int:
        return sum(1 for row in self.users if row.can_send)

    @property
    def blocked(self) -> list[UserPreview]:
        return [row for row in self.users if not row.can_send]


def preview_policy(
    customer: Customer, policy: SenderPolicy, *, aliases: Iterable[SenderAlias] | None = None
) -> PolicyPreview:
    """What `policy` (saved or not) would mean for each active user of `customer` right now:
    `resolve_senders` for each, with the users (and their customer), the validated aliases
    and the policy loaded once, so the cost does not grow with the number of users."""
    validated = (
        list(aliases)
        if aliases is not None
        else list(SenderAlias.objects.filter(customer=customer).usable().order_by("text", "id"))
    )
    people = list(
        User.objects.filter(customer=customer, is_active=True, is_operator=False)
        .select_related("extension")
        .order_by("last_name", "first_name", "email")
    )
    rows = []
    for person in people:
        person.customer = customer  # already loaded: no query per user
        rows.append(UserPreview(person, resolve_senders(person, policy=policy, aliases=validated)))
    return PolicyPreview(policy, tuple(rows), policy_problem(customer, policy))


def _blocked_no_extension() -> str:
    return _("Communicator not enabled: no IP Centrex extension is associated with the user.")


def _blocked_no_mobile() -> str:
    return _("No mobile number: the user has not set it in Account Options.")


def _blocked_nothing_to_choose() -> str:
    return _(
        "Nothing to choose from: the user has not set a mobile number in Account Options and "
        "the company has no validated alias."
    )


def _blocked_mobile_unverified() -> str:
    return _("Mobile number not verified yet: the user must enter the code sent by SMS.")


def _blocked_policy() -> str:
    return _("The option cannot be used: see above.")


# Why a user could not send, as the admin reads it in the preview.
_BLOCKED_REASONS: dict[ErrorCode, Callable[[], str]] = {
    ErrorCode.COMMUNICATOR_NOT_ENABLED: _blocked_no_extension,
    ErrorCode.NO_SENDER_AVAILABLE: _blocked_no_mobile,
    ErrorCode.MOBILE_NOT_VERIFIED: _blocked_mobile_unverified,
    ErrorCode.POLICY_UNUSABLE: _blocked_policy,
}


# --- R-A11: the shared alias stopped being usable ---------------------------------------------


def on_alias_unusable(sender: type[SenderAlias], alias: SenderAlias, **kwargs: Any) -> None:
    """Receiver of `aliases.actions.alias_became_unusable` (connected in SmsConfig.ready): once
    the revocation or withdrawal commits, the admins of a customer whose policy sends with
    that alias are told that nobody can send SMS (R-S2). Nothing if the transaction rolls
    back."""
    alias_id = alias.pk
    transaction.on_commit(lambda: notify_shared_alias_unusable(alias_id))


def notify_shared_alias_unusable(alias_id: int) -> int:
    """E-mail each active admin, in their language, when the policy of the alias's customer
    is `shared_alias` with this alias and it is no longer validated; how many were told."""
    policy = (
        SenderPolicy.objects.filter(mode=SenderPolicyMode.SHARED_ALIAS, shared_alias_id=alias_id)
        .select_related("customer", "shared_alias")
        .first()
    )
    if policy is None or policy.shared_alias is None or policy.shared_alias.is_usable:
        return 0
    admins = sorted(User.objects.active_admins_of(policy.customer), key=lambda user: user.email)
    link = f"{settings.CENTREX_BASE_URL}{reverse('senders:policy')}"
    for admin in admins:
        send_email_after_commit(
            "senders/emails/policy_unusable",
            to=[admin.email],
            language=admin.language,
            context={
                "recipient": admin,
                "customer": policy.customer,
                "alias": policy.shared_alias,
                "option": SenderPolicyMode.SHARED_ALIAS,
                "link": link,
            },
        )
    logger.info(
        "policy of customer %s: shared alias %s no longer usable, %d admin(s) told",
        policy.customer_id,
        alias_id,
        len(admins),
    )
    return len(admins)
