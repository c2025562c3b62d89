"""`centrex sip` (API.md "Runtime"): the SIP registrar alone — Kamailio, run in the foreground
with the configuration rendered from `kamailio/kamailio.cfg.tmpl` for the portal's own
database (db_sqlite with its file, db_postgres with its URL), listening on CENTREX_SIP_LISTEN
(UDP and TCP), its JSON-RPC on CENTREX_SIP_RPC (loopback). SIGTERM or Ctrl-C stops it.

A missing Kamailio, a missing database module or a port in use is one clear line and exit
code 2; Kamailio stopping by itself is one line and its exit code."""

from __future__ import annotations

import argparse
import glob
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connections

from centrex.config.sip import check_rpc_address, parse_sip_address

TEMPLATE = Path(__file__).resolve().parent / "kamailio" / "kamailio.cfg.tmpl"
KAMAILIO_CANDIDATES = ("/usr/sbin/kamailio", "/usr/local/sbin/kamailio")
MODULE_DIRS = (
    "/usr/lib/*/kamailio/modules",
    "/usr/lib64/kamailio/modules",
    "/usr/lib/kamailio/modules",
    "/usr/local/lib64/kamailio/modules",
    "/usr/local/lib/kamailio/modules",
)
DEBIAN_PACKAGES = "kamailio kamailio-sqlite-modules kamailio-postgres-modules"
SETUP_FAILED = 2
# How long a registrar write waits for the SQLite writers' lock: the portal's own writes hold
# it for milliseconds; a REGISTER is retransmitted by the phone after 500 ms anyway.
SQLITE_BUSY_TIMEOUT_MS = 2000


class SipServerError(Exception):
    """Why `centrex sip` cannot start, in one line that says what to do."""


class KamailioConfig(string.Template):
    """`@@{name}` placeholders: `$` is Kamailio's own pseudo-variable sign."""

    delimiter = "@@"


def find_kamailio() -> str | None:
    """The kamailio program, from PATH or Debian's /usr/sbin."""
    found = shutil.which("kamailio")
    if found:
        return found
    return next((path for path in KAMAILIO_CANDIDATES if os.access(path, os.X_OK)), None)


def kamailio_installed() -> bool:
    return find_kamailio() is not None and find_module_path("db_sqlite") is not None


def find_module_path(db_module: str) -> str | None:
    """The directory holding Kamailio's modules, with `db_module` among them."""
    for pattern in MODULE_DIRS:
        for directory in sorted(glob.glob(pattern)):
            if Path(directory, "tm.so").exists() and Path(directory, f"{db_module}.so").exists():
                return directory
    return None


