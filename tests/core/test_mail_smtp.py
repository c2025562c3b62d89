"""E-mail over real SMTP (aiosmtpd): the invitation of Nuovo Utente (R-U3) as it leaves the
portal, and `EMAIL_URL=smtp://user:pass@host:port` as the settings read it."""

from __future__ import annotations

import re
import smtplib
from pathlib import Path
from typing import Any

import pytest
from django.core.mail import get_connection, send_mail
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext, override

from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.accounts.tokens import password_link_tokens
from centrex.config.environment import email_from_url
from centrex.customers.models import Customer
from tests.plugins.smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer

SET_PASSWORD_LINK = re.compile(r"https?://[^\s\"'<>]+/accounts/set-password/([^/\s]+)/([^/\s?]+)/")


def invite(customer: Customer, admin: User, *, email: str, language: str, capture: Any) -> User:
    with capture(execute=True):
        return create_user(
            customer,
            UserData(
                email=email,
                first_name="Elena",
                last_name="Gialli",
                role=Role.USER,
                language=language,
                extension="210",
            ),
            acting_user=admin,
        )


def test_invitation_arrives_over_smtp_with_text_and_html_parts(
    smtp_server: SmtpServer,
    alice: User,
    esempio: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given an admin creating a user without a password (R-U3)
    # when the transaction commits
    elena = invite(
        esempio,
        alice,
        email="elena@esempio.example",
        language="it",
        capture=django_capture_on_commit_callbacks,
    )

    # then exactly one message reached the SMTP server, addressed to her
    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["elena@esempio.example"]
    assert mail.message["To"] == "elena@esempio.example"
    assert mail.message.get_content_type() == "multipart/alternative"
    assert mail.text.strip() and mail.html.strip()
    # and both parts carry the same set-password link, valid for her
    text_link = SET_PASSWORD_LINK.search(mail.text)
    html_link = SET_PASSWORD_LINK.search(mail.html)
    assert text_link is not None and html_link is not None
    assert text_link.group(0) == html_link.group(0)
    uid, token = text_link.groups()
    assert force_str(urlsafe_base64_decode(uid)) == str(elena.pk)
    assert password_link_tokens.check_token(elena, token)


@pytest.mark.parametrize("language", ["it", "en"])
def test_invitation_is_written_in_the_recipients_language(
    language: str,
    smtp_server: SmtpServer,
    alice: User,
    esempio: Customer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given the texts of the invitation in the recipient's language
    with override(language):
        expected_text = gettext("Choose your password with this link (valid for 3 days):")
        expected_html = gettext("Choose your password")
    with override("it"):
        italian = gettext("Choose your password with this link (valid for 3 days):")
    # Italian is the portal's default: the catalogue must translate the invitation.
    assert italian != "Choose your password with this link (valid for 3 days):"

    # when an Italian admin (Alice) invites a user whose language is `language`
    invite(
        esempio,
        alice,
        email=f"elena.{language}@esempio.example",
        language=language,
        capture=django_capture_on_commit_callbacks,
    )

    # then the message is in the recipient's language, not the admin's
    [mail] = smtp_server.wait_for(1)
    assert expected_text in mail.text
    assert expected_html in mail.html
    other = {"it": "en", "en": "it"}[language]
    with override(other):
        assert gettext("Choose your password with this link (valid for 3 days):") not in mail.text


def test_email_url_with_credentials_configures_a_working_smtp_backend(
    smtp_server: SmtpServer, settings: Any, tmp_path: Path
) -> None:
    # given EMAIL_URL=smtp://user:pw@127.0.0.1:PORT as the settings read it
    config = email_from_url(smtp_server.url(SMTP_USER, SMTP_PASSWORD), tmp_path)
    settings.EMAIL_BACKEND = config.backend
    settings.EMAIL_HOST = config.host
    settings.EMAIL_PORT = config.port
    settings.EMAIL_HOST_USER = config.user
    settings.EMAIL_HOST_PASSWORD = config.password
    settings.EMAIL_USE_TLS = config.use_tls
    settings.EMAIL_USE_SSL = config.use_ssl

    # when Django sends a message
    sent = send_mail("Prova", "Messaggio di prova", None, ["prova@esempio.example"])

    # then it logged in with those credentials and the server received the message
    assert sent == 1
    [mail] = smtp_server.wait_for(1)
    assert smtp_server.logins == [(SMTP_USER, True)]
    assert mail.authenticated_as == SMTP_USER
    assert mail.rcpt_tos == ["prova@esempio.example"]
    assert mail.message["Subject"] == "Prova"
    assert mail.text.strip() == "Messaggio di prova"


def test_wrong_smtp_password_is_an_error_not_a_silent_loss(
    smtp_server: SmtpServer, tmp_path: Path
) -> None:
    # given EMAIL_URL with a wrong password
    config = email_from_url(smtp_server.url(SMTP_USER, "wrong"), tmp_path)
    connection = get_connection(
        config.backend,
        host=config.host,
        port=config.port,
        username=config.user,
        password=config.password,
        use_tls=config.use_tls,
        use_ssl=config.use_ssl,
    )

    # when a message is sent, then the failure surfaces (the task worker retries it)
    with pytest.raises(smtplib.SMTPAuthenticationError):
        send_mail("Prova", "Messaggio", None, ["prova@esempio.example"], connection=connection)
    assert smtp_server.logins and all(not accepted for _user, accepted in smtp_server.logins)
    assert smtp_server.messages == []
