"""Reading the SMS the builtin SMSC simulator received (issue 4): the simulator appends one JSON
line per whole message to `settings.CENTREX_SMSC_RECORD_PATH`, and the developer inbox shows the
newest of them, so a first-time user of `make run` can read their verification code.

The file only grows (a busy development box can make it large), so it is read backwards from
its end, in blocks, and never more than `MAX_READ_BYTES` of it: the newest entries cost the same
whatever the size of the file. A line that does not read (cut short while being written,
edited by hand) is skipped.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

from centrex.config.smsc import BUILTIN

# At most this much of the end of the file is read for one page: 200 ten-part UCS-2 messages
# are about 400 KiB of JSON.
MAX_READ_BYTES = 2 * 1024 * 1024
BLOCK_BYTES = 64 * 1024
_SEPARATORS = re.compile(r"[\s,]+")
# SMPP data_coding → the alphabet's name (R-T3; what the portal sends is 0 or 8).
ENCODINGS = {0: "GSM 7-bit", 1: "IA5 (ASCII)", 3: "Latin-1", 8: "UCS-2"}


@dataclass(frozen=True)
class Address:
    """An SMPP address as sent: digits or alphanumeric text, with its TON and NPI (R-T6)."""

    value: str
    ton: int
    npi: int

    @property
    def shown(self) -> str:
        """International numbers (TON 1) with their "+", as the portal writes them."""
        if self.ton == 1 and self.value.isdigit():
            return f"+{self.value}"
        return self.value


@dataclass(frozen=True)
class ReceivedSms:
    """One whole message (all its parts) as the simulator received it."""

    time: datetime
    system_id: str
    sender: Address
    recipient: Address
    data_coding: int
    text: str
    parts: int

    @property
    def encoding(self) -> str:
        return ENCODINGS.get(self.data_coding, f"data_coding {self.data_coding}")


@dataclass(frozen=True)
class ReceivedListing:
    """The newest messages, newest first; `total` counts the messages in the part of the file
    that was read, and `more` says the file holds older ones beyond it."""

    entries: list[ReceivedSms]
    total: int
    more: bool


def uses_builtin_smsc() -> bool:
    """Whether CENTREX_SMSC_URL names the builtin simulator (alone or beside real accounts)."""
    return BUILTIN in _SEPARATORS.split(str(settings.CENTREX_SMSC_URL).strip())


def record_path() -> Path:
    return Path(settings.CENTREX_SMSC_RECORD_PATH)


def latest(limit: int, path: Path | None = None) -> ReceivedListing:
    """The newest `limit` messages of the record, newest first. No file yet: nothing received."""
    path = path or record_path()
    try:
        handle = path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        return ReceivedListing([], 0, False)
    with handle:
        lines, reached_start = _last_lines(handle.fileno(), MAX_READ_BYTES)
    entries: list[ReceivedSms] = []
    valid = 0
    for line in reversed(lines):
        message = parse_line(line)
        if message is None:
            continue
        valid += 1
        if len(entries) < limit:
            entries.append(message)
    return ReceivedListing(entries, valid, not reached_start)


def _last_lines(descriptor: int, budget: int) -> tuple[list[bytes], bool]:
    """The complete lines within the last `budget` bytes of the file, oldest first, and whether
    the read reached the start of the file (else the first, cut line is dropped)."""
    end = os.fstat(descriptor).st_size
    # One byte more than the budget when the file is longer: if it is a newline, the first
    # line read is whole.
    start = max(0, end - budget - 1)
    blocks: list[bytes] = []
    position = end
    while position > start:
        size = min(BLOCK_BYTES, position - start)
        position -= size
        blocks.append(os.pread(descriptor, size, position))
    data = b"".join(reversed(blocks))
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]  # began in the middle of a line
    return [line for line in lines if line.strip()], start == 0


def parse_line(line: bytes) -> ReceivedSms | None:
    """One record line, or None if it is not one (corrupt, cut short, another shape)."""
    try:
        raw: Any = json.loads(line)
        if not isinstance(raw, dict):
            return None
        time = datetime.fromisoformat(_text(raw, "time"))
        return ReceivedSms(
            time=time if time.tzinfo is not None else time.replace(tzinfo=UTC),
            system_id=_text(raw, "system_id"),
            sender=Address(
                _text(raw, "source_addr"),
                _number(raw, "source_addr_ton"),
                _number(raw, "source_addr_npi"),
            ),
            recipient=Address(
                _text(raw, "destination_addr"),
                _number(raw, "dest_addr_ton"),
                _number(raw, "dest_addr_npi"),
            ),
            data_coding=_number(raw, "data_coding"),
            text=_text(raw, "text"),
            parts=_number(raw, "parts"),
        )
    except (ValueError, TypeError, KeyError):  # JSONDecodeError and UnicodeDecodeError too
        return None


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise TypeError(key)
    return value


def _number(raw: dict[str, Any], key: str) -> int:
    value = raw[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(key)
    return value
