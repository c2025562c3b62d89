"""End-to-end SMS benchmark (issue 5; see benchmarks/README.md "Sending SMS end to end"):

    .venv/bin/python benchmarks/send.py                        # SQLite and PostgreSQL
    .venv/bin/python benchmarks/send.py --db sqlite --web 1x8,2x4,2x8 --runs 1

`centrex web` (granian), `centrex smsd` and the builtin SMSC simulator as processes; a load
generator in this process (asyncio, raw HTTP/1.1 with keep-alive, its own CPU measured) sends
single-recipient `POST /api/v1/sms/messages` with a bearer token, each to a destination of its
own, and finds that destination's `submit_sm` in the simulator's record. Per run: an offered
100 SMS/s for `--low-seconds`, then concurrency `--concurrency` as fast as answers come for
`--seconds`; then every receipt must be matched. Prints a table (median of `--runs` runs) and
what limited the rate; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: the repository root makes `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import processes
from benchmarks.engine import (
    WAITING,
    Database,
    Databases,
    database_description,
    limiting_resource,
    run_with_databases,
)
from benchmarks.processes import (
    PYTHON,
    BenchmarkError,
    Child,
    CpuMeter,
    environment,
    postgres_server_pid,
    self_cpu_seconds,
    smsc_url,
    start,
    start_simulator,
    stop,
)
from benchmarks.report import print_cpu, print_machine, print_markdown_table

TARGET_RATE = 2_500.0  # SMS/s sustained, request → queue (issue 5)
TARGET_P99_FULL_MS = 100.0  # request start → submit_sm at the SMSC, at full load
TARGET_P99_LOW_MS = 50.0  # the same at an offered 100 SMS/s
LOW_RATE = 100.0
REQUEST_TIMEOUT = 30.0  # seconds; a request without an answer by then counts as an error
PATH = "/api/v1/sms/messages"
DESTINATION_PREFIX = "+39347"  # + 7 digits, unique per request: Italian mobiles


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--web",
        default="default",
        help="web server configurations to run, comma-separated: WORKERSxTHREADS, or "
        "`default` (`centrex web` as it starts without options)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median reported)")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight")
    parser.add_argument("--seconds", type=float, default=15.0, help="full-load phase")
    parser.add_argument("--low-seconds", type=float, default=20.0, help="100 SMS/s phase")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds, not measured")
    parser.add_argument(
        "--history",
        type=int,
        default=100_000,
        help="delivered messages in the database before the run, as a portal in service has "
        "(0: empty tables, a fresh install; see benchmarks/README.md)",
    )
    parser.add_argument("--receipt-delay", type=float, default=0.5, help="seconds (simulator)")
    parser.add_argument("--window", type=int, default=100, help="dispatcher's window")
    parser.add_argument("--postgres-url", help="a PostgreSQL server to use (see engine.py)")
    parser.add_argument("--timeout", type=float, default=120.0, help="bound of each wait, s")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument(
        "--one-session",
        action="store_true",
        help="start the services in the benchmark's own session (one scheduling group), as "
        "before 2026-12-07; by default each has a session of its own, as services in production",
    )
    args = parser.parse_args(argv)
    args.kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    try:
        args.web_configs = [
            (0, 0)
            if config.strip() == "default"
            else tuple(int(part) for part in config.lower().split("x"))
            for config in args.web.split(",")
            if config.strip()
        ]
    except ValueError:
        parser.error("--web takes WORKERSxTHREADS or `default`, e.g. default,2x1,3x2")
    if not args.web_configs or any(
        len(config) != 2 or (min(config) < 1 and config != (0, 0)) for config in args.web_configs
    ):
        parser.error("--web takes WORKERSxTHREADS or `default`, e.g. default,2x1,3x2")
    if args.runs < 1 or args.concurrency < 1 or args.seconds <= 0 or args.low_seconds <= 0:
        parser.error("--runs, --concurrency, --seconds and --low-seconds must be positive")
    if args.history < 0:
        parser.error("--history must be 0 or more")
    # Databases (engine.py) reads these (and args.history).
    args.queued = 0
    return args


# --- The load generator ------------------------------------------------------------------------


@dataclass
class Shot:
    """One request: when it was due or sent and when its answer came (wall clock, seconds),
    its status and its destination."""

    start: float
    end: float
    status: int
    destination: str


class HttpClient(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection sending the same request shape, as lean as it can be
    so the generator stays small next to the server: a protocol whose `data_received` reads the
    answer and resolves the request's future (no stream reader, no timeout object per request:
    `LoadGenerator.watch` closes a connection whose answer is REQUEST_TIMEOUT late)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        ).encode()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.answer: asyncio.Future[tuple[int, bool]] | None = None
        self.sent_at = 0.0  # monotonic, of the request waiting for its answer

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_connection(lambda: self, "127.0.0.1", self.port)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer.clear()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self._answer(0, True)  # the server closed it, or the watch did

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        length = 0
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            lowered = name.strip().lower()
            if lowered == b"content-length":
                length = int(value)
            elif lowered == b"connection" and value.strip().lower() == b"close":
                close = True
        if len(self.buffer) < end + 4 + length:
            return  # the body is still on its way
        del self.buffer[: end + 4 + length]
        self._answer(int(head[9:12]), close)

    def _answer(self, status: int, close: bool) -> None:
        answer, self.answer = self.answer, None
        if answer is not None and not answer.done():
            answer.set_result((status, close))

    def late(self, now: float) -> bool:
        return self.answer is not None and now - self.sent_at > REQUEST_TIMEOUT

    async def post(self, number: int, start: float | None = None) -> Shot:
        destination = f"{DESTINATION_PREFIX}{number:07d}"
        body = b'{"to":["%s"],"text":"Benchmark %d"}' % (destination.encode(), number)
        request = self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body
        if self.transport is None or self.transport.is_closing():
            try:
                await self.connect()
            except OSError:
                return Shot(
                    start if start is not None else time.time(), time.time(), 0, destination
                )
        assert self.transport is not None
        self.answer = asyncio.get_running_loop().create_future()
        self.sent_at = time.monotonic()
        sent = time.time()
        self.transport.write(request)
        status, close = await self.answer
        if close and self.transport is not None:
            self.transport.close()  # status 0 (no answer) or the server's Connection: close
        return Shot(start if start is not None else sent, time.time(), status, destination)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class LoadGenerator:
    def __init__(self, port: int, token: str, concurrency: int) -> None:
        self.clients = [HttpClient(port, token) for _ in range(concurrency)]
        self.next_number = 0

    def number(self) -> int:
        self.next_number += 1
        return self.next_number

    async def connect(self) -> None:
        await asyncio.gather(*(client.connect() for client in self.clients))

    async def watch(self) -> None:
        """Close every connection whose answer is REQUEST_TIMEOUT late: that request counts as
        an error (status 0) and the connection's next request reconnects."""
        while True:
            await asyncio.sleep(1.0)
            now = time.monotonic()
            for client in self.clients:
                if client.late(now) and client.transport is not None:
                    client.transport.abort()

    async def closed_loop(self, seconds: float) -> list[Shot]:
        """Every connection sends its next request as soon as the last one is answered."""
        shots: list[Shot] = []
        until = time.monotonic() + seconds

        async def worker(client: HttpClient) -> None:
            while time.monotonic() < until:
                shots.append(await client.post(self.number()))

        await asyncio.gather(*(worker(client) for client in self.clients))
        return shots

    async def open_loop(self, rate: float, seconds: float) -> list[Shot]:
        """One request every 1/rate seconds whatever the answers; latency counts from when it
        was due (a request that waits for a free connection is late, not excused)."""
        shots: list[Shot] = []
        free: asyncio.Queue[HttpClient] = asyncio.Queue()
        for client in self.clients:
            free.put_nowait(client)
        tasks: set[asyncio.Task[None]] = set()
        begin = time.monotonic()
        wall_begin = time.time()
        total = int(rate * seconds)

        async def send(due: float) -> None:
            client = await free.get()
            try:
                shots.append(await client.post(self.number(), start=due))
            finally:
                free.put_nowait(client)

        for index in range(total):
            offset = index / rate
            delay = begin + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(send(wall_begin + offset))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        return shots

    def close(self) -> None:
        for client in self.clients:
            client.close()


