"""Operations on users: the only place that changes a user's state (STYLE 2)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.functional import Promise
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from centrex.accounts import emails, mfa
from centrex.accounts.access import is_admin_of
from centrex.accounts.models import (
    ApiToken,
    Language,
    MfaRequirement,
    RecoveryCode,
    Role,
    SignInPolicy,
    TokenScope,
    TwoStepVerification,
    User,
    hash_token,
)
from centrex.accounts.tokens import password_link_tokens
from centrex.core.audit import record_audit
from centrex.core.errors import DomainError, ErrorCode, FieldError, PermissionDenied
from centrex.core.throttling import count_event, forget_events, seconds_until_all_allowed
from centrex.customers.models import Customer, Extension

UNSET = object()


def _validation(field: str, message: object) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, message, field=field)  # type: ignore[arg-type]


def normalize_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _validation(
            "email", _("Enter a valid e-mail address, such as name@company.it.")
        ) from None
    return email


def _clean_name(value: str, field: str) -> str:
    name = " ".join((value or "").split())
    if len(name) > 100:
        raise _validation(field, _("At most 100 characters."))
    return name


def _clean_choice(value: str, choices: type[Role] | type[Language], field: str) -> str:
    if value not in choices.values:
        raise _validation(
            field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
        )
    return value


def _require_admin_of(acting_user: User, customer: Customer) -> None:
    """Operators manage everyone; a customer's admin manages their own customer's users."""
    if not is_admin_of(acting_user, customer):
        raise PermissionDenied()


def _extension_unavailable(number: str) -> DomainError:
    return DomainError(
        ErrorCode.EXTENSION_UNAVAILABLE,
        _(
            "Extension %(number)s cannot be associated: it does not exist for your company or "
            "another user already has it. Choose one of your free extensions."
        )
        % {"number": number},
        field="extension",
    )


def _free_extension(customer: Customer, number: str, *, for_user: User | None) -> Extension:
    """The customer's extension `number`, locked, if free or already this user's (R-U5)."""
    try:
        extension = (
            Extension.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(customer=customer, number=str(number).strip())
        )
    except Extension.DoesNotExist:
        raise _extension_unavailable(number) from None
    holder = getattr(extension, "user", None)
    if holder is not None and (for_user is None or holder.pk != for_user.pk):
        raise _extension_unavailable(number)
    return extension


def _lock_customer(customer: Customer) -> Customer:
    """Serialise changes to one customer's users (the last-admin rule, R-U7)."""
    return Customer.objects.select_for_update().get(pk=customer.pk)


def _ensure_another_admin_remains(user: User) -> None:
    """R-U7: the last active admin keeps the role and stays active."""
    others = User.objects.active_admins_of(user.customer).exclude(pk=user.pk)  # type: ignore[arg-type]
    if not others.exists():
        raise DomainError(
            ErrorCode.LAST_ADMIN,
            _(
                "%(name)s is the last active administrator of the company. Make another user "
                "an administrator first."
            )
            % {"name": user},
            field="role",
        )