def kamailio_database(database: dict[str, Any]) -> tuple[str, str]:
    """(database module, db_url) of a Django database's settings, for Kamailio."""
    engine = str(database.get("ENGINE", ""))
    name = str(database.get("NAME") or "")
    if "sqlite" in engine:
        if not name or name == ":memory:" or name.startswith("file:"):
            raise SipServerError(
                "the registrar needs the database in a file: set DATABASE_URL=sqlite:///PATH "
                "or a postgres:// URL"
            )
        return "db_sqlite", f"sqlite:///{Path(name).resolve()}"
    if "postgresql" in engine:
        host = str(database.get("HOST") or "127.0.0.1")
        if host.startswith("/"):
            raise SipServerError(
                "Kamailio reaches PostgreSQL over TCP only: give DATABASE_URL a host name, "
                f"not the socket directory {host}"
            )
        user = quote(str(database.get("USER") or ""), safe="")
        password = quote(str(database.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = database.get("PORT") or 5432
        return "db_postgres", f"postgres://{credentials}{host}:{port}/{name}"
    raise SipServerError(f"Kamailio cannot use the database engine {engine}")


def render_config(
    *,
    listen: str,
    rpc: str,
    runtime_dir: Path,
    database: dict[str, Any],
    children: int = 4,
    debug: int = 1,
) -> str:
    """The Kamailio configuration for this portal's database."""
    db_module, db_url = kamailio_database(database)
    module_path = find_module_path(db_module)
    if module_path is None:
        raise SipServerError(
            f"Kamailio's {db_module} module is missing: apt-get install {DEBIAN_PACKAGES}"
        )
    template = KamailioConfig(TEMPLATE.read_text())
    return template.substitute(
        debug=debug,
        children=children,
        module_path=module_path,
        runtime_dir=runtime_dir,
        listen=listen,
        rpc=rpc,
        db_module=db_module,
        db_url=db_url,
        nonce_secret=secrets.token_hex(16),
        defines="#!define WITH_SQLITE" if db_module == "db_sqlite" else "",
        busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS,
    )


def _require_free(host: str, port: int, kind: int, what: str) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as error:
            raise SipServerError(
                f"the registrar cannot listen on {host}:{port} for {what}: "
                f"{os.strerror(error.errno or 0).lower()}"
            ) from None


def prepare(listen: str, rpc: str, *, children: int, debug: int) -> tuple[str, Path]:
    """Check what Kamailio needs and write its configuration (readable by its owner only: it
    holds the database password). Returns the program and the configuration file."""
    kamailio = find_kamailio()
    if kamailio is None:
        raise SipServerError(f"Kamailio is not installed: apt-get install {DEBIAN_PACKAGES}")
    host, port = parse_sip_address("CENTREX_SIP_LISTEN", listen)
    rpc_host, rpc_port = check_rpc_address(rpc)
    _require_free(host, port, socket.SOCK_DGRAM, "SIP over UDP")
    _require_free(host, port, socket.SOCK_STREAM, "SIP over TCP")
    _require_free(rpc_host, rpc_port, socket.SOCK_DGRAM, "its JSON-RPC")
    runtime_dir = Path(settings.DATA_DIR) / "sip" / f"{host}-{port}"
    runtime_dir.mkdir(parents=True, exist_ok=True)
    config = render_config(
        listen=listen,
        rpc=rpc,
        runtime_dir=runtime_dir,
        database=connections["default"].settings_dict,
        children=children,
        debug=debug,
    )
    path = runtime_dir / "kamailio.cfg"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(config)
    return kamailio, path


def run(argv: Sequence[str]) -> int:
    """`centrex sip [--listen HOST:PORT] [--rpc HOST:PORT] [--children N]`."""
    parser = argparse.ArgumentParser(prog="centrex sip")
    parser.add_argument("--listen", default=settings.CENTREX_SIP_LISTEN)
    parser.add_argument("--rpc", default=settings.CENTREX_SIP_RPC)
    parser.add_argument("--children", type=int, default=4, help="SIP worker processes")
    parser.add_argument("--debug", type=int, default=1, help="Kamailio's log level (-5…3)")
    args = parser.parse_args(argv)
    try:
        kamailio, config = prepare(
            args.listen, args.rpc, children=max(1, args.children), debug=args.debug
        )
    except SipServerError as error:
        print(f"centrex sip: {error}", file=sys.stderr, flush=True)
        return SETUP_FAILED
    # TZ=UTC: Kamailio writes `location` timestamps in local time; the portal reads UTC.
    environment = {**os.environ, "TZ": "UTC"}
    command = [kamailio, "-DD", "-E", "-f", str(config), "-m", "64", "-M", "8"]
    process = subprocess.Popen(command, env=environment)  # noqa: S603 — our own program and config

    def forward(signum: int, frame: object) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    print(
        f"centrex sip: Kamailio on {args.listen} (UDP and TCP), JSON-RPC on {args.rpc}",
        file=sys.stderr,
        flush=True,
    )
    code = process.wait()
    if code not in (0, -signal.SIGTERM):
        print(f"centrex sip: Kamailio stopped with exit code {code}", file=sys.stderr, flush=True)
        return code if code > 0 else 1
    return 0