# --- One run -----------------------------------------------------------------------------------


@dataclass
class Phase:
    shots: list[Shot]
    seconds: float
    ok: int
    errors: dict[int, int]
    http_ms: dict[str, float]
    submit_ms: dict[str, float]  # request start → submit_sm at the SMSC
    submit_rate: float  # submit_sm/s at the SMSC for this phase's messages
    missing: int  # accepted requests whose submit_sm never came


@dataclass
class SendResult:
    case: str
    low: Phase
    full: Phase
    rate: float  # accepted requests/s at full load
    cpu: dict[str, float]
    limit: str
    delivered: int  # messages of this run delivered (warm-up included)
    accepted: int  # requests answered 202 (warm-up included)


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)
    return {
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
    }


def _phase(shots: list[Shot], seconds: float, received: dict[str, float]) -> Phase:
    ok = [shot for shot in shots if shot.status == 202]
    errors: dict[int, int] = {}
    for shot in shots:
        if shot.status != 202:
            errors[shot.status] = errors.get(shot.status, 0) + 1
    submit = [
        (received[shot.destination] - shot.start) * 1000
        for shot in ok
        if shot.destination in received
    ]
    times = sorted(received[shot.destination] for shot in ok if shot.destination in received)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    return Phase(
        shots=shots,
        seconds=seconds,
        ok=len(ok),
        errors=errors,
        http_ms=_percentiles([(shot.end - shot.start) * 1000 for shot in shots]),
        submit_ms=_percentiles(submit),
        submit_rate=(len(times) - 1) / span if span > 0 else 0.0,
        missing=len(ok) - len(submit),
    )


