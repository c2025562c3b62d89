"""Domain errors with the stable codes of API.md; the API maps them to problem+json,
pages to form errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ErrorCode(StrEnum):
    """Every machine-readable error code of API.md, with its HTTP status."""

    MALFORMED_REQUEST = "malformed_request"
    INVALID_CREDENTIALS = "invalid_credentials"
    NOT_AUTHENTICATED = "not_authenticated"
    MFA_REQUIRED = "mfa_required"
    PERMISSION_DENIED = "permission_denied"
    ALIAS_CONSUMER_NOT_ALLOWED = "alias_consumer_not_allowed"
    COMMUNICATOR_NOT_ENABLED = "communicator_not_enabled"
    MFA_SETUP_REQUIRED = "mfa_setup_required"
    NOT_FOUND = "not_found"
    EMAIL_TAKEN = "email_taken"
    EXTENSION_UNAVAILABLE = "extension_unavailable"
    LAST_ADMIN = "last_admin"
    ALIAS_DUPLICATE = "alias_duplicate"
    ALIAS_TAKEN = "alias_taken"
    INVALID_TRANSITION = "invalid_transition"
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"
    DEVICE_LIMIT = "device_limit"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    VALIDATION_ERROR = "validation_error"
    INVALID_VAT_NUMBER = "invalid_vat_number"
    INVALID_TAX_CODE = "invalid_tax_code"
    INVALID_PHONE_NUMBER = "invalid_phone_number"
    NOT_A_MOBILE_NUMBER = "not_a_mobile_number"
    ALIAS_EMPTY = "alias_empty"
    ALIAS_TOO_LONG = "alias_too_long"
    ALIAS_INVALID_CHARACTERS = "alias_invalid_characters"
    ALIAS_NO_LETTER = "alias_no_letter"
    ALIAS_BAD_SPACING = "alias_bad_spacing"
    ALIAS_LOOKS_LIKE_PHONE_NUMBER = "alias_looks_like_phone_number"
    ALIAS_RESERVED = "alias_reserved"
    ALIAS_GENERIC = "alias_generic"
    CONSENT_REQUIRED = "consent_required"
    CODE_INVALID = "code_invalid"
    CODE_EXPIRED = "code_expired"
    CODE_ATTEMPTS_EXCEEDED = "code_attempts_exceeded"
    NO_SENDER_AVAILABLE = "no_sender_available"
    SENDER_NOT_ALLOWED = "sender_not_allowed"
    MOBILE_NOT_VERIFIED = "mobile_not_verified"
    ALIAS_NOT_VALIDATED = "alias_not_validated"
    POLICY_UNUSABLE = "policy_unusable"
    TOO_MANY_RECIPIENTS = "too_many_recipients"
    INVALID_RECIPIENT = "invalid_recipient"
    TEXT_EMPTY = "text_empty"
    TEXT_TOO_LONG = "text_too_long"
    THROTTLED = "throttled"
    CODE_RESEND_TOO_SOON = "code_resend_too_soon"
    SERVICE_UNAVAILABLE = "service_unavailable"

    @property
    def http_status(self) -> int:
        return _STATUS_BY_CODE.get(self, 422)


_STATUS_BY_CODE: dict[ErrorCode, int] = {
    ErrorCode.MALFORMED_REQUEST: 400,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.MFA_REQUIRED: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.ALIAS_CONSUMER_NOT_ALLOWED: 403,
    ErrorCode.COMMUNICATOR_NOT_ENABLED: 403,
    ErrorCode.MFA_SETUP_REQUIRED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.EMAIL_TAKEN: 409,
    ErrorCode.EXTENSION_UNAVAILABLE: 409,
    ErrorCode.LAST_ADMIN: 409,
    ErrorCode.ALIAS_DUPLICATE: 409,
    ErrorCode.ALIAS_TAKEN: 409,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.IDEMPOTENCY_CONFLICT: 409,
    ErrorCode.DEVICE_LIMIT: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.THROTTLED: 429,
    ErrorCode.CODE_RESEND_TOO_SOON: 429,
    # The database is away or too busy to answer in time (issue 13): retry after Retry-After.
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}

# When one request breaks several rules, `code` is the first in API.md's table order.
CODE_PRIORITY: dict[ErrorCode, int] = {code: index for index, code in enumerate(ErrorCode)}


@dataclass(frozen=True)
class FieldError:
    """One broken rule on one input field (API.md `errors[]`)."""

    field: str | None
    code: ErrorCode
    message: str | Promise


class DomainError(Exception):
    """A rule was broken. `code` is stable; `message` tells the user what to do next."""

    def __init__(
        self,
        code: ErrorCode,
        message: str | Promise,
        *,
        field: str | None = None,
        errors: Iterable[FieldError] = (),
        retry_after: int | None = None,
    ) -> None:
        self.code = ErrorCode(code)
        self.message = message
        self.field = field
        self.errors = list(errors) or [FieldError(field, self.code, message)]
        self.retry_after = retry_after
        super().__init__(str(message))

    @property
    def http_status(self) -> int:
        return self.code.http_status

    @classmethod
    def from_errors(cls, errors: Iterable[FieldError]) -> DomainError:
        """One error for several broken rules: the first code in API.md's order leads."""
        collected = list(errors)
        if not collected:
            raise ValueError("from_errors needs at least one error")
        lead = min(collected, key=lambda e: CODE_PRIORITY[e.code])
        return cls(lead.code, lead.message, field=lead.field, errors=collected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": str(self.code),
            "detail": str(self.message),
            "errors": [
                {"field": e.field, "code": str(e.code), "message": str(e.message)}
                for e in self.errors
            ],
        }


class NotFound(DomainError):
    """Missing, or another customer's: the same answer for both (R-C3)."""

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(
            ErrorCode.NOT_FOUND,
            message or _("This item does not exist or is not yours to see."),
        )


class PermissionDenied(DomainError):
    """The caller's role is too low for an object they may know about."""

    def __init__(self, message: str | Promise | None = None) -> None:
        super().__init__(
            ErrorCode.PERMISSION_DENIED,
            message
            or _(
                "Your role does not allow this. A customer's users are managed by its "
                "administrators; the back office is for the provider's operators."
            ),
        )
