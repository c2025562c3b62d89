"""Reliability with real processes (issue 4 "Reliability", DESIGN "SMS pipeline"): `centrex smsd`
and the simulator (`python -m centrex.smsc.simulator`) run as programs against a database file
(SQLite) or a database of the test PostgreSQL, and are killed, stopped and restarted.

- kill -9 during a batch, restart: no message lost, duplicates at most the window;
- the SMSC stopped for a while under load: everything reaches it once it is back;
- SIGTERM: a clean stop (exit 0, nothing left claimed, no duplicate after a restart);
- SQLite: a second dispatcher is refused with one line; PostgreSQL: two dispatchers share the
  queue and send every message exactly once.

The queue is prepared once per module (migrations and 2,000 queued messages, copied for each
test) and read with plain SQL.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 2000
WINDOW = 50
SYSTEM_ID = "centrex"
PASSWORD = "centrex"

# Run by `python -c` with Django set up on the database of DATABASE_URL: migrate, a customer
# and its user, and MESSAGES queued recipients of one request (as the send path stores them).
PREPARE = f"""
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from centrex.accounts.actions import UserData, create_user
from centrex.accounts.models import Role, User
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
from centrex.sms.enqueue import enqueue_sms
from centrex.senders.models import SenderType
from centrex.senders.resolution import Sender
operator = User.objects.create_operator("operatore@provider.example", "Centrex-Test-2026!")
customer = create_customer(
    CustomerData(name="Esempio S.r.l.", kind="business", vat_number="IT00743110157",
        email="amministrazione@esempio.example", street="Via Roma 1", postcode="20121",
        city="Milano", province="MI", pec="esempio@pec.example", phone="+390212345678",
        contact_first_name="Alice", contact_last_name="Rossi", brands=["Esempio"]),
    acting_user=operator,
)
provision_extensions(customer, ["201"], acting_user=operator)
alice = create_user(customer, UserData(email="alice@esempio.example", first_name="Alice",
    last_name="Rossi", role=Role.ADMIN, extension="201"), acting_user=operator,
    password="Centrex-Test-2026!")
enqueue_sms(customer=customer, user=alice, sender=Sender(SenderType.ALIAS, "Esempio"),
    text="Messaggio di prova del motore SMS",
    destinations=[f"+39340{{n:07d}}" for n in range({MESSAGES})])
"""


# --- The database of a test -----------------------------------------------------------------


class QueueDatabase:
    """One test's database: its DATABASE_URL for the programs, plain SQL for the test."""

    def __init__(self, url: str, sqlite_path: Path | None) -> None:
        self.url = url
        self.sqlite_path = sqlite_path

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path, timeout=20) as connection:
                return list(connection.execute(sql).fetchall())
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            return list(connection.execute(sql).fetchall())

    def statuses(self) -> Counter[str]:
        return Counter(
            dict(self.query("SELECT status, COUNT(*) FROM sms_smsmessage GROUP BY status"))
        )

    def still_claimed(self) -> int:
        return int(
            self.query(
                "SELECT COUNT(*) FROM sms_smsmessage WHERE status = 'queued' AND claimed_by <> ''"
            )[0][0]
        )

    def sent_by(self) -> dict[str, int]:
        """submit_sm per dispatcher, from their statistics rows."""
        return {
            dispatcher: json.loads(counters)["submit_sm"]
            if isinstance(counters, str)
            else counters["submit_sm"]
            for dispatcher, counters in self.query(
                "SELECT dispatcher_id, counters FROM sms_dispatcherstats"
            )
        }


@pytest.fixture(scope="module")
def prepared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], QueueDatabase]]:
    """A migrated database with the queue, made once; each call gives a fresh copy of it."""
    directory = tmp_path_factory.mktemp("reliability")
    on_postgres = request.config.getoption("db") == "postgres"
    if on_postgres:
        server = urlsplit(os.environ["DATABASE_URL"])
        template = f"centrex_reliability_{uuid.uuid4().hex[:8]}"
        _postgres_admin(server, f'CREATE DATABASE "{template}"')
        _prepare(_postgres_url(server, template), directory)
        made: list[str] = []

        def copy() -> QueueDatabase:
            name = f"{template}_{len(made)}"
            _postgres_admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            made.append(name)
            return QueueDatabase(_postgres_url(server, name), None)

        yield copy
        for name in [*made, template]:
            _postgres_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        template_path = directory / "template.sqlite3"
        _prepare(f"sqlite:///{template_path}", directory)
        count = 0

        def copy() -> QueueDatabase:
            nonlocal count
            count += 1
            path = directory / f"queue-{count}.sqlite3"
            shutil.copyfile(template_path, path)
            return QueueDatabase(f"sqlite:///{path}", path)

        yield copy


