"""Which senders a user may use right now, and if none, why (R-S4): one function, used by
`GET /sms/senders`, the compose page, the policy page's preview and the send path alike.

The answer follows the customer's policy (R-S1) strictly: a policy that refers to something
unusable (a revoked or withdrawn alias, a shared number not verified) yields no sender and
`policy_unusable`; it never falls back to another sender (R-S2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from centrex.aliases.models import SenderAlias
from centrex.core.errors import DomainError, ErrorCode
from centrex.senders.models import (
    CONSUMER_MODES,
    SENDER_TON_NPI,
    SenderPolicy,
    SenderPolicyMode,
    SenderType,
)

if TYPE_CHECKING:
    from centrex.accounts.models import User


@dataclass(frozen=True)
class Sender:
    """One sender: a verified mobile number (E.164) or a validated alias (`alias` set)."""

    type: str  # SenderType
    value: str
    alias: SenderAlias | None = field(default=None, compare=False, hash=False)

    @property
    def ton_npi(self) -> tuple[int, int]:
        """R-T6: source address TON/NPI."""
        return SENDER_TON_NPI[self.type]

    @property
    def address(self) -> str:
        """The `source_addr` as sent: the alias text, or E.164 digits without `+` (API.md)."""
        return self.value.removeprefix("+") if self.type == SenderType.MOBILE else self.value

    def as_dict(self) -> dict[str, str]:
        return {"type": str(self.type), "value": self.value}


@dataclass(frozen=True)
class SenderProblem:
    """Why a user has no sender: a stable code and a message saying what to do."""

    code: ErrorCode
    detail: str

    def as_error(self) -> DomainError:
        return DomainError(self.code, self.detail)


class PolicyFault(StrEnum):
    """Why a customer's policy cannot give anyone a sender (R-S2): it refers to something that
    is not usable. Users then get `policy_unusable`; admins a warning (`sms.policy`)."""

    # R-S3: an alias mode on a consumer customer (refused when chosen; kept for a customer
    # whose kind changed afterwards).
    CONSUMER_MODE = "consumer_mode"
    # R-S1.2, R-M3: the shared number is missing or not verified.
    SHARED_MOBILE_UNVERIFIED = "shared_mobile_unverified"
    # R-A11: the shared alias is missing, not validated (revoked, withdrawn) or not the
    # customer's.
    SHARED_ALIAS_UNUSABLE = "shared_alias_unusable"


def policy_fault(policy: SenderPolicy, *, is_business: bool) -> PolicyFault | None:
    """R-S2: what makes `policy` unusable for every user of its customer, or None. The one
    answer to "is this policy usable" — sender resolution, the policy API and the admins'
    banner all ask it. `is_business` is the customer's kind (R-S3)."""
    mode = policy.mode
    if not is_business and mode not in CONSUMER_MODES:
        return PolicyFault.CONSUMER_MODE
    if mode == SenderPolicyMode.SHARED_MOBILE and not policy.shared_mobile_verified:
        return PolicyFault.SHARED_MOBILE_UNVERIFIED
    if mode == SenderPolicyMode.SHARED_ALIAS:
        alias = policy.shared_alias
        if alias is None or not alias.is_usable or alias.customer_id != policy.customer_id:
            return PolicyFault.SHARED_ALIAS_UNUSABLE
    return None


