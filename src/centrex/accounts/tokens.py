"""The token of the links that set a password — the invitation's and the password reset's
(API.md "Invitations and password resets", issue 13).

A link works once and for a while: its token is Django's password-reset token (an HMAC of the
account's state with SECRET_KEY, and the time it was made), which stops holding
- once the password is set with it, or changed otherwise (the password's hash is in it), and
  once the person logs in (so is the last login);
- once a newer invitation is sent (`User.invited_at` is in it too): only the latest e-mail's
  link works;
- `settings.PASSWORD_RESET_TIMEOUT` after it was made (three days, as the e-mails say).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.tokens import PasswordResetTokenGenerator

if TYPE_CHECKING:
    from centrex.accounts.models import User


class PasswordLinkTokens(PasswordResetTokenGenerator):
    """Django's reset token with the latest invitation's time in its hash."""

    key_salt = "centrex.accounts.tokens.PasswordLinkTokens"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # In microseconds: SQLite and PostgreSQL keep them, and a resend within the same second
        # must still supersede the link before it.
        invited_at = user.invited_at
        invited = "" if invited_at is None else str(round(invited_at.timestamp() * 1_000_000))
        return f"{super()._make_hash_value(user, timestamp)}{invited}"


password_link_tokens = PasswordLinkTokens()
