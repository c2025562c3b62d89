"""E-mail: rendering in the recipient's language, sending after commit through the task
worker, and the file outbox that is the embedded default (viewable in the developer inbox)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation


class OutboxEmailBackend(BaseEmailBackend):
    """Writes each message as one `.eml` file in the outbox directory, atomically."""

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently)
        directory = settings.CENTREX_OUTBOX_DIR
        if directory is None:
            raise ValueError("OutboxEmailBackend needs CENTREX_OUTBOX_DIR")
        self.directory = Path(directory)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
            fd, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(message.message().as_bytes(linesep="\n"))
                os.replace(temporary, self.directory / name)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            sent += 1
        return sent


@dataclass(frozen=True)
class RenderedEmail:
    to: list[str]
    subject: str
    text: str
    html: str


def render_email(
    template: str, *, to: Sequence[str], language: str, context: dict[str, Any]
) -> RenderedEmail:
    """Render `<template>_subject.txt`, `.txt` and `.html` in `language`."""
    full_context = {"base_url": settings.CENTREX_BASE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", full_context)
        text = render_to_string(f"{template}.txt", full_context)
        html = render_to_string(f"{template}.html", full_context)
    return RenderedEmail(list(to), " ".join(subject.split()), text, html)


def deliver(email: RenderedEmail) -> None:
    """Send now, in this process (used by the task worker)."""
    message = EmailMultiAlternatives(email.subject, email.text, to=email.to)
    message.attach_alternative(email.html, "text/html")
    message.send()


def send_email_after_commit(
    template: str, *, to: Sequence[str], language: str, context: dict[str, Any]
) -> None:
    """Render now (the data is what this transaction saw), send once it commits, through the
    task worker so a slow mail server never slows a page down."""
    if not to:
        return
    email = render_email(template, to=to, language=language, context=context)

    def enqueue() -> None:
        from centrex.core.tasks import send_email

        send_email.enqueue(email.to, email.subject, email.text, email.html)

    transaction.on_commit(enqueue)