def invitation_link(user: User, *, purpose: str = "invite") -> str:
    """The one-time link to set a password (valid PASSWORD_RESET_TIMEOUT; accounts/tokens.py)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_link_tokens.make_token(user)
    return f"{settings.CENTREX_BASE_URL}/accounts/set-password/{uid}/{token}/?purpose={purpose}"


def _send_invitation(user: User, acting_user: User | None) -> None:
    user.invited_at = timezone.now()
    user.save(update_fields=["invited_at"])
    emails.send_invitation(user, link=invitation_link(user), invited_by=acting_user)


@dataclass
class UserData:
    """What an admin enters in Nuovo Utente / Modifica Utente (R-U3, R-U4)."""

    email: str
    first_name: str = ""
    last_name: str = ""
    role: str = Role.USER
    language: str = Language.ITALIAN
    extension: str | None = None


@transaction.atomic
def create_user(
    customer: Customer,
    data: UserData,
    *,
    acting_user: User,
    password: str | None = None,
) -> User:
    """Nuovo Utente (R-U3): create the user, associate the extension if given, and e-mail an
    invitation to set the password (unless an operator sets one now)."""
    _require_admin_of(acting_user, customer)
    errors: list[FieldError] = []
    fields: dict[str, str] = {}
    for name, check in (
        ("email", lambda: normalize_email(data.email)),
        ("first_name", lambda: _clean_name(data.first_name, "first_name")),
        ("last_name", lambda: _clean_name(data.last_name, "last_name")),
        ("role", lambda: _clean_choice(data.role, Role, "role")),
        ("language", lambda: _clean_choice(data.language, Language, "language")),
    ):
        try:
            fields[name] = check()
        except DomainError as error:
            errors.extend(error.errors)
    if errors:
        raise DomainError.from_errors(errors)
    _lock_customer(customer)
    if User.objects.filter(email=fields["email"]).exists():
        raise _email_taken(fields["email"])
    user = User(customer=customer, **fields)
    if data.extension:
        user.extension = _free_extension(customer, data.extension, for_user=None)
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # A concurrent request took the e-mail or the extension between our check and save.
        if User.objects.filter(email=fields["email"]).exists():
            raise _email_taken(fields["email"]) from None
        raise _extension_unavailable(data.extension or "") from None
    record_audit(
        "user.created",
        actor=acting_user,
        target=user,
        data={"role": user.role, "extension": data.extension or None},
    )
    if not password:
        _send_invitation(user, acting_user)
    return user


@dataclass(frozen=True)
class ImportedLine:
    """One line of a users' CSV (`accounts.user_import`): its number in the file (the header
    is line 1), what it asks for, and what reading it already found wrong (a role word that
    is neither «amministratore» nor «utente», say)."""

    number: int
    data: UserData
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class LineProblem:
    """What is wrong with one line of the file, in the admin's words."""

    number: int
    messages: tuple[str, ...]


class UsersNotImported(DomainError):
    """Some lines of the file are wrong: nothing was imported (issue 14). `problems` lists
    every bad line, in file order."""

    def __init__(self, problems: list[LineProblem]) -> None:
        self.problems = problems
        super().__init__(
            ErrorCode.VALIDATION_ERROR,
            _("Nothing was imported: correct these lines and import the file again."),
        )


