"""`centrex run` (API.md "Runtime", issue 4): the whole portal on one machine as real processes —
web server, task worker, SMS dispatcher and the builtin SMSC simulator — in a fresh data
directory on free ports. An SMS put on the queue reaches the simulator and the developer inbox;
SIGTERM stops everything; a child that dies takes the others down with a clear message."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.plugins.processes import descendants

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0
DESTINATION = "+393471234567"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(what: str, check: Callable[[], bool], timeout: float, run: Running) -> None:
    """Poll `check` until it is true; fail naming `what` (and the output) after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if run.process.poll() is not None:
            pytest.fail(
                f"centrex run exited ({run.process.returncode}) waiting for {what}:\n{run.output()}"
            )
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{run.output()}")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Running:
    """A `centrex run` in a temporary data directory."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    data_dir: Path
    web_port: int
    smsc_port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return int(response.status), response.read().decode()
        except urllib.error.HTTPError as error:
            return int(error.code), error.read().decode()

    def answers(self) -> bool:
        try:
            return self.get("/accounts/login/")[0] == 200
        except OSError:
            return False

    def shell(self, code: str) -> str:
        """Run Python in `centrex shell` against the same database; its printed output."""
        done = subprocess.run(
            [sys.executable, "-m", "centrex.cli", "shell", "--no-imports", "-c", code],
            env=self.env,
            cwd=self.data_dir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(STOP_TIMEOUT)


def _database_url(data_dir: Path) -> Iterator[str]:
    """SQLite in the data directory, or, under `pytest --db=postgres`, a fresh database on the
    suite's private PostgreSQL, dropped afterwards."""
    if os.environ.get("CENTREX_TEST_DB") != "postgres":
        yield "sqlite:///"
        return
    import psycopg

    server = os.environ["DATABASE_URL"]
    name = f"centrex_run_{os.getpid()}_{data_dir.name[-8:]}".lower()
    name = re.sub(r"[^a-z0-9_]", "_", name)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def start_run(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """`start_run()` starts `centrex run` and waits until the web server answers; whatever is
    left running at the end of the test is killed."""
    started: list[Running] = []
    databases = _database_url(tmp_path)
    database_url = next(databases)

    def start(
        *,
        wait: bool = True,
        web_port: int | None = None,
        smsc_port: int | None = None,
        smsc_url: str = "builtin",
    ) -> Running:
        data_dir = tmp_path / "run"
        data_dir.mkdir(exist_ok=True)
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("CENTREX_", "DJANGO_", "PYTEST_")) and key != "EMAIL_URL"
        }
        env.update(
            {
                "CENTREX_DATA_DIR": str(data_dir / "var"),
                "DATABASE_URL": database_url,
                "CENTREX_SMSC_URL": smsc_url,
                "CENTREX_BUILTIN_SMSC_PORT": str(smsc_port or _free_port()),
                "CENTREX_WEB_WORKERS": "1",
                "CENTREX_SIP_LISTEN": f"127.0.0.1:{_free_port()}",
                "CENTREX_SIP_RPC": f"127.0.0.1:{_free_port()}",
                "CENTREX_LOG_LEVEL": "WARNING",
                "PYTHONPATH": str(ROOT / "src"),
            }
        )
        web = web_port or _free_port()
        log = tmp_path / f"run-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "centrex.cli", "run", "--bind", f"127.0.0.1:{web}"],
                env=env,
                cwd=data_dir,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        running = Running(process, env, data_dir, web, int(env["CENTREX_BUILTIN_SMSC_PORT"]), log)
        started.append(running)
        if wait:
            _wait_for("the web server", running.answers, START_TIMEOUT, running)
        return running

    yield start

    for running in started:
        leftovers = descendants(running.process.pid) if running.process.poll() is None else []
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait(STOP_TIMEOUT)
        for pid in leftovers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    next(databases, None)


