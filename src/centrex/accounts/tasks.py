"""Background tasks of the accounts app: the password-reset e-mail, looked up and sent by the
worker so that the request page does the same work for every address (issue 13)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_password_reset(email: str, ip_address: str) -> None:
    """Send the reset link if an active account has this e-mail; nothing otherwise."""
    from centrex.accounts.actions import send_password_reset_link

    send_password_reset_link(email, ip_address=ip_address)
