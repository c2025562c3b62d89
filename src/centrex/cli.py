"""The `centrex` command (API.md "Runtime"): run, web, worker, demo, createoperator, and every
Django management command."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO

DEFAULT_BIND = "127.0.0.1:8000"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrex.settings")
    import django

    django.setup()


def _split_bind(bind: str) -> tuple[str, int]:
    host, _, port = bind.rpartition(":")
    if not host or not port.isdigit():
        sys.exit(f"centrex: --bind must be HOST:PORT, not {bind!r}")
    return host.strip("[]"), int(port)


def web(argv: Sequence[str]) -> int:
    """The web/API server alone: granian serving the WSGI application."""
    import argparse

    parser = argparse.ArgumentParser(prog="centrex web")
    parser.add_argument("--bind", default=os.environ.get("CENTREX_BIND", DEFAULT_BIND))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("CENTREX_WEB_WORKERS", "0") or 0),
        help="processes (default: one per CPU core)",
    )
    args = parser.parse_args(argv)
    host, port = _split_bind(args.bind)
    workers = args.workers or os.cpu_count() or 1
    threads = os.environ.get("CENTREX_WEB_THREADS", "8")
    connections = os.environ.get("CENTREX_WEB_CONNECTIONS", "256")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrex.settings")
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        threads,
        # Granian's backpressure caps the connections a worker holds, not the requests in
        # progress: a keep-alive client (a load balancer's pool, an API client) holds one even
        # while idle, so a cap at the thread count left the 9th connection of a worker waiting
        # ~30 s for an idle one to time out (measured: benchmarks/README.md, "Sending SMS end
        # to end"). Requests beyond the threads wait in granian's queue, bounded by this.
        "--backpressure",
        connections,
        "--no-ws",
        "--log-level",
        "warning",
        "centrex.wsgi:application",
    ]
    os.execv(sys.executable, command)
    return 0  # not reached


# The worker's pauses while the database is away (issue 13), doubling from the first to the
# longest: it is back at work within WORKER_RETRY_MAX seconds of the database's return.
WORKER_RETRY_MIN = 0.5
WORKER_RETRY_MAX = 5.0


def worker(argv: Sequence[str]) -> int:
    """The background task worker alone (e-mails, registry submissions, retries).

    django_tasks_db's worker stops at the first database error that is not SQLite's lock: here
    it is started again, after a pause, while the database is away (`database_unavailable`),
    so the worker outlives a PostgreSQL restart (issue 13). A task that was running when the
    database went may stay `RUNNING` (the library cannot record its end then)."""
    _setup_django()
    import logging

    from django.core.management import call_command
    from django.db import DatabaseError, connections

    from centrex.core.outage import database_unavailable

    logger = logging.getLogger("centrex.worker")
    arguments = ["--queue-name", "*", "--no-reload", *argv]
    pause = WORKER_RETRY_MIN
    while True:
        try:
            call_command("db_worker", *arguments)
            return 0
        except DatabaseError as error:
            if not database_unavailable(error):
                raise
            logger.warning("database unavailable (%s); the worker retries in %g s", error, pause)
        for connection in connections.all(initialized_only=True):
            with contextlib.suppress(DatabaseError):
                connection.close()
        time.sleep(pause)
        pause = min(pause * 2, WORKER_RETRY_MAX)
        if "--no-startup-delay" not in arguments:
            arguments.append("--no-startup-delay")


def sip(argv: Sequence[str]) -> int:
    """The SIP registrar alone: Kamailio with the configuration generated for the portal's
    database (communicator.sip_server)."""
    _setup_django()
    from centrex.communicator.sip_server import run as run_sip_server

    return run_sip_server(argv)


def run(argv: Sequence[str]) -> int:
    """Everything on one machine for a first look (API.md "Runtime"): migrate, demo data, then
    the web server, the task worker, the SMS dispatcher, the SIP registrar when Kamailio is
    installed and, with CENTREX_SMSC_URL=builtin, the embedded SMSC simulator, as child
    processes. Ctrl-C or SIGTERM stops them all (the
    dispatcher first, so its in-flight messages are answered by the simulator); if one of them
    dies, the others are stopped and the exit code is 1."""
    import argparse

    parser = argparse.ArgumentParser(prog="centrex run")
    parser.add_argument("--bind", default=os.environ.get("CENTREX_BIND", DEFAULT_BIND))
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    args = parser.parse_args(argv)
    host, port = _split_bind(args.bind)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from centrex.communicator.sip_server import DEBIAN_PACKAGES, kamailio_installed
    from centrex.config.smsc import BUILTIN_PASSWORD, BUILTIN_SYSTEM_ID
    from centrex.devinbox.received_sms import uses_builtin_smsc

    builtin = uses_builtin_smsc()
    smsc_port = int(settings.CENTREX_BUILTIN_SMSC_PORT)
    sip = kamailio_installed()
    _require_free_port(host, port, "the web server", "Choose another with --bind HOST:PORT")
    if sip:
        sip_host, sip_port = _split_bind(settings.CENTREX_SIP_LISTEN)
        _require_free_port(
            sip_host, sip_port, "the SIP registrar", "Choose another with CENTREX_SIP_LISTEN"
        )
    if builtin:
        _require_free_port(
            "127.0.0.1",
            smsc_port,
            "the builtin SMSC simulator",
            "Choose another port with CENTREX_BUILTIN_SMSC_PORT",
        )
    call_command("migrate", "--no-input", verbosity=0)
    from centrex.accounts.models import User

    if not args.no_demo and not User.objects.exists():
        call_command("demo")

    supervisor = Supervisor()
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    me = [sys.executable, "-m", "centrex.cli"]
    try:
        if builtin:
            supervisor.start_simulator(
                [
                    sys.executable,
                    "-m",
                    "centrex.smsc.simulator",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(smsc_port),
                    "--record",
                    str(settings.CENTREX_SMSC_RECORD_PATH),
                    "--receipt-delay",
                    "1",
                    "--account",
                    f"{BUILTIN_SYSTEM_ID}={BUILTIN_PASSWORD}",
                ]
            )
        supervisor.start("web server (centrex web)", [*me, "web", "--bind", args.bind])
        supervisor.start("task worker (centrex worker)", [*me, "worker"])
        supervisor.start("SMS dispatcher (centrex smsd)", [*me, "smsd"], stop_first=True)
        if sip:
            supervisor.start("SIP registrar (centrex sip)", [*me, "sip"])
    except ChildFailed as error:
        supervisor.stop()
        print(f"centrex: {error}", file=sys.stderr, flush=True)
        return 1
    address = f"[{host}]" if ":" in host else host
    print(f"Centrex Portal: http://{address}:{port}/  (Ctrl-C stops everything)", flush=True)
    if builtin:
        print(
            f"SMS go to the builtin SMSC simulator on 127.0.0.1:{smsc_port}; read them (and "
            f"every verification code) at http://{address}:{port}/dev/inbox/#sms",
            flush=True,
        )
    if sip:
        print(
            f"Communicator devices register on sip:{settings.CENTREX_SIP_PUBLIC} (Kamailio)",
            flush=True,
        )
    else:
        print(
            f"Kamailio is not installed, so the SIP registrar does not run "
            f"(apt-get install {DEBIAN_PACKAGES})",
            flush=True,
        )
    failure = supervisor.wait()
    supervisor.stop()
    if failure is not None:
        print(f"centrex: {failure}; the others were stopped.", file=sys.stderr, flush=True)
        return 1
    return 0


class ChildFailed(Exception):
    """A child of `centrex run` could not start or stopped by itself."""


class _Child:
    def __init__(self, name: str, process: subprocess.Popen[bytes], stop_first: bool) -> None:
        self.name = name
        self.process = process
        self.stop_first = stop_first

    def describe_exit(self) -> str:
        code = self.process.returncode
        if code is not None and code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"stopped with exit code {code}"
        return f"the {self.name} {how}"


class Supervisor:
    """The children of `centrex run`: each started in a process group of its own (so Ctrl-C in
    the terminal reaches only `centrex run`, which stops them in order), watched, and stopped:
    the dispatcher, the web server and the worker get SIGTERM at once, and the SMSC simulator
    only once the dispatcher (`stop_first`) has finished its in-flight work, within
    `FIRST_GRACE` seconds, so every `submit_sm` it sent still gets its answer. A child that
    outlives its grace is killed with its whole process group (granian's workers too)."""

    FIRST_GRACE = 20.0
    GRACE = 10.0
    SIMULATOR_START = 15.0
    POLL = 0.2

    def __init__(self) -> None:
        self.children: list[_Child] = []
        self.simulator: _Child | None = None
        self.stopping = False
        self._preexec = _parent_death_signal()

    def request_stop(self, signum: int, frame: object) -> None:
        """Signal handler: stop at the next poll; a second Ctrl-C kills what is left."""
        if self.stopping:
            for child in self._all():
                _kill(child)
        self.stopping = True

    def start(self, name: str, command: list[str], *, stop_first: bool = False) -> None:
        """Start a child (nothing once a stop was requested)."""
        if self.stopping:
            return
        process = subprocess.Popen(command, process_group=0, preexec_fn=self._preexec)
        self.children.append(_Child(name, process, stop_first))

    def start_simulator(self, command: list[str]) -> None:
        """Start the SMSC simulator and wait until it listens (it says so on stderr); its
        further output is copied to ours."""
        import threading

        if self.stopping:
            return
        process = subprocess.Popen(
            command, process_group=0, preexec_fn=self._preexec, stderr=subprocess.PIPE
        )
        self.simulator = _Child("builtin SMSC simulator", process, stop_first=False)
        assert process.stderr is not None
        lines = _lines_until(process, "listening on", self.SIMULATOR_START)
        if not lines or "listening on" not in lines[-1]:
            if process.poll() is None:
                process.kill()
            process.wait()
            said = "\n".join(lines[-5:])
            hint = ""
            if "address already in use" in said.lower():
                hint = " (its port is in use: choose another with CENTREX_BUILTIN_SMSC_PORT)"
            raise ChildFailed(
                f"the builtin SMSC simulator did not start{hint}:\n{said or '(no output)'}"
            )
        stream = process.stderr
        threading.Thread(target=_copy_lines, args=(stream,), daemon=True).start()

    def wait(self) -> str | None:
        """Until a stop is requested (None) or a child stops by itself (what happened)."""
        while not self.stopping:
            for child in self._all():
                if child.process.poll() is not None:
                    return child.describe_exit()
            time.sleep(self.POLL)
        return None

    def stop(self) -> None:
        """SIGTERM to the dispatcher, web server and worker at once; the simulator once the
        dispatcher is gone. Whoever outlives its grace period is killed."""
        self.stopping = True
        first = [child for child in self.children if child.stop_first]
        others = [child for child in self.children if not child.stop_first]
        for child in [*first, *others]:
            _terminate(child)
        _wait_or_kill(first, self.FIRST_GRACE)
        _wait_or_kill(others, self.GRACE)
        if self.simulator is not None:
            _terminate(self.simulator)
            _wait_or_kill([self.simulator], self.GRACE)

    def _all(self) -> list[_Child]:
        return [*([self.simulator] if self.simulator else []), *self.children]


def _terminate(child: _Child) -> None:
    if child.process.poll() is None:
        child.process.terminate()


def _wait_or_kill(children: list[_Child], grace: float) -> None:
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"centrex: the {child.name} did not stop in time; killed.", file=sys.stderr)
            _kill(child)
            child.process.wait()


