"""Reading the e-mails the embedded file outbox received (`core.mail.OutboxEmailBackend` writes
one `.eml` file per message in settings.CENTREX_OUTBOX_DIR)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

# Names the outbox backend writes ("20260105T093000123456-1a2b3c4d.eml"); anything else, and
# so any path separator or "..", is refused before the file system is touched.
MESSAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,120}\.eml$")

# Headers shown on a message's page, in this order.
SHOWN_HEADERS = ("Date", "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Message-ID")


@dataclass(frozen=True)
class OutboxEntry:
    """One line of the list: what the developer needs to find their e-mail."""

    name: str
    date: datetime | None
    to: str
    subject: str


@dataclass(frozen=True)
class OutboxMessage:
    """One e-mail, decoded for display."""

    name: str
    headers: list[tuple[str, str]]
    subject: str
    text: str
    html: str
    attachments: list[str]
    source: str


@dataclass(frozen=True)
class OutboxListing:
    """The newest entries and how many there are in all."""

    entries: list[OutboxEntry]
    total: int


def outbox_directory() -> Path | None:
    """Where the outbox is; None when e-mail goes to a real server (EMAIL_URL smtp://…)."""
    directory = settings.CENTREX_OUTBOX_DIR
    return Path(directory) if directory is not None else None


def is_valid_name(name: str) -> bool:
    return bool(MESSAGE_NAME.fullmatch(name))


def _message_names(directory: Path) -> list[str]:
    if not directory.is_dir():
        return []
    return [
        path.name for path in directory.iterdir() if is_valid_name(path.name) and path.is_file()
    ]


def _date(value: object) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    # "-0000" (how Django dates its messages) parses as naive but means UTC (RFC 5322 3.3).
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def latest(limit: int) -> OutboxListing:
    """The newest `limit` e-mails, newest first. The backend names files after the time they
    were written, so the name order is the time order and only the shown files are read."""
    directory = outbox_directory()
    if directory is None:
        return OutboxListing([], 0)
    names = sorted(_message_names(directory), reverse=True)
    entries = []
    parser = BytesHeaderParser(policy=policy.default)
    for name in names[:limit]:
        try:
            with (directory / name).open("rb") as handle:
                headers = parser.parse(handle)
        except OSError:
            continue  # removed meanwhile
        entries.append(
            OutboxEntry(
                name=name,
                date=_date(headers["Date"]),
                to=str(headers["To"] or ""),
                subject=str(headers["Subject"] or ""),
            )
        )
    return OutboxListing(entries, len(names))


def read_message(name: str) -> OutboxMessage:
    """One e-mail by file name. LookupError if the name is not an outbox file name or there is
    no such file in the outbox (the path never leaves the outbox directory)."""
    directory = outbox_directory()
    if directory is None or not is_valid_name(name):
        raise LookupError(name)
    path = directory / name
    try:
        # A symbolic link pointing elsewhere is not the outbox's.
        if path.resolve().parent != directory.resolve() or not path.is_file():
            raise LookupError(name)
        raw = path.read_bytes()
    except OSError:
        raise LookupError(name) from None
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return OutboxMessage(
        name=name,
        headers=[(header, str(message[header])) for header in SHOWN_HEADERS if message[header]],
        subject=str(message["Subject"] or ""),
        text=_part(message, "plain"),
        html=_part(message, "html"),
        attachments=[part.get_filename() or "?" for part in message.iter_attachments()],
        source=raw.decode("utf-8", errors="replace"),
    )


def _part(message: EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return ""
    try:
        return str(body.get_content())
    except (LookupError, ValueError):  # unknown charset, broken encoding
        payload = body.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