def _received(record: Path) -> dict[str, float]:
    """destination (E.164) → when the simulator received it (epoch seconds)."""
    found: dict[str, float] = {}
    if not record.exists():
        return found
    with record.open(encoding="utf-8") as lines:
        for line in lines:
            entry = json.loads(line)
            found["+" + entry["destination_addr"]] = datetime.fromisoformat(
                entry["time"]
            ).timestamp()
    return found


def _web_answers(port: int, token: str) -> bool:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/sms/senders",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            senders = json.loads(response.read())["senders"]
    except (OSError, ValueError, urllib.error.URLError):
        return False
    if not senders:
        raise BenchmarkError("the benchmark user may not send: GET /sms/senders is empty")
    return True


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(what: str, check: Callable[[], bool], timeout: float, children: list[Child]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        for child in children:
            child.check()
        time.sleep(0.1)
    raise BenchmarkError(f"timed out waiting for {what}")


def run_case(
    case: str, database: Database, workers: int, threads: int, args: argparse.Namespace
) -> SendResult:
    token = str(database.built["token"])
    base = environment(database.data_dir, database.url)
    simulator = start_simulator(database.data_dir, base, receipt_delay=args.receipt_delay)
    children: list[Child] = [simulator.child]
    try:
        # workers and threads 0: `centrex web`'s own defaults.
        options = {"CENTREX_WEB_THREADS": str(threads)} if threads else {}
        env = environment(
            database.data_dir,
            database.url,
            CENTREX_SMSC_URL=smsc_url(simulator.port, window=args.window),
            CENTREX_SMS_USER_RATE="0",
            CENTREX_SMS_CUSTOMER_RATE="0",
            **options,
        )
        port = _free_port()
        command = [PYTHON, "-m", "centrex.cli", "web", "--bind", f"127.0.0.1:{port}"]
        if workers:
            command += ["--workers", str(workers)]
        web = start("web server", command, env, database.data_dir / "web.log")
        smsd = start(
            "dispatcher", [PYTHON, "-m", "centrex.cli", "smsd"], env, database.data_dir / "smsd.log"
        )
        children += [web, smsd]
        _wait("the web server", lambda: _web_answers(port, token), args.timeout, children)
        generator = LoadGenerator(port, token, args.concurrency)
        meter = CpuMeter()
        meter.add("web", web.pid, tree=True)
        meter.add("dispatcher", smsd.pid)
        meter.add("simulator", simulator.child.pid)
        postmaster = (
            postgres_server_pid(urlsplit(database.url).port or 5432)
            if database.kind == "postgres"
            else None
        )
        if postmaster is not None:
            meter.add("database", postmaster, tree=True)

        async def drive() -> tuple[list[Shot], list[Shot], list[Shot], float, float, float]:
            await generator.connect()
            watch = asyncio.create_task(generator.watch())
            warm = await generator.closed_loop(args.warmup)
            await asyncio.sleep(1.0)  # let the warm-up's messages leave the queue
            low = await generator.open_loop(LOW_RATE, args.low_seconds)
            await asyncio.sleep(1.0)
            meter.start()
            cpu_before = self_cpu_seconds()
            started = time.monotonic()
            full = await generator.closed_loop(args.seconds)
            seconds = time.monotonic() - started
            meter.sample()
            generator_cpu = self_cpu_seconds() - cpu_before
            watch.cancel()
            return warm, low, full, seconds, generator_cpu, meter.wall

        async def drive_and_close() -> tuple[
            list[Shot], list[Shot], list[Shot], float, float, float
        ]:
            try:
                return await drive()
            finally:
                generator.close()

        warm_shots, low_shots, full_shots, seconds, generator_cpu, wall = asyncio.run(
            drive_and_close()
        )
        cpu = meter.shares()
        cpu["generator"] = generator_cpu / max(wall, 1e-6)
        cpu["other"] = max(0.0, cpu["other"] - cpu["generator"])
        accepted = sum(1 for shot in [*warm_shots, *low_shots, *full_shots] if shot.status == 202)

        def settled() -> bool:
            rows = database.query(
                "SELECT COUNT(*) FROM sms_smsmessage WHERE status IN ('queued', 'submitted')"
            )
            return int(rows[0][0]) == 0

        _wait("every receipt matched", settled, args.timeout, children)
        rows = database.query("SELECT COUNT(*) FROM sms_smsmessage WHERE status = 'delivered'")
        delivered = int(rows[0][0]) - args.history  # the history is all delivered
    finally:
        stop(children)
    received = _received(simulator.record_path)
    low = _phase(low_shots, args.low_seconds, received)
    full = _phase(full_shots, seconds, received)
    return SendResult(
        case=case,
        low=low,
        full=full,
        rate=full.ok / seconds,
        cpu=cpu,
        limit=limiting_resource(
            cpu,
            database_measured=database.kind == "sqlite" or "database" in cpu,
            waiting=WAITING[database.kind],
            capacity={"web": workers or os.cpu_count() or 1, "database": os.cpu_count() or 1},
        ),
        delivered=delivered,
        accepted=accepted,
    )


# --- Report ------------------------------------------------------------------------------------


def summarize(results: list[SendResult]) -> dict[str, Any]:
    def med(get: Callable[[SendResult], float]) -> float:
        return statistics.median(get(result) for result in results)

    names = sorted({name for result in results for name in result.cpu})
    middle = sorted(results, key=lambda r: r.rate)[len(results) // 2]
    return {
        "rate": med(lambda r: r.rate),
        "submit_rate": med(lambda r: r.full.submit_rate),
        "http_p50": med(lambda r: r.full.http_ms["p50"]),
        "http_p99": med(lambda r: r.full.http_ms["p99"]),
        "submit_p50": med(lambda r: r.full.submit_ms["p50"]),
        "submit_p99": med(lambda r: r.full.submit_ms["p99"]),
        "low_http_p99": med(lambda r: r.low.http_ms["p99"]),
        "low_p50": med(lambda r: r.low.submit_ms["p50"]),
        "low_p99": med(lambda r: r.low.submit_ms["p99"]),
        "errors": sum(sum(r.full.errors.values()) + sum(r.low.errors.values()) for r in results),
        "missing": sum(r.full.missing + r.low.missing for r in results),
        "all_delivered": all(r.delivered == r.accepted for r in results),
        "cpu": {name: statistics.median(r.cpu.get(name, 0.0) for r in results) for name in names},
        "limit": middle.limit,
    }


def print_table(summary: dict[str, dict[str, Any]]) -> None:
    columns = [
        ("case", 22),
        ("SMS/s", 6),
        ("submit/s", 8),
        ("HTTP p50", 8),
        ("HTTP p99", 8),
        ("→SMSC p50", 9),
        ("→SMSC p99", 9),
        ("@100/s HTTP p99", 15),
        ("@100/s p50", 10),
        ("@100/s p99", 10),
        ("errors", 6),
        ("receipts", 8),
    ]
    rows = [
        [
            f"{case:<22}",
            f"{row['rate']:>6,.0f}",
            f"{row['submit_rate']:>8,.0f}",
            f"{row['http_p50']:>8.1f}",
            f"{row['http_p99']:>8.1f}",
            f"{row['submit_p50']:>9.1f}",
            f"{row['submit_p99']:>9.1f}",
            f"{row['low_http_p99']:>15.1f}",
            f"{row['low_p50']:>10.1f}",
            f"{row['low_p99']:>10.1f}",
            f"{row['errors'] + row['missing']:>6}",
            f"{'all' if row['all_delivered'] else 'MISSING':>8}",
        ]
        for case, row in summary.items()
    ]
    print_markdown_table(columns, rows)
    print_cpu(
        summary,
        "CPU at full load, share of one core (median of the runs), the CPU each SMS cost, and "
        "the limit:",
        limit_of="limit",
    )


def verdict(summary: dict[str, dict[str, Any]]) -> int:
    missed = []
    for case, row in summary.items():
        if row["rate"] < TARGET_RATE:
            missed.append(f"{case}: {row['rate']:,.0f} SMS/s < {TARGET_RATE:,.0f}")
        if not row["submit_p99"] < TARGET_P99_FULL_MS:
            missed.append(f"{case}: p99 to submit_sm {row['submit_p99']:.0f} ms at full load")
        if not row["low_p99"] < TARGET_P99_LOW_MS:
            missed.append(f"{case}: p99 to submit_sm {row['low_p99']:.0f} ms at 100 SMS/s")
        if row["errors"] or row["missing"] or not row["all_delivered"]:
            missed.append(f"{case}: errors, lost submits or unmatched receipts")
    if missed:
        print("\ntargets missed:\n- " + "\n- ".join(missed))
        return 1
    print(
        f"\nevery target met: ≥ {TARGET_RATE:,.0f} SMS/s, p99 < {TARGET_P99_FULL_MS:.0f} ms at "
        f"full load and < {TARGET_P99_LOW_MS:.0f} ms at {LOW_RATE:.0f} SMS/s, every receipt matched"
    )
    return 0


def _errors_note(result: SendResult) -> str:
    errors: dict[int, int] = {}
    for phase in (result.low, result.full):
        for status, count in phase.errors.items():
            errors[status] = errors.get(status, 0) + count
    missing = result.low.missing + result.full.missing
    notes = [f"HTTP {status or 'closed or timed out'}: {count}" for status, count in errors.items()]
    if missing:
        notes.append(f"never reached the SMSC: {missing}")
    return f"; errors: {', '.join(notes)}" if notes else ""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    processes.OWN_SESSIONS = not args.one_session
    return run_with_databases(args, "centrex-send-", run)


def run(args: argparse.Namespace, databases: Databases) -> int:
    print_machine("End-to-end SMS benchmark")
    print(
        f"per run: {args.history:,} delivered messages of history, {args.warmup:.0f} s warm-up, "
        f"{LOW_RATE:.0f} SMS/s offered for "
        f"{args.low_seconds:.0f} s, then concurrency {args.concurrency} for "
        f"{args.seconds:.0f} s; receipts after {args.receipt_delay} s; {args.runs} run(s); "
        f"{processes.scheduling()}\n",
        flush=True,
    )
    summary: dict[str, dict[str, Any]] = {}
    for kind in args.kinds:
        for workers, threads in args.web_configs:
            case = f"{kind} web {f'{workers}×{threads}' if workers else 'default'}"
            results = []
            for number in range(args.runs):
                database = databases.clone(kind, token=True)
                try:
                    result = run_case(case, database, workers, threads, args)
                finally:
                    databases.drop(database)
                results.append(result)
                print(
                    f"{case} run {number + 1}: {result.rate:,.0f} SMS/s, →SMSC p99 "
                    f"{result.full.submit_ms['p99']:.0f} ms (at 100/s "
                    f"{result.low.submit_ms['p99']:.0f} ms), CPU "
                    + ", ".join(f"{name} {share:.0%}" for name, share in result.cpu.items())
                    + _errors_note(result),
                    flush=True,
                )
            summary[case] = summarize(results)
    print()
    for kind in args.kinds:
        print(f"{kind}: {database_description(kind, databases.server_url)}")
    print()
    print_table(summary)
    return verdict(summary)


if __name__ == "__main__":
    sys.exit(main())
