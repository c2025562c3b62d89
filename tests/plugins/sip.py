"""A real Kamailio for the SIP tests (issue 12): `centrex sip` started once per session on
free loopback ports, against the test database, with the portal's JSON-RPC setting pointed at
it. Loaded with `-p tests.plugins.sip` (pyproject's addopts).

Kamailio reads the database from its own processes, so on SQLite the session's test database
is a file (not pytest-django's in-memory default) when any test marked `sip` is selected
(`use_file_database_for_sip`, called from the conftest's `django_db_modify_db_settings`), and
the SIP tests are transactional: what they create is committed, as in production.

`sip_registrar` gives each test a registrar without registrations (the `location` table is
Kamailio's, which Django's flush between tests does not know)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import pytest

SIP_MARK = "sip"
START_TIMEOUT = 30.0
_selected = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{SIP_MARK}: speaks SIP to the real Kamailio that `centrex sip` starts"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[_selected] = any(item.get_closest_marker(SIP_MARK) for item in items)


def use_file_database_for_sip(config: pytest.Config) -> None:
    """On SQLite, a file test database when SIP tests run (Kamailio cannot open memory)."""
    from django.conf import settings

    if os.environ.get("CENTREX_TEST_DB") != "sqlite" or not config.stash.get(_selected, False):
        return
    path = Path(tempfile.mkdtemp(prefix="centrex-test-sip-")) / "test.sqlite3"
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(path)


def _free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free loopback port")


def database_url(settings_dict: dict[str, object]) -> str:
    """DATABASE_URL of the test database, for the `centrex sip` child: the URL Kamailio gets
    is one the portal's settings read too."""
    from centrex.communicator.sip_server import kamailio_database

    return kamailio_database(settings_dict)[1]


@dataclass
class SipServer:
    """The running registrar."""

    host: str
    port: int
    rpc: str
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def _answers_options(address: tuple[str, int]) -> bool:
    from tests.sip.agent import Agent

    agent = Agent(address, "00", "probe.invalid")
    try:
        return agent.options() == 200
    except TimeoutError:
        return False
    finally:
        agent.close()


@pytest.fixture(scope="session")
def sip_server(
    django_db_setup: None, django_db_blocker: object
) -> Generator[SipServer, None, None]:
    from django.conf import settings
    from django.db import connection

    from centrex.communicator.sip_server import kamailio_installed

    if not kamailio_installed():
        pytest.fail(
            "Kamailio is not installed: `make test-deps` installs kamailio, "
            "kamailio-sqlite-modules, kamailio-postgres-modules and sip-tester"
        )
    port, rpc_port = _free_port(), _free_port()
    rpc = f"127.0.0.1:{rpc_port}"
    log = Path(tempfile.mkdtemp(prefix="centrex-test-kamailio-")) / "kamailio.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "CENTREX_SIP_LISTEN": f"127.0.0.1:{port}",
        "CENTREX_SIP_RPC": rpc,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "centrex.cli", "sip", "--children", "2"],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = SipServer("127.0.0.1", port, rpc, log, process)
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers_options(server.address):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"centrex sip did not start:\n{server.log_tail()}")
    previous = (settings.CENTREX_SIP_RPC, settings.CENTREX_SIP_LISTEN, settings.CENTREX_SIP_PUBLIC)
    settings.CENTREX_SIP_RPC = rpc
    settings.CENTREX_SIP_LISTEN = settings.CENTREX_SIP_PUBLIC = f"127.0.0.1:{port}"
    yield server
    settings.CENTREX_SIP_RPC, settings.CENTREX_SIP_LISTEN, settings.CENTREX_SIP_PUBLIC = previous
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def sip_registrar(sip_server: SipServer, transactional_db: None) -> SipServer:
    """The session's registrar with no registration left from an earlier test."""
    from centrex.communicator import registrar
    from centrex.communicator.models import Registration

    dump = registrar.call("ul.dump", "brief")
    for domain in (dump or {}).get("Domains", []):
        for record in domain["Domain"].get("AoRs") or []:
            aor = record["Info"]["AoR"] if "Info" in record else record.get("AoR")
            if aor:
                registrar.call("ul.rm", "location", aor)
    Registration.objects.all().delete()
    return sip_server
