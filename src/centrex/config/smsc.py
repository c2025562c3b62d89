"""`CENTREX_SMSC_URL` (API.md "Runtime"): the SMSC accounts the dispatcher binds to.

    smpp://system_id:password@host:port?window=N&tps=N&system_type=S&binds=N&enquire_link=S

Several accounts are separated by commas or blanks; `builtin` is the simulator that
`centrex run` starts on loopback. No Django here: `settings.py` calls `parse_smsc_url` so a bad
value stops the process at start with a message saying what to fix; the smsc app reads the
running settings' accounts through `centrex.smsc.config.smsc_accounts`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_PORT = 2775
DEFAULT_WINDOW = 10
DEFAULT_BINDS = 1
DEFAULT_ENQUIRE_LINK = 30.0
# The builtin simulator (contract "Builtin SMSC"): its credentials and a window fit for a
# loopback SMSC that answers at once.
BUILTIN = "builtin"
BUILTIN_SYSTEM_ID = "centrex"
BUILTIN_PASSWORD = "centrex"
BUILTIN_HOST = "127.0.0.1"
BUILTIN_WINDOW = 100
# SMPP 3.4 §4.1.1: C-octet strings of at most 16, 9 and 13 octets with their NUL.
_MAX_SYSTEM_ID = 15
_MAX_PASSWORD = 8
_MAX_SYSTEM_TYPE = 12
# Bounds that catch typing errors (a window of 100000 is a slip, not a plan).
_MAX_WINDOW = 10_000
_MAX_BINDS = 64
_MAX_TPS = 1_000_000
_EXAMPLE = "smpp://system_id:password@smsc.example.it:2775?window=10&tps=100"
_SEPARATORS = re.compile(r"[\s,]+")


class SmscUrlError(ValueError):
    """`CENTREX_SMSC_URL` does not read; the message says what to change."""


@dataclass(frozen=True)
class SmscAccount:
    """One SMSC account: where to connect, how to bind, and the limits the provider set.

    `window` is the number of unanswered `submit_sm` per bind (API.md), `tps` the submits per
    second for the whole account (0 = no limit), shared by its `binds` transceiver sessions;
    `enquire_link` the seconds of silence after which a bind asks whether the link is alive.
    """

    host: str
    port: int
    system_id: str
    password: str = field(repr=False)
    system_type: str = ""
    window: int = DEFAULT_WINDOW
    tps: int = 0
    binds: int = DEFAULT_BINDS
    enquire_link: float = DEFAULT_ENQUIRE_LINK

    @property
    def label(self) -> str:
        """`system_id@host:port`: the account as logs and metrics name it (never the
        password)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.system_id}@{host}:{self.port}"


def builtin_account(port: int = DEFAULT_PORT) -> SmscAccount:
    """The builtin simulator's account (`CENTREX_SMSC_URL=builtin`)."""
    return SmscAccount(
        host=BUILTIN_HOST,
        port=port,
        system_id=BUILTIN_SYSTEM_ID,
        password=BUILTIN_PASSWORD,
        window=BUILTIN_WINDOW,
    )


def builtin_record_path(data_dir: Path) -> Path:
    """Where the builtin simulator records what it received (one JSON line per message), read
    by the developer inbox: `DATA_DIR/smsc/received.jsonl`."""
    return data_dir / "smsc" / "received.jsonl"


def parse_smsc_url(value: str, *, builtin_port: int = DEFAULT_PORT) -> tuple[SmscAccount, ...]:
    """The accounts of a `CENTREX_SMSC_URL` value, in order. Raises SmscUrlError (a ValueError)
    naming the account and the part to fix."""
    if not 1 <= builtin_port <= 65535:
        raise SmscUrlError(
            f"CENTREX_BUILTIN_SMSC_PORT is {builtin_port}; it must be a port from 1 to 65535."
        )
    entries = [entry for entry in _SEPARATORS.split(value.strip()) if entry]
    if not entries:
        raise SmscUrlError(f"CENTREX_SMSC_URL is empty: set it to `builtin` or to {_EXAMPLE}.")
    accounts: list[SmscAccount] = []
    for entry in entries:
        if entry == BUILTIN:
            accounts.append(builtin_account(builtin_port))
        else:
            accounts.append(_parse_account(entry))
    labels = [account.label for account in accounts]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise SmscUrlError(
            f"CENTREX_SMSC_URL names the account {', '.join(duplicates)} twice: "
            "use `binds=N` for more sessions of one account."
        )
    return tuple(accounts)