def _prepare(url: str, directory: Path) -> None:
    subprocess.run(
        [sys.executable, "-c", PREPARE],
        env=_environment(url, directory),
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _postgres_url(server: Any, name: str) -> str:
    return urlunsplit(server._replace(path=f"/{name}"))


def _postgres_admin(server: Any, sql: str) -> None:
    import psycopg

    with psycopg.connect(_postgres_url(server, "postgres"), autocommit=True) as connection:
        connection.execute(sql)


def _environment(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CENTREX_", "DJANGO_", "PYTEST_"))
        and key not in ("DATABASE_URL", "PYTHONDONTWRITEBYTECODE")
    }
    environment.update(
        # Byte code compiled once for every program the tests start, outside the source tree.
        PYTHONPYCACHEPREFIX=str(Path(tempfile.gettempdir()) / "centrex-test-pycache"),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="centrex.settings",
        CENTREX_DATA_DIR=str(data_dir),
        CENTREX_TASK_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        CENTREX_LOG_LEVEL="INFO",
        EMAIL_URL="memory",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return environment


# --- The programs ---------------------------------------------------------------------------


class Program:
    """A child process with its output in a file (read back on failure)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.log = log
        self._file = log.open("ab")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self._file, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_output(self, pattern: str, timeout: float = 15) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.output())
            if found:
                return found
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name} never said {pattern!r}:\n{self.output()[-3000:]}")

    def signal(self, signum: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def wait(self, timeout: float = 20) -> int:
        try:
            return self.process.wait(timeout)
        finally:
            self._file.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.wait(10)


class Setup:
    """One test's world: its database, simulators and dispatchers, all stopped at the end."""

    def __init__(self, database: QueueDatabase, directory: Path) -> None:
        self.database = database
        self.directory = directory
        self.programs: list[Program] = []
        self.records: list[Path] = []

    def simulator(self, port: int = 0) -> tuple[Program, int]:
        record = self.directory / f"received-{len(self.records)}.jsonl"
        self.records.append(record)
        program = self._start(
            "simulator",
            [
                sys.executable,
                "-m",
                "centrex.smsc.simulator",
                "--port",
                str(port),
                "--record",
                str(record),
                "--receipt-delay",
                "0.1",
                "--receipt-window",
                "1000",
                "--account",
                f"{SYSTEM_ID}={PASSWORD}",
            ],
            self._env(),
        )
        found = program.wait_for_output(r"listening on 127\.0\.0\.1:(\d+)")
        return program, int(found.group(1))

    def dispatcher(self, port: int, *options: str, settings: str = "") -> Program:
        url = f"smpp://{SYSTEM_ID}:{PASSWORD}@127.0.0.1:{port}?window={WINDOW}{settings}"
        return self._start(
            "smsd",
            [sys.executable, "-m", "centrex.cli", "smsd", "--reconnect-max", "1", *options],
            self._env(CENTREX_SMSC_URL=url),
        )

    def _env(self, **extra: str) -> dict[str, str]:
        return _environment(self.database.url, self.directory, **extra)

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> Program:
        log = self.directory / f"{name}-{len(self.programs)}.log"
        program = Program(name, command, env, log)
        self.programs.append(program)
        return program

    def received(self) -> Counter[str]:
        """How many times the SMSCs received each destination."""
        received: Counter[str] = Counter()
        for index in range(len(self.records)):
            received.update(self.received_by(index))
        return received

    def received_by(self, index: int) -> Counter[str]:
        """How many times the `index`-th SMSC started received each destination."""
        received: Counter[str] = Counter()
        for record in self.records[index : index + 1]:
            if record.exists():
                for line in record.read_text(encoding="utf-8").splitlines():
                    received[json.loads(line)["destination_addr"]] += 1
        return received

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        logs = "\n".join(f"--- {p.log.name}\n{p.output()[-2000:]}" for p in self.programs)
        raise AssertionError(f"{what} within {timeout} s: {self.database.statuses()}\n{logs}")

    def sent(self, count: int) -> Callable[[], bool]:
        """At least `count` messages accepted by an SMSC."""
        return lambda: sum(self.database.statuses()[s] for s in ("submitted", "delivered")) >= count

    def close(self) -> None:
        for program in self.programs:
            program.stop()


@pytest.fixture
def world(prepared: Callable[[], QueueDatabase], tmp_path: Path) -> Iterator[Setup]:
    setup = Setup(prepared(), tmp_path)
    try:
        yield setup
    finally:
        setup.close()


ALL_DESTINATIONS = {f"39340{n:07d}" for n in range(MESSAGES)}


def everything_delivered(world: Setup) -> Callable[[], bool]:
    return lambda: world.database.statuses() == Counter({"delivered": MESSAGES})


# --- The tests ------------------------------------------------------------------------------


def test_a_dispatcher_killed_during_a_batch_loses_nothing(world: Setup) -> None:
    # given a dispatcher sending the queue (short claim leases, for PostgreSQL's sake)
    _, port = world.simulator()
    first = world.dispatcher(port, "--lease", "4")
    world.wait_until(world.sent(300), 30, "the first messages were not sent")
    # when it is killed with -9 in the middle, and started again
    first.signal(signal.SIGKILL)
    assert first.wait() == -signal.SIGKILL
    assert world.database.statuses()["queued"] > 0
    world.dispatcher(port, "--lease", "4", "--wait", "15")
    # then every message is delivered, and at most the window was sent twice
    world.wait_until(everything_delivered(world), 45, "not everything was delivered")
    received = world.received()
    assert set(received) == ALL_DESTINATIONS
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= WINDOW, f"{duplicates} messages were sent twice"


def test_an_smsc_away_for_a_while_gets_everything_when_back(world: Setup) -> None:
    # given a dispatcher sending the queue
    smsc, port = world.simulator()
    dispatcher = world.dispatcher(port)
    world.wait_until(world.sent(300), 30, "the first messages were not sent")
    # when the SMSC goes away until the dispatcher has found it gone twice, and comes back on
    # the same address
    smsc.signal(signal.SIGKILL)
    smsc.wait()
    dispatcher.wait_for_output(r"(?s)connect_failed.*connect_failed")
    assert world.database.statuses()["queued"] > 0
    world.simulator(port)
    # then every message reaches it in the end, nothing stays queued or fails, and those the
    # second SMSC got are delivered (receipts the killed one still owed died with it)
    world.wait_until(
        lambda: set(world.received()) == ALL_DESTINATIONS, 45, "not everything was received"
    )
    second_got = {f"+{destination}" for destination in world.received_by(1)}
    assert second_got

    def settled() -> bool:
        statuses = dict(world.database.query("SELECT destination, status FROM sms_smsmessage"))
        return all(statuses[destination] == "delivered" for destination in second_got)

    world.wait_until(settled, 10, "the second SMSC's receipts were not all matched")
    assert set(world.database.statuses()) <= {"submitted", "delivered"}


def test_sigterm_stops_cleanly_and_a_restart_finishes_the_queue(world: Setup) -> None:
    # given a dispatcher sending the queue
    _, port = world.simulator()
    first = world.dispatcher(port)
    world.wait_until(world.sent(300), 30, "the first messages were not sent")
    # when it gets SIGTERM
    first.signal(signal.SIGTERM)
    # then it stops at once with status 0, having recorded its answers and given back its
    # claims and its lease
    assert first.wait(15) == 0
    assert "event=dispatcher_stopped" in first.output()
    assert world.database.still_claimed() == 0
    assert world.database.query("SELECT COUNT(*) FROM sms_dispatcherlease")[0][0] == 0
    assert world.database.statuses()["queued"] > 0
    # and the next dispatcher starts at once and sends the rest, nothing twice
    world.dispatcher(port)
    world.wait_until(everything_delivered(world), 45, "not everything was delivered")
    assert world.received() == Counter(dict.fromkeys(ALL_DESTINATIONS, 1))


@pytest.mark.skipif("config.getoption('db') != 'sqlite'")
def test_a_second_dispatcher_on_sqlite_is_refused_in_one_line(world: Setup) -> None:
    # given a running dispatcher
    _, port = world.simulator()
    world.dispatcher(port)
    world.wait_until(world.sent(1), 30, "the first dispatcher did not start")
    # when a second one starts
    second = world.dispatcher(port)
    # then it exits with status 3 and one line saying why
    assert second.wait(20) == 3
    lines = second.output().strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        r"centrex smsd: Dispatcher \S+ is already running \(its lease ends at .+\): "
        r"only one dispatcher with SQLite; use PostgreSQL for several\.",
        lines[0],
    )


@pytest.mark.skipif("config.getoption('db') != 'postgres'")
def test_two_dispatchers_on_postgresql_send_each_message_once(world: Setup) -> None:
    # given two dispatchers on one PostgreSQL, each at most 500 submits per second, waiting
    # for their SMSC (so that one cannot take the whole queue before the other is up)
    port = _free_port()
    first = world.dispatcher(port, settings="&tps=500")
    second = world.dispatcher(port, settings="&tps=500")
    first.wait_for_output("event=dispatcher_started")
    second.wait_for_output("event=dispatcher_started")
    # when the SMSC comes up and they have sent the queue
    world.simulator(port)
    world.wait_until(everything_delivered(world), 45, "not everything was delivered")
    # then each message went exactly once, and both did a share
    assert world.received() == Counter(dict.fromkeys(ALL_DESTINATIONS, 1))
    world.wait_until(lambda: len(world.database.sent_by()) == 2, 5, "statistics missing")
    sent_by = world.database.sent_by()
    assert all(sent > 0 for sent in sent_by.values()), sent_by


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