# Which column of the file each of create_user's fields is, to say where a problem is.
IMPORT_COLUMNS = {
    "email": _("e-mail"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "role": _("role"),
    "extension": _("extension"),
}


def _line_messages(error: DomainError) -> tuple[str, ...]:
    return tuple(
        f"{IMPORT_COLUMNS[item.field]}: {item.message}"
        if item.field in IMPORT_COLUMNS
        else str(item.message)
        for item in error.errors
    )


def _repeats_in_file(lines: list[ImportedLine]) -> dict[int, list[str]]:
    """An e-mail or an extension on an earlier line of the same file (R-U5: one extension,
    one user), by line number."""
    found: dict[int, list[str]] = {}
    first_email: dict[str, int] = {}
    first_extension: dict[str, int] = {}
    for line in lines:
        email = (line.data.email or "").strip().lower()
        extension = (line.data.extension or "").strip()
        if email and email in first_email:
            found.setdefault(line.number, []).append(
                _("e-mail: %(email)s is also on line %(line)d; each user once.")
                % {"email": email, "line": first_email[email]}
            )
        first_email.setdefault(email, line.number)
        if extension and extension in first_extension:
            found.setdefault(line.number, []).append(
                _("extension: %(number)s is also on line %(line)d; one extension, one user.")
                % {"number": extension, "line": first_extension[extension]}
            )
        first_extension.setdefault(extension, line.number)
    return found


def import_users(customer: Customer, lines: list[ImportedLine], *, acting_user: User) -> list[User]:
    """Impostazioni > Utenti > «Importa da CSV» (issue 14): every line is a Nuovo Utente
    (R-U3–U5: `create_user`, its rules, its audit row and its invitation), all in one
    transaction. Every line is checked; if any is wrong nothing is kept and no invitation
    leaves (they go after commit), and `UsersNotImported` lists every bad line."""
    _require_admin_of(acting_user, customer)
    repeats = _repeats_in_file(lines)
    problems: list[LineProblem] = []
    created: list[User] = []
    with transaction.atomic():
        for line in lines:
            messages = [*line.problems]
            if line.number in repeats:
                # Checked as a Nuovo Utente it would only repeat "already has an account".
                messages.extend(repeats[line.number])
            else:
                try:
                    created.append(create_user(customer, line.data, acting_user=acting_user))
                except DomainError as error:
                    messages.extend(_line_messages(error))
            if messages:
                problems.append(LineProblem(line.number, tuple(str(m) for m in messages)))
        if problems:
            # Undo every user made so far; their invitations were waiting for the commit.
            transaction.set_rollback(True)
        else:
            record_audit(
                "user.imported",
                actor=acting_user,
                target=customer,
                customer_id=customer.pk,
                data={"users": len(created), "lines": len(lines)},
            )
    if problems:
        raise UsersNotImported(problems)
    return created


def _email_taken(email: str) -> DomainError:
    return DomainError(
        ErrorCode.EMAIL_TAKEN,
        _("%(email)s already has an account. Use another e-mail address.") % {"email": email},
        field="email",
    )


def _check_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError.from_errors(
            FieldError("password", ErrorCode.VALIDATION_ERROR, message)
            for message in error.messages
        ) from None


@transaction.atomic
def update_user(
    user: User,
    *,
    acting_user: User,
    email: str | object = UNSET,
    first_name: str | object = UNSET,
    last_name: str | object = UNSET,
    role: str | object = UNSET,
    language: str | object = UNSET,
    extension: str | object | None = UNSET,
    is_active: bool | object = UNSET,
) -> User:
    """Modifica Utente (R-U4): change the given fields only. `extension=None` or "" dissociates
    the extension; another number associates it (R-U5). Protects the last admin (R-U7)."""
    customer = user.customer
    assert customer is not None
    _require_admin_of(acting_user, customer)
    _lock_customer(customer)
    user = User.objects.select_for_update().get(pk=user.pk)
    before = {"role": user.role, "is_active": user.is_active, "extension": _number(user)}
    errors: list[FieldError] = []
    try:
        if email is not UNSET:
            new_email = normalize_email(str(email))
            if new_email != user.email:
                if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
                    raise _email_taken(new_email)
                user.email = new_email
        if first_name is not UNSET:
            user.first_name = _clean_name(str(first_name), "first_name")
        if last_name is not UNSET:
            user.last_name = _clean_name(str(last_name), "last_name")
        if language is not UNSET:
            user.language = _clean_choice(str(language), Language, "language")
        if role is not UNSET:
            user.role = _clean_choice(str(role), Role, "role")
    except DomainError as error:
        errors.extend(error.errors)
    if errors:
        raise DomainError.from_errors(errors)
    if is_active is not UNSET:
        if not isinstance(is_active, bool):
            raise _validation("is_active", _("Use true or false."))
        user.is_active = is_active
    losing_admin = (
        before["role"] == Role.ADMIN
        and before["is_active"]
        and (user.role != Role.ADMIN or not user.is_active)
    )
    if losing_admin:
        _ensure_another_admin_remains(user)
    if extension is not UNSET:
        if extension in (None, ""):
            user.extension = None
        else:
            user.extension = _free_extension(customer, str(extension), for_user=user)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise _extension_unavailable(str(extension)) from None
    after = {"role": user.role, "is_active": user.is_active, "extension": _number(user)}
    if after != before:
        record_audit(
            "user.updated", actor=acting_user, target=user, data={"before": before, "after": after}
        )
    if before["is_active"] and not user.is_active:
        revoke_api_tokens(user)
    return user


def _number(user: User) -> str | None:
    return user.extension.number if user.extension_id and user.extension else None


def deactivate_user(user: User, *, acting_user: User) -> User:
    """DELETE /users/{id}: the account stays (history), but cannot log in; its extension is
    released so Communicator is disabled (R-U6)."""
    return update_user(user, acting_user=acting_user, is_active=False, extension=None)


@transaction.atomic
def resend_invitation(user: User, *, acting_user: User) -> None:
    assert user.customer is not None
    _require_admin_of(acting_user, user.customer)
    if user.has_usable_password():
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            _("This user has already set a password. They can use “Forgot password?”."),
        )
    _send_invitation(user, acting_user)
    record_audit("user.invitation_resent", actor=acting_user, target=user)


@transaction.atomic
def set_password_with_token(user: User, password: str) -> User:
    """Accepting an invitation or a reset: the token was checked by the caller."""
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_audit("user.password_set", actor=user, target=user)
    return user


