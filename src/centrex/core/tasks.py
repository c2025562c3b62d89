"""Background tasks of core: e-mail delivery with our own retries (django-tasks has none)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from centrex.core.mail import RenderedEmail, deliver

logger = logging.getLogger(__name__)

EMAIL_RETRY_DELAYS = [30, 120, 600, 1800, 3600, 3 * 3600]


@task()
def send_email(to: list[str], subject: str, text: str, html: str, attempt: int = 0) -> None:
    """Send one e-mail; on a failure try again later with growing delays."""
    try:
        deliver(RenderedEmail(to, subject, text, html))
    except Exception:
        if attempt >= len(EMAIL_RETRY_DELAYS):
            logger.exception("e-mail to %s given up after %d attempts", to, attempt + 1)
            raise
        delay = EMAIL_RETRY_DELAYS[attempt]
        logger.warning("e-mail to %s failed (attempt %d), retry in %ss", to, attempt + 1, delay)
        send_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            to, subject, text, html, attempt + 1
        )