def _kill(child: _Child) -> None:
    """SIGKILL to the child's process group (it leads one: `process_group=0`)."""
    if child.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signal.SIGKILL)


def _parent_death_signal() -> Callable[[], None] | None:
    """A function for `preexec_fn` that makes the child get SIGTERM when `centrex run` dies
    (even by kill -9), so no process is left behind; None where prctl(2) is missing. Looked up
    here, in the parent: between fork and exec the child must not import or load anything."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_parent_death_signal() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return set_parent_death_signal


def _lines_until(process: subprocess.Popen[bytes], marker: str, timeout: float) -> list[str]:
    """The child's stderr lines up to one holding `marker`, the end of its output, or the
    timeout (then the lines so far)."""
    import selectors

    assert process.stderr is not None
    lines: list[str] = []
    buffer = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                break
            buffer += chunk
            while b"\n" in buffer:
                raw, buffer = buffer.split(b"\n", 1)
                line = raw.decode(errors="replace")
                lines.append(line)
                if marker in line:
                    if buffer:
                        sys.stderr.write(buffer.decode(errors="replace"))
                    return lines
    if buffer:
        lines.append(buffer.decode(errors="replace"))
    return lines


def _copy_lines(stream: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        sys.stderr.write(line.decode(errors="replace"))
        sys.stderr.flush()


def _require_free_port(host: str, port: int, what: str, hint: str) -> None:
    """Exit with a clear message if `host:port` is taken (another `centrex run`?)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.create_server((host, port), family=family):
            pass
    except OSError as error:
        reason = os.strerror(error.errno).lower() if error.errno else str(error)
        busy = " (another centrex run?)" if error.errno == errno.EADDRINUSE else ""
        sys.exit(f"centrex: {what} cannot listen on {host}:{port}: {reason}{busy}. {hint}.")


COMMANDS = {"web": web, "worker": worker, "sip": sip, "run": run}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        return COMMANDS[args[0]](args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "centrex.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["centrex", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
