"""Communicator on Kamailio (issue 12; see benchmarks/README.md):

    .venv/bin/python benchmarks/sip.py                 # SQLite in a temporary data directory
    .venv/bin/python benchmarks/sip.py --db postgres   # a private PostgreSQL started for the run

Builds one customer with 10,000 users (benchmarks/users_list.py) and one Communicator device per
enabled user, starts `centrex sip` on loopback against that database, then measures through
the real Kamailio: REGISTERs per second (digest authentication against the credentials view),
call set-ups per second (an authenticated INVITE routed to the callee's registered device,
which answers 486), and how long a revocation (`revoke_device`) takes until the device's
registration is gone from the registrar (median, p99). A measurement, not a test: it prints
the figures and fails only if something did not work (a refused REGISTER, a call not routed,
a revocation past R-V4's 5 seconds).

The SIP client is the tests' user agent (tests/sip/agent.py, Python, one UDP socket and one
thread per device): the rates are what one such client process gets, a floor for Kamailio.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `benchmarks` and `tests` importable

from benchmarks.run import configure, describe_database, in_data_dir  # noqa: E402

if TYPE_CHECKING:
    from tests.sip.agent import Agent

START_TIMEOUT = 30.0
REVOCATION_BOUND = 5.0  # R-V4


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--registers", type=int, default=1_000, help="REGISTERs timed")
    parser.add_argument("--calls", type=int, default=300, help="call set-ups timed")
    parser.add_argument("--revocations", type=int, default=30, help="revocations timed")
    parser.add_argument("--threads", type=int, default=4, help="concurrent SIP clients")
    parser.add_argument("--children", type=int, default=2, help="Kamailio's UDP children")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class Phone:
    """A device's SIP account, as its user copied it from the page that created it."""

    extension: str
    username: str
    password: str
    device_id: int


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def add_devices(customer: Any) -> tuple[str, list[Phone]]:
    """One device per Communicator-enabled user, stored as `create_device` stores it (HA1
    digests), in bulk; returns the domain and the accounts."""
    from centrex.accounts.models import User
    from centrex.communicator import digests
    from centrex.communicator.actions import sip_domain_of
    from centrex.communicator.models import Device

    domain = sip_domain_of(customer)
    users = User.objects.filter(customer=customer, is_active=True, extension__isnull=False)
    accounts: list[tuple[str, str, str]] = []
    devices = []
    for user_id, number in users.values_list("pk", "extension__number"):
        username, password = digests.generate_sip_username(), digests.generate_sip_password()
        accounts.append((number, username, password))
        devices.append(
            Device(
                user_id=user_id,
                name="Bench",
                sip_username=username,
                ha1=digests.ha1(username, domain, password),
                ha1b=digests.ha1b(username, domain, domain, password),
            )
        )
    Device.objects.bulk_create(devices, batch_size=1000)
    ids = dict(Device.objects.values_list("sip_username", "pk"))
    return domain, [Phone(n, u, p, ids[u]) for n, u, p in accounts]


def start_registrar(data_dir: Path, children: int) -> tuple[subprocess.Popen[bytes], int, Path]:
    from django.conf import settings
    from django.db import connection
    from tests.plugins.sip import _answers_options, _free_port

    from centrex.communicator.sip_server import kamailio_database

    port, rpc_port = _free_port(), _free_port()
    rpc = f"127.0.0.1:{rpc_port}"
    log = data_dir / "kamailio.log"
    environment = {
        **os.environ,
        "DATABASE_URL": kamailio_database(connection.settings_dict)[1],
        "CENTREX_SIP_LISTEN": f"127.0.0.1:{port}",
        "CENTREX_SIP_RPC": rpc,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "centrex.cli", "sip", "--children", str(children)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while not _answers_options(("127.0.0.1", port)):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"centrex sip did not start:\n{log.read_text(errors='replace')}")
    settings.CENTREX_SIP_RPC = rpc  # revoke_device drops registrations through it
    return process, port, log


def timed(work: list[Any], threads: int, one: Any) -> tuple[float, list[float]]:
    """Wall seconds for all of `work` over `threads` clients, and each item's seconds."""

    def run(item: Any) -> float:
        started = time.perf_counter()
        one(item)
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        latencies = list(pool.map(run, work))
    return time.perf_counter() - started, latencies