@dataclass(frozen=True)
class SenderResolution:
    """The answer of `resolve_senders`: the policy mode, the allowed senders (empty with a
    `problem` when the user may not send), and `default`, the one implied when the request
    names none — None when the user may not send, and in `user_choice` when there are several
    to pick from (R-T2: there the request names it)."""

    mode: str  # SenderPolicyMode
    senders: tuple[Sender, ...]
    default: Sender | None
    problem: SenderProblem | None
    policy: SenderPolicy

    @property
    def can_send(self) -> bool:
        return self.problem is None and bool(self.senders)

    @property
    def user_picks(self) -> bool:
        """Only in `user_choice` does the user name the sender (R-T2)."""
        return self.mode == SenderPolicyMode.USER_CHOICE

    def choose(self, requested: Sender | None, user: User) -> Sender:
        """R-T2: the sender of a send request: the one the policy implies, or in `user_choice`
        the requested one if allowed. Raises the DomainError that explains the refusal."""
        if self.problem is not None:
            raise self.problem.as_error()
        if requested is None:
            if self.default is not None:
                return self.default
            raise DomainError(
                ErrorCode.SENDER_NOT_ALLOWED,
                _("Choose the sender of this SMS among those you may use."),
                field="sender",
            )
        for allowed in self.senders:
            if allowed.type == requested.type and _same_value(allowed, requested.value):
                return allowed
        raise _refusal(requested, self, user)

    def trace(self, sender: Sender) -> tuple[str, dict[str, Any]]:
        """Why `sender` was used (traceability, R-S4): a sentence for people and the facts as
        data — policy mode, the alias with its registration, or the number and its
        verification."""
        facts: dict[str, Any] = {"mode": self.mode, "type": sender.type, "value": sender.value}
        if sender.alias is not None:
            alias = sender.alias
            facts.update(
                alias_id=alias.id,
                alias_status=alias.status,
                alias_validated_at=_iso(alias.decided_at),
                alias_registered_at=_iso(alias.registered_at),
                alias_registry_reference=alias.registry_reference,
            )
            reason = (
                f"Policy {self.mode}: alias {alias.text!r} (#{alias.id}) validated "
                f"{_iso(alias.decided_at) or '?'}, registered {_iso(alias.registered_at) or '?'}"
                f" ({alias.registry_reference or 'no reference'})."
            )
        elif self.mode == SenderPolicyMode.SHARED_MOBILE:
            facts["number_verified_at"] = _iso(self.policy.shared_mobile_verified_at)
            reason = (
                f"Policy {self.mode}: the company's shared number {sender.value}, verified "
                f"{_iso(self.policy.shared_mobile_verified_at) or '?'}."
            )
        else:
            reason = f"Policy {self.mode}: the user's own verified mobile number {sender.value}."
        return reason, facts


def resolve_senders(
    user: User,
    *,
    policy: SenderPolicy | None = None,
    aliases: Iterable[SenderAlias] | None = None,
) -> SenderResolution:
    """R-S4: the senders `user` may use right now under their customer's policy, the default
    one, and if none, the reason (`communicator_not_enabled`, `no_sender_available`,
    `mobile_not_verified`, `policy_unusable`). `policy` and `aliases` (the customer's validated
    aliases) may be passed when already loaded, e.g. to preview a policy for many users."""
    if user.customer is None:
        empty = SenderPolicy(mode=SenderPolicyMode.OWN_MOBILE)
        return _none(empty, ErrorCode.COMMUNICATOR_NOT_ENABLED, _communicator_detail(user))
    if policy is None:
        policy = SenderPolicy.for_customer(user.customer)
    mode = policy.mode
    if not user.communicator_enabled:
        return _none(policy, ErrorCode.COMMUNICATOR_NOT_ENABLED, _communicator_detail(user))
    fault = policy_fault(policy, is_business=user.customer.is_business)
    if fault is not None:  # R-S2: blocked, never another sender in its place
        return _none(policy, ErrorCode.POLICY_UNUSABLE, _USER_FAULT_DETAILS[fault]())
    if mode == SenderPolicyMode.OWN_MOBILE:
        own = _own_mobile(user)
        if own is None:
            return _none(policy, *_own_mobile_problem(user))
        return _some(policy, [own])
    if mode == SenderPolicyMode.SHARED_MOBILE:
        return _some(policy, [Sender(SenderType.MOBILE, policy.shared_mobile_number)])
    if mode == SenderPolicyMode.SHARED_ALIAS:
        alias = policy.shared_alias
        assert alias is not None  # policy_fault checked it
        return _some(policy, [Sender(SenderType.ALIAS, alias.text, alias)])
    # R-S1 user_choice: the own verified number (if set) and every validated alias.
    validated = list(aliases) if aliases is not None else _validated_aliases(user)
    senders = [
        Sender(SenderType.ALIAS, alias.text, alias)
        for alias in validated
        if alias.is_usable and alias.customer_id == user.customer_id  # R-A11, R-C3
    ]
    own = _own_mobile(user)
    if own is not None:
        senders.insert(0, own)
    if not senders:
        return _none(policy, *_own_mobile_problem(user, aliases_too=True))
    # R-T2: with a choice to make, nothing is implied; with one sender, that one is.
    return _some(policy, senders, implied=len(senders) == 1)


def _consumer_mode_detail() -> str:
    return _(
        "Your company's SMS sender option is not available to private customers. "
        "An administrator must choose a mobile-number option in Communicator > SMS senders."
    )