@transaction.atomic
def change_own_password(user: User, *, current: str, new: str) -> User:
    """Opzioni Account (R-U9): needs the current password."""
    if not user.check_password(current):
        raise DomainError(
            ErrorCode.INVALID_CREDENTIALS,
            _("The current password is not right. Type it again."),
            field="current_password",
        )
    _check_password(new, user)
    user.set_password(new)
    user.save(update_fields=["password"])
    record_audit("user.password_changed", actor=user, target=user)
    return user


@transaction.atomic
def update_own_account(
    user: User,
    *,
    language: str | object = UNSET,
    first_name: str | object = UNSET,
    last_name: str | object = UNSET,
) -> User:
    """Opzioni Account / PATCH /me: what every user may change of their own account."""
    if language is not UNSET:
        user.language = _clean_choice(str(language), Language, "language")
    if first_name is not UNSET:
        user.first_name = _clean_name(str(first_name), "first_name")
    if last_name is not UNSET:
        user.last_name = _clean_name(str(last_name), "last_name")
    user.save(update_fields=["language", "first_name", "last_name"])
    return user


def set_mobile_number(user: User, number: str, *, verified: bool, acting_user: User) -> User:
    """Store the user's own mobile number (E.164; "" for none) and whether it is verified
    (R-U9, R-M1–M3): the one writer of `User.mobile_number` and `User.mobile_verified`. Its
    caller, `centrex.verification.actions`, proves the number by SMS, locks the user's row
    first and writes the audit row (with the code's id). A number is one's own: `acting_user`
    must be `user`. No number is never verified."""
    if acting_user.pk != user.pk:
        raise PermissionDenied()
    user.mobile_number = number
    user.mobile_verified = bool(number) and verified
    user.save(update_fields=["mobile_number", "mobile_verified"])
    return user


def request_password_reset(email: str, *, ip_address: str) -> None:
    """The "Password dimenticata?" request: the same answer and the same work whether or not an account has
    this e-mail, so nobody can learn who has one — the look-up and the e-mail are the worker's
    (`tasks.send_password_reset`). Throttled per e-mail and per client address as login is
    (`throttled` with the wait; the same for every e-mail, known or not)."""
    from centrex.accounts.tasks import send_password_reset

    address = (email or "").strip().lower()
    if wait := _wait_for(
        ("password_reset", address, settings.CENTREX_PASSWORD_RESET_MAX_PER_EMAIL),
        ("password_reset_ip", ip_address, settings.CENTREX_PASSWORD_RESET_MAX_PER_ADDRESS),
        window=settings.CENTREX_PASSWORD_RESET_WINDOW_SECONDS,
    ):
        raise _throttled(
            wait, _("Too many requests for a new password. Try again in %(minutes)d minutes.")
        )
    with transaction.atomic():
        count_event("password_reset", address)
        count_event("password_reset_ip", ip_address)
        transaction.on_commit(lambda: send_password_reset.enqueue(address, ip_address))