def main(argv: list[str] | None = None) -> int:
    return in_data_dir(run, parse_args(argv), prefix="centrex-bench-sip-")


def run(args: argparse.Namespace, data_dir: Path) -> int:
    configure(args.db, data_dir)
    import django

    django.setup()
    from django.core.management import call_command
    from tests.sip.agent import Agent, Credentials

    from benchmarks.users_list import build_dataset
    from centrex.accounts.models import User
    from centrex.communicator.actions import revoke_device
    from centrex.communicator.models import Device, Registration

    call_command("migrate", verbosity=0)
    dataset = build_dataset(users=args.users, extensions=2 * args.users)
    domain, phones = add_devices(dataset.customer)
    process, port, log = start_registrar(data_dir, args.children)
    registrar = ("127.0.0.1", port)
    print(f"database: {describe_database()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average before: "
        + ", ".join(f"{value:.1f}" for value in os.getloadavg())
    )
    print(
        f"data: {dataset.users} users, {len(phones)} devices; Kamailio with {args.children} UDP "
        f"children; {args.threads} concurrent clients (tests/sip/agent.py)\n"
    )
    agents: list[Agent] = []

    def agent(phone: Phone) -> Agent:
        made = Agent(
            registrar, phone.extension, domain, Credentials(phone.username, phone.password)
        )
        agents.append(made)
        return made

    failures: list[str] = []
    try:
        # REGISTER: each a challenge (401) and the authenticated REGISTER (200).
        wanted = args.registers + 2 * args.calls + args.revocations
        if wanted > len(phones):
            raise SystemExit(f"only {len(phones)} devices for {wanted} registrations")
        registered = [agent(phone) for phone in phones[:wanted]]

        def register(one: Agent) -> None:
            if one.register(expires=600) != 200:
                failures.append(f"REGISTER {one.extension} refused")

        register_wall, register_latency = timed(registered, args.threads, register)

        # Call set-up: an authenticated INVITE (challenge, INVITE again) routed to the callee's
        # registered device, which answers 486.
        pairs = list(
            zip(
                registered[args.registers : args.registers + args.calls],
                registered[args.registers + args.calls : args.registers + 2 * args.calls],
                strict=True,
            )
        )

        def call(pair: tuple[Agent, Agent]) -> None:
            caller, callee = pair
            if caller.call(callee.extension) != 486:
                failures.append(f"call {caller.extension} → {callee.extension} not routed")

        call_wall, call_latency = timed(pairs, args.threads, call)

        # Revocation: revoke_device until the device's registration is gone (R-V4: ≤ 5 s).
        revocation_seconds = []
        for phone in phones[wanted - args.revocations : wanted]:
            device = Device.objects.select_related("user").get(pk=phone.device_id)
            started = time.perf_counter()
            revoke_device(device, acting_user=User.objects.get(pk=device.user_id))
            current = Registration.objects.current().filter(username=phone.extension)
            while current.exists():
                if time.perf_counter() - started > REVOCATION_BOUND:
                    failures.append(f"device of {phone.extension} still registered after 5 s")
                    break
                time.sleep(0.005)
            revocation_seconds.append(time.perf_counter() - started)
    finally:
        for made in agents:
            made.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()

    def ms(values: list[float], fraction: float) -> str:
        return f"{1000 * percentile(values, fraction):.1f}"

    print("| what | count | per second | median ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(
        f"| REGISTER (digest) | {len(register_latency)} | {len(register_latency) / register_wall:.0f}"
        f" | {ms(register_latency, 0.5)} | {ms(register_latency, 0.99)} |"
    )
    print(
        f"| call set-up (INVITE → 486) | {len(call_latency)} | {len(call_latency) / call_wall:.0f}"
        f" | {ms(call_latency, 0.5)} | {ms(call_latency, 0.99)} |"
    )
    print(
        f"| revocation until unregistered | {len(revocation_seconds)} | — |"
        f" {ms(revocation_seconds, 0.5)} | {ms(revocation_seconds, 0.99)} |"
    )
    print(f"\nmean revocation {1000 * statistics.mean(revocation_seconds):.1f} ms")
    if failures:
        print(f"\n{len(failures)} failures, the first ones:\n" + "\n".join(failures[:20]))
        print(f"(Kamailio's log: {log})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
