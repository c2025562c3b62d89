"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 and a free port, with Django's SMTP
backend pointed at it for the duration of one test.

The conftest keeps e-mail in memory (`EMAIL_URL=memory`); a test that wants to see what really
goes over the wire (the invitation of the e2e tests, `EMAIL_URL=smtp://…`) takes `smtp_server`.
The server accepts mail without authentication, and AUTH PLAIN/LOGIN without TLS (loopback only)
for `SMTP_USER` / `SMTP_PASSWORD`, so an `smtp://user:pw@…` URL can be tested end to end.
Loaded with `-p tests.plugins.smtp` (pyproject's addopts).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

SMTP_USER = "centrex-test"
SMTP_PASSWORD = "smtp-test-password"


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated_as: str | None

    @property
    def text(self) -> str:
        """The text/plain body (the only body of a plain message)."""
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def html(self) -> str:
        """The text/html alternative, or "" when the message has none."""
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


@dataclass
class SmtpServer:
    """The running server: where it listens and what it received."""

    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def url(self, user: str = "", password: str = "") -> str:
        credentials = f"{user}:{password}@" if user else ""
        return f"smtp://{credentials}{self.host}:{self.port}"

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[ReceivedMail]:
        """The messages once at least `count` arrived; fails the test after `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(
                        f"the SMTP server received {len(self.messages)} message(s), "
                        f"expected {count} within {timeout:.0f} s"
                    )
                self._arrived.wait(left)
            return list(self.messages)

    # aiosmtpd handler hook (called in the server's thread).
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        login = session.auth_data.login.decode() if session.authenticated else None
        with self._arrived:
            self.messages.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message, login)
            )
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> Any:
        from aiosmtpd.smtp import AuthResult

        login = auth_data.login.decode()
        accepted = login == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD
        self.logins.append((login, accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Generator[SmtpServer, None, None]:
    """Start aiosmtpd and send this test's e-mail to it through Django's SMTP backend."""
    from aiosmtpd.controller import Controller

    # aiosmtpd logs every SMTP command at INFO: keep failing tests' output readable.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    server = SmtpServer("127.0.0.1", _free_port())
    controller = Controller(
        server,
        hostname=server.host,
        port=server.port,
        authenticator=server.authenticate,
        auth_require_tls=False,
        ready_timeout=10.0,
    )
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield server
    finally:
        controller.stop()
