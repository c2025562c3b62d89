"""The `centrex` command (API.md "Runtime"): run, web, worker, demo, createoperator, and every
Django management command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

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
        # Requests beyond the threads wait in the socket backlog, not in memory.
        "--backpressure",
        threads,
        "--no-ws",
        "--log-level",
        "warning",
        "centrex.wsgi:application",
    ]
    os.execv(sys.executable, command)
    return 0  # not reached


def worker(argv: Sequence[str]) -> int:
    """The background task worker alone (e-mails, registry submissions, retries)."""
    _setup_django()
    from django.core.management import call_command

    call_command("db_worker", "--queue-name", "*", "--no-reload", *argv)
    return 0


def run(argv: Sequence[str]) -> int:
    """Everything on one machine for a first look; Ctrl-C stops all."""
    import argparse

    parser = argparse.ArgumentParser(prog="centrex run")
    parser.add_argument("--bind", default=os.environ.get("CENTREX_BIND", DEFAULT_BIND))
    parser.add_argument("--no-demo", action="store_true", help="do not load demo data")
    args = parser.parse_args(argv)
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    from centrex.accounts.models import User

    if not args.no_demo and not User.objects.exists():
        call_command("demo")
    me = [sys.executable, "-m", "centrex.cli"]
    children = [
        subprocess.Popen([*me, "web", "--bind", args.bind]),
        subprocess.Popen([*me, "worker"]),
    ]
    host, port = _split_bind(args.bind)
    print(f"Centrex Portal: http://{host}:{port}/  (Ctrl-C stops everything)", flush=True)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    return 0


COMMANDS = {"web": web, "worker": worker, "run": run}


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
