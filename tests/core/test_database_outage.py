"""The database goes away under load (issue 13), with real processes: a PostgreSQL of this test's
own (tests/plugins/postgres.py's `PrivatePostgres`, not the suite's shared server) serves
`centrex web`, `centrex worker` and `centrex smsd`, which sends to the SMSC simulator; client
threads send SMS through the API while the server is stopped (`pg_ctl stop -m fast`) for 10 s
and started again.

Every answer meanwhile is 202 (stored) or 503 problem+json `service_unavailable` with
Retry-After, none slower than the client's timeout, none HTML; once the server is back every
202'd message ends `delivered`, the worker runs a task again, and web, worker and dispatcher
are the very processes started before — nobody restarted them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.plugins.postgres import PrivatePostgres
from tests.plugins.processes import descendants
from tests.smsc.test_reliability import PASSWORD, SYSTEM_ID, Program, _environment, _free_port

pytestmark = pytest.mark.skipif(
    "config.getoption('db') != 'postgres'",
    reason="stops and starts a PostgreSQL server of its own: run with --db=postgres",
)

OUTAGE_SECONDS = 10.0
# The client's timeout: an answer slower than this is a hang (the connections' own timeouts,
# config/database.py, are 5 s to connect and 30 s a statement; a stopped server refuses at once).
CLIENT_TIMEOUT = 10.0
CLIENTS = 2
PACE = 0.02  # seconds between two requests of one client: about 100 SMS/s in all
MAX_REQUESTS = 3000  # per client, whatever happens
ACCEPTED_BEFORE = 100  # 202s before the stop
ACCEPTED_AFTER = 100  # 202s after the first one since the restart
START_TIMEOUT = 60.0
RECOVERY_TIMEOUT = 60.0
DELIVERY_TIMEOUT = 120.0

# Run by `python -c` against the test's database: migrate, then a customer and a user who may
# send from their own verified mobile; prints the user's API token.
PREPARE = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from centrex.accounts.actions import UserData, create_user, issue_api_token
from centrex.accounts.models import Role, User
from centrex.customers.actions import CustomerData, create_customer, provision_extensions
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
alice.mobile_number = "+393471234567"
alice.mobile_verified = True
alice.save(update_fields=["mobile_number", "mobile_verified"])
raw, _token = issue_api_token(alice)
print(raw)
"""

# Run by `centrex shell -c`: one e-mail task for the worker.
ENQUEUE_TASK = (
    "from centrex.core.tasks import send_email; "
    "print(send_email.enqueue(['ops@provider.example'], 'Ciao', 'Ciao', '').id)"
)


@dataclass
class Answer:
    """One request of a client: when it was sent, how long it took, what came back."""

    sent_at: float
    seconds: float
    status: int | None  # None: no answer (a timeout, a refused connection)
    content_type: str = ""
    retry_after: str | None = None
    body: dict[str, Any] = field(default_factory=dict)
    error: str = ""


