"""One function per e-mail of the accounts app (subject, text and HTML templates)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from centrex.core.mail import send_email_after_commit

if TYPE_CHECKING:
    from centrex.accounts.models import User


def send_invitation(user: User, *, link: str, invited_by: User | None) -> None:
    send_email_after_commit(
        "accounts/emails/invitation",
        to=[user.email],
        language=user.language,
        context={"user": user, "link": link, "invited_by": invited_by, "customer": user.customer},
    )


def send_password_reset(user: User, *, link: str) -> None:
    send_email_after_commit(
        "accounts/emails/password_reset",
        to=[user.email],
        language=user.language,
        context={"user": user, "link": link},
    )