def _shared_mobile_detail() -> str:
    return _(
        "Your company's shared mobile number is not verified, so no SMS can be sent. "
        "An administrator must verify it in Communicator > SMS senders."
    )


def _shared_alias_detail() -> str:
    return _(
        "Your company's shared alias can no longer be used (it is not validated), so "
        "no SMS can be sent. An administrator must choose another option in "
        "Communicator > SMS senders."
    )


# What a user who may not send reads, by fault of the policy (R-S2).
_USER_FAULT_DETAILS = {
    PolicyFault.CONSUMER_MODE: _consumer_mode_detail,
    PolicyFault.SHARED_MOBILE_UNVERIFIED: _shared_mobile_detail,
    PolicyFault.SHARED_ALIAS_UNUSABLE: _shared_alias_detail,
}


def _validated_aliases(user: User) -> list[SenderAlias]:
    return list(SenderAlias.objects.filter(customer=user.customer).usable().order_by("text", "id"))


def _own_mobile(user: User) -> Sender | None:
    if user.mobile_number and user.mobile_verified:
        return Sender(SenderType.MOBILE, user.mobile_number)
    return None


def _own_mobile_problem(user: User, *, aliases_too: bool = False) -> tuple[ErrorCode, str]:
    if user.mobile_number and not user.mobile_verified:
        return ErrorCode.MOBILE_NOT_VERIFIED, _(
            "Your mobile number is not verified yet: verify it with the code sent by SMS in "
            "Account Options."
        )
    if aliases_too:
        return ErrorCode.NO_SENDER_AVAILABLE, _(
            "You have no sender: set your mobile number in Account Options, or ask an "
            "administrator for a validated alias."
        )
    return ErrorCode.NO_SENDER_AVAILABLE, _(
        "Your SMS are sent from your own mobile number, which you have not set: set it in "
        "Account Options."
    )


def _communicator_detail(user: User) -> str:
    if not user.is_active:
        return _("Your user is not active, so you cannot use Communicator.")
    return _(
        "You cannot use Communicator: no IP Centrex extension is associated with your user. "
        "Ask an administrator of your company to associate one in Settings > Users."
    )


def _none(policy: SenderPolicy, code: ErrorCode, detail: str) -> SenderResolution:
    return SenderResolution(
        mode=policy.mode,
        senders=(),
        default=None,
        problem=SenderProblem(code, detail),
        policy=policy,
    )


def _some(
    policy: SenderPolicy, senders: Sequence[Sender], *, implied: bool = True
) -> SenderResolution:
    return SenderResolution(
        mode=policy.mode,
        senders=tuple(senders),
        default=senders[0] if implied else None,
        problem=None,
        policy=policy,
    )


def _same_value(allowed: Sender, value: str) -> bool:
    if allowed.type == SenderType.ALIAS:
        return allowed.value == value  # R-A1: case is kept exactly
    return allowed.value == _e164_or_none(value)


def _e164_or_none(value: str) -> str | None:
    from centrex.core.phones import normalize_phone_number

    try:
        return normalize_phone_number(value)
    except DomainError:
        return None


def _refusal(requested: Sender, resolution: SenderResolution, user: User) -> DomainError:
    """The most helpful refusal for a sender the user may not use (R-T2)."""
    if requested.type == SenderType.ALIAS:
        same_text = SenderAlias.objects.filter(customer=user.customer, text=requested.value)
        alias = same_text.exclude(pk__in=same_text.usable().values("pk")).first()  # R-A11
        if alias is not None and resolution.user_picks:
            return DomainError(
                ErrorCode.ALIAS_NOT_VALIDATED,
                _("The alias “%(alias)s” is not validated, so it cannot be used as a sender.")
                % {"alias": alias.text},
                field="sender",
            )
    elif (
        resolution.user_picks
        and user.mobile_number
        and not user.mobile_verified
        and _e164_or_none(requested.value) == user.mobile_number
    ):
        return DomainError(
            ErrorCode.MOBILE_NOT_VERIFIED,
            _("Your mobile number is not verified yet: verify it in Account Options."),
            field="sender",
        )
    return DomainError(
        ErrorCode.SENDER_NOT_ALLOWED,
        _("You may not send with this sender. Allowed: %(senders)s.")
        % {"senders": ", ".join(sender.value for sender in resolution.senders)},
        field="sender",
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None
