"""Structured logs of the SMS engine: one line per event, `event=name key=value …`, on the
`centrex.smsc` logger. Message texts are never logged (verification codes travel as SMS)."""

from __future__ import annotations

import logging

logger = logging.getLogger("centrex.smsc")


def log_event(level: int, event: str, **fields: object) -> None:
    """Log `event` with its fields as key=value (values with blanks or quotes are quoted)."""
    if not logger.isEnabledFor(level):
        return
    parts = [f"event={event}"]
    for name, value in fields.items():
        if value is None:
            continue
        text = str(value)
        if not text or any(char in text for char in ' \t\n"='):
            text = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
        parts.append(f"{name}={text}")
    logger.log(level, " ".join(parts))