@transaction.atomic
def send_password_reset_link(email: str, *, ip_address: str) -> None:
    """The reset e-mail, if an active account has this (normalized) e-mail."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return
    emails.send_password_reset(user, link=invitation_link(user, purpose="reset"))
    record_audit("user.password_reset_requested", actor=None, target=user, ip_address=ip_address)


def _wait_for(*limits: tuple[str, str, int], window: int) -> int:
    """The seconds until every throttle `(scope, key, limit)` of a `window` in seconds allows
    one more event; 0 now."""
    return seconds_until_all_allowed(limits, window=timedelta(seconds=window))


def _throttled(seconds: int, message: Promise) -> DomainError:
    """`throttled` for `seconds`, saying the wait in minutes (`message` has `%(minutes)d`)."""
    return DomainError(
        ErrorCode.THROTTLED,
        message % {"minutes": max(1, (seconds + 59) // 60)},
        retry_after=seconds,
    )


_LOGIN_THROTTLED = _(
    "Too many failed logins. Try again in %(minutes)d minutes or reset your password."
)


def _login_wait(address: str, ip_address: str) -> int:
    return _wait_for(
        ("login_email", address, settings.CENTREX_LOGIN_MAX_FAILURES_PER_EMAIL),
        ("login_ip", ip_address, settings.CENTREX_LOGIN_MAX_FAILURES_PER_ADDRESS),
        window=settings.CENTREX_LOGIN_WINDOW_SECONDS,
    )


def _count_login_failure(address: str, ip_address: str) -> None:
    with transaction.atomic():
        count_event("login_email", address)
        count_event("login_ip", ip_address)


def authenticate_login(
    email: str,
    password: str,
    *,
    ip_address: str,
    otp: str | None = None,
    user_agent: str = "",
    channel: str = "api",
) -> User:
    """Check credentials under the login throttle (API.md: 10 failures per e-mail or 50 per
    address in 15 minutes answer 429 until the window ends, even for the right password).

    R-Z2: for a person with two-step verification on, the password alone answers
    `mfa_required` (nothing counted, nothing forgotten: the failures so far stay counted, so
    guessing codes after the right password is throttled too); with `otp`, a current code or
    an unused recovery code is needed, a wrong one counts as a failed login.

    R-Z4: each sign-in and each failed attempt is in the activity trail, with the address and
    the user agent (`channel`: `api` or `page`)."""
    address = (email or "").strip().lower()
    if wait := _login_wait(address, ip_address):
        raise _throttled(wait, _LOGIN_THROTTLED)
    user = User.objects.select_related("customer").filter(email=address).first()
    valid = (
        user is not None
        and user.check_password(password)
        and user.is_active
        and (user.customer is None or user.customer.is_active)
    )
    if not valid or user is None:
        if user is None:
            # Same work as a real check, so timing does not tell which e-mails exist.
            User().set_password(password)
        _count_login_failure(address, ip_address)
        _record_sign_in_failure(address, user, "password", ip_address, user_agent, channel)
        raise DomainError(
            ErrorCode.INVALID_CREDENTIALS,
            _("E-mail or password is not right. Check them and try again."),
        )
    two_step = mfa_enabled(user)
    if two_step:
        if otp is None:
            raise DomainError(
                ErrorCode.MFA_REQUIRED,
                _(
                    "Two-step verification is on: send the 6-digit code of your authenticator "
                    "app (or a recovery code) as otp."
                ),
            )
        if not check_second_factor(user, otp):
            _count_login_failure(address, ip_address)
            _record_sign_in_failure(address, user, "code", ip_address, user_agent, channel)
            raise DomainError(
                ErrorCode.INVALID_CREDENTIALS,
                _("The code is not right or was already used. Enter the code the app shows now."),
            )
    forget_events("login_email", address)
    _record_sign_in(user, ip_address, user_agent, channel, two_step=two_step)
    return user


# R-Z4: as much of a browser's or client's user agent as the trail keeps.
USER_AGENT_KEPT = 300


def _record_sign_in(
    user: User, ip_address: str, user_agent: str, channel: str, *, two_step: bool
) -> None:
    """A successful sign-in, by the page or for an API token (R-Z4): in the activity trail,
    and as `User.last_login`, the «Ultimo accesso» of Impostazioni > Utenti — Django sets it
    only for a page's session, so an API client's sign-in would not count otherwise. An update
    of the one column: it changes no identity (communicator.identity) and no other field."""
    user.last_login = timezone.now()
    User.objects.filter(pk=user.pk).update(last_login=user.last_login)
    record_audit(
        "user.signed_in",
        actor=user,
        target=user,
        ip_address=ip_address,
        data={"channel": channel, "user_agent": user_agent[:USER_AGENT_KEPT], "two_step": two_step},
    )


def _record_sign_in_failure(
    address: str,
    user: User | None,
    reason: str,
    ip_address: str,
    user_agent: str,
    channel: str,
) -> None:
    """A failed attempt: in the trail of the customer whose user it named (an unknown e-mail
    only in the operators'), with the e-mail typed, never the password or the code."""
    record_audit(
        "user.sign_in_failed",
        actor=None,
        target=user,
        reason=reason,
        ip_address=ip_address,
        data={
            "email": address[:254],
            "channel": channel,
            "user_agent": user_agent[:USER_AGENT_KEPT],
        },
    )


def complete_two_step_login(
    user: User, code: str, *, ip_address: str, user_agent: str = ""
) -> User:
    """The sign-in page's second step (R-Z2), once the password was right: the code, under the
    same throttle as the password; in the activity trail like every sign-in (R-Z4)."""
    address = user.email
    wait = _login_wait(address, ip_address)
    if wait:
        raise _throttled(wait, _LOGIN_THROTTLED)
    if not check_second_factor(user, code):
        _count_login_failure(address, ip_address)
        _record_sign_in_failure(address, user, "code", ip_address, user_agent, "page")
        raise DomainError(
            ErrorCode.INVALID_CREDENTIALS,
            _("The code is not right or was already used. Enter the code the app shows now."),
            field="code",
        )
    forget_events("login_email", address)
    _record_sign_in(user, ip_address, user_agent, "page", two_step=True)
    return user


@transaction.atomic
def issue_api_token(user: User, *, scope: str = TokenScope.FULL) -> tuple[str, ApiToken]:
    """A new bearer token; the raw value is returned once and only its hash is stored."""
    raw = "cx_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        token_hash=hash_token(raw),
        scope=scope,
        expires_at=timezone.now() + timedelta(days=settings.CENTREX_API_TOKEN_DAYS),
    )
    return raw, token