def test_an_sms_put_on_the_queue_reaches_the_simulator_and_sigterm_stops_everything(
    start_run: Callable[..., Running],
) -> None:
    # given `centrex run` on a fresh data directory (migrated, demo data loaded)
    run = start_run()
    children = descendants(run.process.pid)
    assert len(children) >= 4, run.output()  # simulator, web, worker, dispatcher (+ granian's)
    assert _listening(run.smsc_port)

    # when an SMS of Alice's (demo data) is put on the durable queue
    message_id = run.shell(
        "from centrex.accounts.models import User\n"
        "from centrex.sms.enqueue import enqueue_sms\n"
        "from centrex.senders.resolution import Sender\n"
        "alice = User.objects.get(email='alice@esempio.example')\n"
        "request = enqueue_sms(customer=alice.customer, user=alice,\n"
        "    sender=Sender(type='alias', value='Centrex'),\n"
        "    text='Il tuo codice di verifica è 271828', destinations=['" + DESTINATION + "'])\n"
        "print(request.queued_messages[0].id)"
    )

    # then the dispatcher sends it to the simulator, which records it for the developer inbox
    record = run.data_dir / "var" / "smsc" / "received.jsonl"
    _wait_for(
        "the SMS at the simulator",
        lambda: record.is_file() and DESTINATION.removeprefix("+") in record.read_text(),
        30,
        run,
    )
    status, page = run.get("/dev/inbox/")
    assert status == 200
    assert "Il tuo codice di verifica è 271828" in page
    assert "TON 5, NPI 0" in page
    # and its delivery receipt (1 s later) is matched
    _wait_for(
        "the delivery receipt",
        lambda: (
            run.shell(
                "from centrex.sms.models import SmsMessage\n"
                f"print(SmsMessage.objects.get(id={message_id}).status)"
            )
            == "delivered"
        ),
        30,
        run,
    )
    # and the dispatcher reports to /metrics (loopback: no token needed)
    _wait_for(
        "the dispatcher's statistics",
        lambda: "centrex_smsc_dispatcher_up{" in run.get("/metrics")[1],
        30,
        run,
    )
    metrics = run.get("/metrics")[1]
    assert re.search(r"centrex_smsc_dispatcher_up\{[^}]*\} 1", metrics), metrics
    assert re.search(r"centrex_smsc_submit_sm_total\{[^}]*\} [1-9]", metrics), metrics

    # when it gets SIGTERM
    started = time.monotonic()
    code = run.stop()

    # then it stops cleanly, with every child, in time
    assert code == 0, run.output()
    assert time.monotonic() - started < STOP_TIMEOUT
    assert not [pid for pid in children if _alive(pid)]
    assert not _listening(run.web_port)
    assert not _listening(run.smsc_port)


def test_a_child_that_dies_stops_the_others_and_is_named(
    start_run: Callable[..., Running],
) -> None:
    # given a running portal
    run = start_run()
    _wait_for("the SMSC simulator", lambda: _listening(run.smsc_port), 30, run)
    children = descendants(run.process.pid)
    dispatcher = next(
        pid for pid in children if b"smsd" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    )

    # when the dispatcher is killed
    os.kill(dispatcher, signal.SIGKILL)

    # then `centrex run` says which child died and how, stops the rest and exits non-zero
    code = run.process.wait(STOP_TIMEOUT)
    assert code == 1
    assert "the SMS dispatcher (centrex smsd) was killed by SIGKILL" in run.output()
    assert not [pid for pid in children if _alive(pid)]
    assert not _listening(run.web_port)


def test_a_port_in_use_is_named_with_what_to_do(
    start_run: Callable[..., Running],
) -> None:
    # given something already listening on the web server's port
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = int(taken.getsockname()[1])

        # when
        run = start_run(wait=False, web_port=port)
        code = run.process.wait(START_TIMEOUT)

    # then it starts nothing and says what to change
    assert code == 1
    assert (
        f"centrex: the web server cannot listen on 127.0.0.1:{port}: address already in use "
        "(another centrex run?). Choose another with --bind HOST:PORT." in run.output()
    )


def test_the_simulator_s_port_in_use_is_named_with_what_to_do(
    start_run: Callable[..., Running],
) -> None:
    # given something already listening on the builtin SMSC's port
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = int(taken.getsockname()[1])

        # when
        run = start_run(wait=False, smsc_port=port)
        code = run.process.wait(START_TIMEOUT)

    # then
    assert code == 1
    assert (
        f"centrex: the builtin SMSC simulator cannot listen on 127.0.0.1:{port}: address "
        "already in use (another centrex run?). Choose another port with "
        "CENTREX_BUILTIN_SMSC_PORT." in run.output()
    )


def test_with_a_real_smsc_no_simulator_is_started(start_run: Callable[..., Running]) -> None:
    # given an SMSC of a provider (here: an address where nothing answers yet)
    provider = _free_port()

    # when
    run = start_run(smsc_url=f"smpp://centrex:secret@127.0.0.1:{provider}?window=10")

    # then the dispatcher runs beside the web server and the worker, and no simulator
    commands = [
        Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        for pid in descendants(run.process.pid)
        if _alive(pid)
    ]
    assert any(b"smsd" in argv for argv in commands)
    assert any(b"worker" in argv for argv in commands)
    assert not any(b"centrex.smsc.simulator" in argv for argv in commands)
    assert not _listening(run.smsc_port)
    assert "/dev/inbox/#sms" not in run.output()
    assert run.stop() == 0
