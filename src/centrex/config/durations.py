"""`CENTREX_SMS_VALIDITY` and `CENTREX_SMS_RECEIPT_GRACE` (API.md "Runtime"): durations written
as a whole number and a unit, `s`, `m` or `h` ("90s", "15m", "48h"). Checked by the settings
module, so a bad value stops the program at start with a message saying what to write."""

from __future__ import annotations

import os
import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

_DURATION = re.compile(r"^(\d{1,7})\s*([smh])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
# SMPP 3.4 §7.1.1 writes a relative validity_period as "YYMMDDhhmmss000R"; months and years
# are read differently by different SMSCs (30 days? the calendar's?), so the validity is sent
# in days, hours, minutes and seconds only: at most 30 days.
MAX_SMS_VALIDITY = "720h"


def parse_duration(name: str, value: str) -> timedelta:
    """`value` ("48h", "15m", "90s") as a timedelta; ImproperlyConfigured naming `name` for
    anything else."""
    match = _DURATION.match(value.strip().lower())
    if match is None:
        raise ImproperlyConfigured(
            f"{name} must be a whole number with the unit s, m or h (such as 90s, 15m or 48h), "
            f"not {value!r}"
        )
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def env_duration(
    name: str, default: str, *, minimum: str = "0s", maximum: str | None = None
) -> timedelta:
    """The duration in the environment variable `name` (`default` when unset or blank), within
    `minimum` … `maximum` (written the same way)."""
    raw = os.environ.get(name, "").strip() or default
    duration = parse_duration(name, raw)
    if duration < parse_duration(name, minimum):
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    if maximum is not None and duration > parse_duration(name, maximum):
        raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {raw!r}")
    return duration


def smpp_relative_time(duration: timedelta) -> str:
    """SMPP 3.4 §7.1.1's relative time format, "YYMMDDhhmmss000R" with years and months 00:
    2 days → "000002000000000R". At least 1 second, at most `MAX_SMS_VALIDITY`."""
    seconds = int(duration.total_seconds())
    if not 1 <= seconds <= 30 * 86400:
        raise ValueError(f"A relative SMPP time lies in 1 s … 30 days, not {duration}.")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"0000{days:02d}{hours:02d}{minutes:02d}{seconds:02d}000R"
