"""Run the suite on SQLite (default) or on a private PostgreSQL this plugin starts itself.

`pytest --db=postgres` (or CENTREX_TEST_DB=postgres) initialises a throw-away cluster in a
temporary directory, starts it on a free loopback port, points DATABASE_URL at it before Django
reads its settings, and stops it at the end. Loaded early with `-p tests.plugins.postgres`.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgres"],
        default=os.environ.get("CENTREX_TEST_DB", "sqlite"),
        help="database the suite runs on (default: sqlite)",
    )


def _postgres_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if not candidates:
        raise pytest.UsageError(
            f"PostgreSQL's {name} was not found: `make test` installs it (apt-get install postgresql)"
        )
    return candidates[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: run its programs as the `postgres` account."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise pytest.UsageError("running as root needs the `postgres` system user") from None
    return ["runuser", "-u", "postgres", "--"]


class PrivatePostgres:
    """A throw-away cluster in a temporary directory, on a free loopback port that stays its
    own across restarts: `start()`, `stop(mode)` (pg_ctl's fast, smart or immediate) and
    `start()` again, `remove()` at the end. The suite's shared server is one (`start_postgres`);
    a test that stops its database makes another (tests/core/test_database_outage.py)."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="centrex-pg-"))
        self.data = self.base / "data"
        self.prefix = _as_postgres_user()
        if self.prefix:
            shutil.chown(self.base, user="postgres")
        subprocess.run(
            [
                *self.prefix,
                _postgres_bin("initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
                "-N",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.port = _free_port()

    @property
    def url(self) -> str:
        """DATABASE_URL of its `postgres` database."""
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start it and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            [
                *self.prefix,
                _postgres_bin("pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.base / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop it (`pg_ctl stop -m mode`) and wait until it is down."""
        subprocess.run(
            [*self.prefix, _postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )

    def remove(self) -> None:
        """Stop it at once and delete its files."""
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def start_postgres() -> str:
    """Start a private cluster; return its DATABASE_URL. Stopped when the process exits."""
    server = PrivatePostgres()
    server.start()
    atexit.register(server.remove)
    return server.url


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, None, None]:
    # Before pytest-django reads the settings: a throw-away data directory, e-mail kept in
    # memory (tests that need SMTP start aiosmtpd), tasks run at once.
    os.environ.setdefault("CENTREX_DATA_DIR", tempfile.mkdtemp(prefix="centrex-test-data-"))
    os.environ.setdefault("EMAIL_URL", "memory")
    os.environ.setdefault(
        "CENTREX_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
    )
    os.environ.pop("SECRET_KEY", None)
    database = early_config.known_args_namespace.db
    os.environ["CENTREX_TEST_DB"] = database
    if database == "postgres" and "PYTEST_XDIST_WORKER" not in os.environ:
        os.environ["DATABASE_URL"] = start_postgres()
    elif database == "sqlite":
        os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    return (yield)


def pytest_report_header(config: pytest.Config) -> str:
    return f"centrex database: {config.getoption('db')}"