@transaction.atomic
def revoke_own_api_token(token: ApiToken, *, acting_user: User, ip_address: str | None) -> None:
    """Opzioni Account > «Revoca» and DELETE /me/tokens/{id} (issue 14): a person ends one of
    their own API tokens; the client holding it is signed out at its next request. Audited
    (the token's creation time says which one it was, never its value)."""
    if token.user_id != acting_user.pk:
        raise PermissionDenied()
    record_audit(
        "user.api_token_revoked",
        actor=acting_user,
        target=acting_user,
        ip_address=ip_address,
        data={"token_id": token.pk, "created_at": token.created_at.isoformat()},
    )
    token.delete()


def revoke_api_tokens(user: User) -> int:
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def revoke_api_token(user: User, raw: str) -> bool:
    """Log out one API client: forget the token it sent (DELETE /auth/token). True if it
    existed."""
    deleted, _ = ApiToken.objects.filter(user=user, token_hash=hash_token(raw)).delete()
    return deleted > 0


# --- Two-step verification (R-Z1–Z3) -------------------------------------------------------


@dataclass(frozen=True)
class TotpSetup:
    """A secret being set up: shown as text and as the `otpauth://` QR code (R-Z1)."""

    secret: str
    otpauth_uri: str


def _two_step(user: User) -> TwoStepVerification | None:
    return TwoStepVerification.objects.filter(user=user).first()


def mfa_enabled(user: User) -> bool:
    """Whether the person's sign-in needs a code (R-Z2)."""
    found = _two_step(user)
    return found is not None and found.is_on


def mfa_must_be_set_up(user: User) -> bool:
    """R-Z3: the customer requires it of this person (or CENTREX_OPERATOR_MFA=required of an
    operator) and it is not on yet."""
    if mfa_enabled(user):
        return False
    if user.is_operator:
        return bool(settings.CENTREX_OPERATOR_MFA == "required")
    requirement = mfa_requirement_of(user.customer) if user.customer else MfaRequirement.NONE
    return requirement == MfaRequirement.EVERYONE or (
        requirement == MfaRequirement.ADMINS and user.is_customer_admin
    )


def mfa_requirement_of(customer: Customer) -> str:
    """Who of the customer must use two-step verification (R-Z3); no policy row: nobody."""
    policy = SignInPolicy.objects.filter(customer=customer).first()
    return policy.mfa_required if policy is not None else MfaRequirement.NONE


@transaction.atomic
def set_mfa_requirement(customer: Customer, requirement: str, *, acting_user: User) -> str:
    """R-Z3: a customer's admin requires two-step verification of its admins, of everyone, or
    of nobody; whoever must and has not set it up is led to it at the next sign-in. Audited."""
    _require_admin_of(acting_user, customer)
    if requirement not in MfaRequirement.values:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            _("Choose who must use two-step verification: none, admins or everyone."),
            field="mfa_required",
        )
    _lock_customer(customer)
    policy, _created = SignInPolicy.objects.get_or_create(customer=customer)
    if policy.mfa_required != requirement:
        previous = policy.mfa_required
        policy.mfa_required = requirement
        policy.save(update_fields=["mfa_required", "updated_at"])
        record_audit(
            "customer.mfa_required_changed",
            actor=acting_user,
            target=customer,
            customer_id=customer.pk,
            from_state=previous,
            to_state=requirement,
        )
    return requirement