class Clients:
    """Threads sending one SMS each per request, at a steady pace, until stopped (or
    MAX_REQUESTS each); events mark the first 503 and the first 202 since a moment."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.answers: list[Answer] = []
        self.guard = threading.Lock()
        self.stop = threading.Event()
        self.refused = threading.Event()  # a 503 came
        self.watch_from = float("inf")
        self.accepted_since = 0  # 202s sent after watch_from
        self.accepted_again = threading.Event()  # ACCEPTED_AFTER of them
        self.accepted_before = threading.Event()  # ACCEPTED_BEFORE 202s in all
        self.threads = [
            threading.Thread(target=self._send, args=(number,), name=f"client-{number}")
            for number in range(CLIENTS)
        ]
        self.first_accepted_after: float | None = None

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(CLIENT_TIMEOUT + 5)

    def watch_for_acceptance(self, since: float) -> None:
        """From now on count the 202s of requests sent after `since`."""
        with self.guard:
            self.watch_from = since

    def _send(self, number: int) -> None:
        for sequence in range(MAX_REQUESTS):
            if self.stop.is_set():
                return
            destination = f"+39340{number:02d}{sequence:05d}"
            answer = self._post({"to": [destination], "text": f"Prova {number}-{sequence}"})
            with self.guard:
                self.answers.append(answer)
                accepted = sum(1 for a in self.answers if a.status == 202)
                if accepted >= ACCEPTED_BEFORE:
                    self.accepted_before.set()
                if answer.status == 503:
                    self.refused.set()
                if answer.status == 202 and answer.sent_at >= self.watch_from:
                    if self.first_accepted_after is None:
                        self.first_accepted_after = answer.sent_at + answer.seconds
                    self.accepted_since += 1
                    if self.accepted_since >= ACCEPTED_AFTER:
                        self.accepted_again.set()
            self.stop.wait(PACE)

    def _post(self, message: dict[str, Any]) -> Answer:
        request = urllib.request.Request(
            f"{self.url}/api/v1/sms/messages",
            data=json.dumps(message).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:
                return _answer(started, response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return _answer(started, error.code, error.headers, error.read())
        except OSError as error:
            return Answer(started, time.monotonic() - started, None, error=repr(error))


def _answer(started: float, status: int, headers: Any, content: bytes) -> Answer:
    content_type = headers.get("Content-Type", "")
    body: dict[str, Any] = {}
    if "json" in content_type:
        body = json.loads(content)
    else:
        body = {"raw": content[:300].decode(errors="replace")}
    return Answer(
        started,
        time.monotonic() - started,
        status,
        content_type,
        headers.get("Retry-After"),
        body,
    )


class World:
    """The test's PostgreSQL and programs, all stopped at the end."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.server = PrivatePostgres()
        self.server.start()
        self.url = self.server.url.rsplit("/", 1)[0] + "/centrex"
        self.admin("CREATE DATABASE centrex")
        self.programs: list[Program] = []
        self.record = directory / "received.jsonl"

    def admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server.url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(sql)

    def query(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
            return list(connection.execute(sql, parameters or None).fetchall())

    def env(self, **extra: str) -> dict[str, str]:
        environment = _environment(self.url, self.directory / "var", **extra)
        environment["CENTREX_TASK_BACKEND"] = "django_tasks_db.DatabaseBackend"
        environment["CENTREX_LOG_LEVEL"] = "WARNING"
        return environment

    def prepare(self) -> str:
        """Migrate and make the cast; the sender's API token."""
        return self.python(["-c", PREPARE], timeout=180).splitlines()[-1]

    def start(self, name: str, arguments: list[str], **extra: str) -> Program:
        log = self.directory / f"{name}.log"
        program = Program(name, [sys.executable, *arguments], self.env(**extra), log)
        self.programs.append(program)
        return program

    def shell(self, code: str) -> str:
        """What `centrex shell -c code` printed."""
        return self.python(["-m", "centrex.cli", "shell", "--no-imports", "-c", code])

    def python(self, arguments: list[str], timeout: float = 60) -> str:
        """Run Python with the programs' environment until it ends; its output."""
        done = subprocess.run(
            [sys.executable, *arguments],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip()

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            for program in self.programs:
                if program.process.poll() is not None:
                    self.fail(f"{program.name} exited ({program.process.returncode}) {what}")
            time.sleep(0.1)
        self.fail(f"timed out: {what}")

    def fail(self, what: str) -> None:
        logs = "\n".join(f"--- {p.name}\n{p.output()[-2500:]}" for p in self.programs)
        pytest.fail(f"{what}\n{logs}")

    def close(self) -> None:
        for program in self.programs:
            for pid in descendants(program.process.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            program.stop()
        self.server.remove()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    built = World(tmp_path)
    try:
        yield built
    finally:
        built.close()


def _web_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5) as response:
            return int(response.status) == 200
    except OSError:
        return False


def _get(address: str, **headers: str) -> tuple[int, str, str]:
    """Status, content type and body of a GET (with Retry-After checked on a 503)."""
    request = urllib.request.Request(address, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=CLIENT_TIMEOUT) as response:
            return int(response.status), response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        if error.code == 503:
            assert int(error.headers["Retry-After"]) >= 1
        return int(error.code), error.headers["Content-Type"], error.read().decode()


def test_postgresql_stopped_for_10_s_under_load(world: World) -> None:
    # given the portal's three services and the simulator on a PostgreSQL of the test's own
    token = world.prepare()
    simulator = world.start(
        "simulator",
        [
            "-m",
            "centrex.smsc.simulator",
            "--port",
            "0",
            "--record",
            str(world.record),
            "--receipt-delay",
            "0.1",
            "--receipt-window",
            "1000",
            "--account",
            f"{SYSTEM_ID}={PASSWORD}",
        ],
    )
    smsc_port = int(simulator.wait_for_output(r"listening on 127\.0\.0\.1:(\d+)").group(1))
    web_port = _free_port()
    url = f"http://127.0.0.1:{web_port}"
    web = world.start(
        "web", ["-m", "centrex.cli", "web", "--bind", f"127.0.0.1:{web_port}", "--workers", "1"]
    )
    worker = world.start("worker", ["-m", "centrex.cli", "worker"])
    smsd = world.start(
        "smsd",
        ["-m", "centrex.cli", "smsd", "--reconnect-max", "1"],
        CENTREX_SMSC_URL=f"smpp://{SYSTEM_ID}:{PASSWORD}@127.0.0.1:{smsc_port}?window=50",
    )
    world.wait_until(lambda: _web_answers(url), START_TIMEOUT, "waiting for the web server")
    services = {program.name: program.process.pid for program in (web, worker, smsd)}
    web_workers = descendants(web.process.pid)
    assert web_workers, "granian started no worker"

    clients = Clients(url, token)
    clients.start()
    try:
        # when, under a steady stream of SMS, PostgreSQL stops for 10 s and starts again
        assert clients.accepted_before.wait(START_TIMEOUT), "the stream never got going"
        stopping = time.monotonic()
        world.server.stop("fast")
        stopped = time.monotonic()
        assert clients.refused.wait(OUTAGE_SECONDS), "no request noticed the database gone"
        # (meanwhile an endpoint other than the intake, and a page, answer 503 too)
        assert _get(f"{url}/api/v1/me", Authorization=f"Bearer {token}")[:2] == (
            503,
            "application/problem+json",
        )
        status, content_type, page = _get(f"{url}/", Cookie="sessionid=" + "x" * 32)
        assert (status, content_type) == (503, "text/html; charset=utf-8")
        assert "Service briefly unavailable" in page
        clients.stop.wait(max(0.0, stopped + OUTAGE_SECONDS - time.monotonic()))
        world.server.start()
        restarted = time.monotonic()
        clients.watch_for_acceptance(restarted)
        assert clients.accepted_again.wait(RECOVERY_TIMEOUT), "the API did not recover"
    finally:
        clients.close()

    answers = list(clients.answers)
    during = [a for a in answers if stopping <= a.sent_at < restarted]
    refused = [a for a in answers if a.status == 503]
    accepted = [a for a in answers if a.status == 202]
    longest = max(a.seconds for a in answers)
    recovery = (clients.first_accepted_after or restarted) - restarted
    print(
        f"\noutage: {len(answers)} requests, {len(during)} during the outage, "
        f"{len(accepted)} accepted (202), {len(refused)} refused (503); longest answer "
        f"{longest:.3f} s; first 202 {recovery:.2f} s after the restart"
    )
    # then every answer was a 202 or a 503 problem+json with Retry-After, none HTML, none
    # slower than the client's timeout
    unexpected = [a for a in answers if a.status not in (202, 503)]
    assert not unexpected, unexpected[:5]
    assert longest < CLIENT_TIMEOUT
    for answer in refused:
        assert answer.content_type == "application/problem+json", answer
        assert answer.retry_after is not None and int(answer.retry_after) >= 1, answer
        assert answer.body["code"] == "service_unavailable", answer
    assert all(a.content_type.startswith("application/json") for a in accepted)
    assert refused, "nothing was refused while the database was away"

    # and every 202'd message is stored and ends delivered, by the same dispatcher
    ids = [int(a.body["id"]) for a in accepted]

    def delivered() -> bool:
        rows = world.query(
            "SELECT status, COUNT(*) FROM sms_smsmessage WHERE request_id = ANY(%s) "
            "GROUP BY status",
            ids,
        )
        return dict(rows).get("delivered", 0) == len(ids)

    world.wait_until(delivered, DELIVERY_TIMEOUT, "the accepted messages were not all delivered")
    print(
        f"outage: all {len(ids)} delivered {time.monotonic() - restarted:.2f} s after the restart"
    )
    stored = world.query("SELECT COUNT(*) FROM sms_smsrequest WHERE id = ANY(%s)", ids)[0][0]
    assert stored == len(ids)

    # and the worker, which lived through it, runs a task again
    task_id = world.shell(ENQUEUE_TASK).splitlines()[-1]

    def task_done() -> bool:
        rows = world.query(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", task_id
        )
        return bool(rows) and rows[0][0] == "SUCCESSFUL"

    world.wait_until(task_done, 30, "the worker did not run a task after the outage")

    # (both met the database gone, and said so)
    assert "database unavailable" in worker.output()
    assert "claim_failed" in smsd.output() or "record_failed" in smsd.output()
    # and nobody was restarted: the same processes, granian's workers included
    for program in (web, worker, smsd):
        assert program.process.poll() is None, f"{program.name} exited:\n{program.output()}"
        assert program.process.pid == services[program.name]
    assert descendants(web.process.pid) == web_workers