def _parse_account(entry: str) -> SmscAccount:
    # Never echo the entry itself: it holds a password.
    try:
        parts = urlsplit(entry)
        port = parts.port
    except ValueError:
        raise SmscUrlError(
            "CENTREX_SMSC_URL has an account whose port is not a number from 1 to 65535: "
            f"write it as {_EXAMPLE}."
        ) from None
    if parts.scheme != "smpp":
        raise SmscUrlError(
            f"CENTREX_SMSC_URL accounts start with smpp:// (or the word `builtin`), not "
            f"{parts.scheme + '://' if parts.scheme else 'nothing'}: write {_EXAMPLE}."
        )
    host = parts.hostname or ""
    if not host:
        raise SmscUrlError(f"CENTREX_SMSC_URL has an account without a host: write {_EXAMPLE}.")
    system_id = unquote(parts.username or "")
    where = f"the account {system_id or '?'}@{host}"
    if not system_id:
        raise SmscUrlError(
            f"CENTREX_SMSC_URL: {where} has no system_id: write smpp://system_id:password@{host}."
        )
    password = unquote(parts.password or "")
    _check_octets(system_id, _MAX_SYSTEM_ID, "system_id", where)
    _check_octets(password, _MAX_PASSWORD, "password", where)
    if parts.path not in ("", "/") or parts.fragment:
        raise SmscUrlError(
            f"CENTREX_SMSC_URL: {where} has a path or #fragment; settings go after `?`, "
            f"as in {_EXAMPLE}."
        )
    options = _options(parts.query, where)
    system_type = options.pop("system_type", "")
    _check_octets(system_type, _MAX_SYSTEM_TYPE, "system_type", where)
    account = SmscAccount(
        host=host,
        port=port if port is not None else DEFAULT_PORT,
        system_id=system_id,
        password=password,
        system_type=system_type,
        window=_integer(options, "window", DEFAULT_WINDOW, 1, _MAX_WINDOW, where),
        tps=_integer(options, "tps", 0, 0, _MAX_TPS, where),
        binds=_integer(options, "binds", DEFAULT_BINDS, 1, _MAX_BINDS, where),
        enquire_link=_seconds(options, "enquire_link", DEFAULT_ENQUIRE_LINK, where),
    )
    if options:
        raise SmscUrlError(
            f"CENTREX_SMSC_URL: {where} has unknown settings {', '.join(sorted(options))}; "
            "known: window, tps, system_type, binds, enquire_link."
        )
    if port == 0:
        raise SmscUrlError(f"CENTREX_SMSC_URL: {where} needs a port from 1 to 65535.")
    return account


def _options(query: str, where: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name in options:
            raise SmscUrlError(f"CENTREX_SMSC_URL: {where} sets {name} twice; keep one.")
        options[name] = value
    return options


def _check_octets(value: str, limit: int, name: str, where: str) -> None:
    if not value.isascii() or "\0" in value:
        raise SmscUrlError(f"CENTREX_SMSC_URL: {where} has a {name} that is not plain ASCII.")
    if len(value) > limit:
        raise SmscUrlError(
            f"CENTREX_SMSC_URL: {where} has a {name} of {len(value)} characters; "
            f"SMPP allows at most {limit}."
        )


def _integer(
    options: dict[str, str], name: str, default: int, minimum: int, maximum: int, where: str
) -> int:
    raw = options.pop(name, None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not minimum <= value <= maximum:
        raise SmscUrlError(
            f"CENTREX_SMSC_URL: {where} has {name}={raw!r}; it must be a whole number from "
            f"{minimum} to {maximum}."
        )
    return value


def _seconds(options: dict[str, str], name: str, default: float, where: str) -> float:
    raw = options.pop(name, None)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.05 <= value <= 3600:  # nan fails too
        raise SmscUrlError(
            f"CENTREX_SMSC_URL: {where} has {name}={raw!r}; it must be seconds from 0.05 to 3600."
        )
    return value