def _code_invalid() -> DomainError:
    return DomainError(
        ErrorCode.CODE_INVALID,
        _("This code is not right or was already used: enter the 6 digits the app shows now."),
        field="code",
    )


@transaction.atomic
def start_totp(user: User) -> TotpSetup:
    """A new secret to scan (R-Z1). Not on until a first code confirms it; starting again
    replaces the secret being set up, and a confirmed one stays until then."""
    secret = mfa.new_secret()
    record, _created = TwoStepVerification.objects.select_for_update().get_or_create(user=user)
    record.pending_secret = mfa.seal(secret)
    record.save(update_fields=["pending_secret", "updated_at"])
    return TotpSetup(secret=secret, otpauth_uri=mfa.provisioning_uri(secret, user.email))


@transaction.atomic
def confirm_totp(user: User, code: str, *, ip_address: str | None = None) -> list[str]:
    """Turn two-step verification on with the first code of the secret being set up (R-Z1);
    answers the ten recovery codes, shown this once (only their hashes are kept). A token
    limited to the set-up (R-Z3) becomes a full one."""
    record = TwoStepVerification.objects.select_for_update().filter(user=user).first()
    if record is None or not record.pending_secret:
        raise DomainError(
            ErrorCode.CODE_INVALID,
            _("Start setting up two-step verification first: scan the new QR code."),
            field="code",
        )
    step = mfa.matching_step(
        mfa.unseal(record.pending_secret), code, at=timezone.now().timestamp(), after=0
    )
    if step is None:
        raise _code_invalid()
    record.secret, record.pending_secret = record.pending_secret, ""
    record.confirmed_at = timezone.now()
    record.last_step = step
    record.save()
    codes = mfa.new_recovery_codes()
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=h) for h in codes.hashes)
    ApiToken.objects.filter(user=user, scope=TokenScope.MFA_SETUP).update(scope=TokenScope.FULL)
    record_audit("user.mfa_enabled", actor=user, target=user, ip_address=ip_address)
    return codes.shown


@transaction.atomic
def check_second_factor(user: User, code: str) -> bool:
    """A current code (each accepted once: R-Z1) or an unused recovery code, which is then
    used up. False for anything else, and for a person without two-step verification."""
    record = TwoStepVerification.objects.select_for_update().filter(user=user).first()
    if record is None or not record.is_on:
        return False
    try:
        secret = mfa.unseal(record.secret)
    except mfa.SecretUnreadable:
        secret = None  # SECRET_KEY rotated: only a recovery code (or a reset) helps now
    if secret is not None:
        step = mfa.matching_step(
            secret, code, at=timezone.now().timestamp(), after=record.last_step
        )
        if step is not None:
            record.last_step = step
            record.save(update_fields=["last_step", "updated_at"])
            return True
    if not mfa.looks_like_recovery_code(code):
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hash=mfa.recovery_code_hash(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return used == 1


def _turn_off(user: User) -> None:
    TwoStepVerification.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


@transaction.atomic
def disable_mfa(user: User, code: str, *, ip_address: str | None = None) -> None:
    """Turn it off with a current code or a recovery code (R-Z1)."""
    if not check_second_factor(user, code):
        raise _code_invalid()
    _turn_off(user)
    record_audit("user.mfa_disabled", actor=user, target=user, ip_address=ip_address)


@transaction.atomic
def reset_mfa(user: User, *, acting_user: User, ip_address: str | None = None) -> None:
    """R-Z3: a customer's admin resets one of its users' two-step verification (a lost phone),
    an operator any customer user's; the person sets it up again at the next sign-in if it is
    required. Audited."""
    if user.pk == acting_user.pk:
        raise PermissionDenied(_("Turn your own two-step verification off in Opzioni Account."))
    if not acting_user.is_operator:
        if user.customer is None:
            raise PermissionDenied()
        _require_admin_of(acting_user, user.customer)
    elif user.is_operator:
        raise PermissionDenied()
    _turn_off(user)
    record_audit("user.mfa_reset", actor=acting_user, target=user, ip_address=ip_address)
