"""SMS engine benchmark (issue 4; see benchmarks/README.md "SMS engine"):

    .venv/bin/python benchmarks/engine.py                       # SQLite ×1, PostgreSQL ×1 and ×2
    .venv/bin/python benchmarks/engine.py --cases sqlite-1 --runs 5 --queued 50000

From rows already queued to `submit_sm` at the SMSC: a database holding 1,000,000 messages
(900,000 delivered, 100,000 queued and due), the builtin SMSC simulator as a process (receipts
requested, sent after `--receipt-delay`), `centrex smsd` process(es). Measures the sending rate,
how soon each delivery receipt is matched, the dispatcher's peak memory and the CPU each process
used, for each case (median of `--runs` runs, each on a fresh copy of the database). Prints a
table and the resource that limited each case; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

if __package__ in (None, ""):  # run as a script: the repository root makes `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.processes import (
    PYTHON,
    ROOT,
    BenchmarkError,
    Child,
    CpuMeter,
    Simulator,
    environment,
    peak_rss_mib,
    postgres_server_pid,
    smsc_url,
    start,
    start_simulator,
    stop,
    stop_on_sigterm,
)
from benchmarks.report import print_cpu, print_machine, print_markdown_table

TARGET_RATE = 5_000.0  # messages/s from the queue to submit_sm (issue 4)
TARGET_RECEIPT_MS = 1_000.0  # every receipt matched within 1 s of its arrival
TARGET_RSS_MIB = 150.0
# What a run waits on when no process is at its full CPU and cores are left.
WAITING = {
    "sqlite": "likely SQLite's single writer: one write transaction at a time",
    "postgres": "likely round trips and commits to the database",
}
CASES = {"sqlite-1": ("sqlite", 1), "postgres-1": ("postgres", 1), "postgres-2": ("postgres", 2)}
# A process using at least this share of one core is taken as saturated (Python runs one
# thread at a time; a busy process never shows exactly 100 % on a shared box).
SATURATED = 0.85


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cases",
        default="sqlite-1,postgres-1,postgres-2",
        help=f"comma-separated, of {', '.join(CASES)}",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median reported)")
    parser.add_argument("--queued", type=int, default=100_000, help="messages to send per run")
    parser.add_argument(
        "--history", type=int, default=900_000, help="messages already delivered in the table"
    )
    parser.add_argument("--receipt-delay", type=float, default=0.5, help="seconds (simulator)")
    parser.add_argument("--window", type=int, default=250, help="submit_sm in flight per bind")
    parser.add_argument("--binds", type=int, default=2, help="binds per dispatcher")
    parser.add_argument(
        "--postgres-url",
        help="a PostgreSQL server to use (postgres://user@host:port/db; databases are created "
        "and dropped on it) instead of a private cluster started for the run",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="bound of one run, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    args.case_list = [case.strip() for case in args.cases.split(",") if case.strip()]
    unknown = [case for case in args.case_list if case not in CASES]
    if unknown or not args.case_list:
        parser.error(f"unknown case(s) {unknown}; choose among {', '.join(CASES)}")
    if args.runs < 1 or args.queued < 1 or args.history < 0:
        parser.error("--runs and --queued must be at least 1, --history at least 0")
    return args


# --- Databases: built once per kind, cloned for every run -----------------------------------


@dataclass
class Database:
    """One database a run uses: its URL, where its files are, how to read it directly."""

    kind: str
    url: str
    data_dir: Path
    built: dict[str, Any]

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Raw SQL from the benchmark process (no Django here)."""
        if self.kind == "sqlite":
            with sqlite3.connect(self.data_dir / "centrex.sqlite3", timeout=30) as connection:
                return list(connection.execute(sql.replace("%s", "?"), params))
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            return list(connection.execute(sql, params))


class Databases:
    """Builds a template database per kind (migrated, history and queue inserted, statistics
    fresh) in a process of its own, then hands out copies: a file copy for SQLite, `CREATE
    DATABASE … TEMPLATE` for PostgreSQL."""

    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work = work
        self.args = args
        self.templates: dict[str, Database] = {}
        self.server_url: str | None = args.postgres_url
        self.clones = 0

    def template(self, kind: str, *, token: bool = False) -> Database:
        if kind not in self.templates:
            data_dir = self.work / f"template-{kind}"
            data_dir.mkdir()
            if kind == "sqlite":
                url = "sqlite:///"
            else:
                url = self._server_database("centrex_bench_template")
            print(
                f"building the {kind} database: {self.args.history:,} delivered + "
                f"{self.args.queued:,} queued messages …",
                flush=True,
            )
            command = [
                PYTHON,
                str(ROOT / "benchmarks" / "sms_database.py"),
                "--data-dir",
                str(data_dir),
                "--database-url",
                url,
                "--history",
                str(self.args.history),
                "--queued",
                str(self.args.queued),
            ]
            if token:
                command.append("--token")
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=1800, check=False
            )
            if done.returncode != 0:
                raise BenchmarkError(f"building the {kind} database failed:\n{done.stderr}")
            built = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  built in {built['seconds']} s", flush=True)
            metrics = built["metrics_ms"]
            print(
                f"  /metrics on this table: queue depth {metrics['queue_depth']} ms (waiting "
                f"statuses, claim index), GROUP BY every status {metrics['every_status']} ms, "
                f"whole page {metrics['whole_page']} ms",
                flush=True,
            )
            self.templates[kind] = Database(kind, url, data_dir, built)
        return self.templates[kind]

    def clone(self, kind: str, *, token: bool = False) -> Database:
        template = self.template(kind, token=token)
        self.clones += 1
        data_dir = self.work / f"run-{self.clones}"
        data_dir.mkdir()
        shutil.copy2(template.data_dir / "secret_key", data_dir / "secret_key")
        if kind == "sqlite":
            shutil.copy2(template.data_dir / "centrex.sqlite3", data_dir / "centrex.sqlite3")
            return Database(kind, "sqlite:///", data_dir, template.built)
        name = f"centrex_bench_run_{self.clones}"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "centrex_bench_template"')
        return Database(kind, self._with_name(name), data_dir, template.built)

    def drop(self, database: Database) -> None:
        """Remove a run's database; its directory (the services' logs) stays with `--keep`."""
        keep = getattr(self.args, "keep", False)
        if database.kind == "postgres":
            name = urlsplit(database.url).path.lstrip("/")
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not keep:
            shutil.rmtree(database.data_dir, ignore_errors=True)

    def close(self) -> None:
        if self.server_url and "postgres" in self.templates:
            self._execute('DROP DATABASE IF EXISTS "centrex_bench_template" WITH (FORCE)')

    def server(self) -> str:
        if self.server_url is None:
            sys.path.insert(0, str(ROOT))
            from tests.plugins.postgres import start_postgres

            self.server_url = start_postgres()  # stopped when this process exits
        return self.server_url

    def _server_database(self, name: str) -> str:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{name}"')
        return self._with_name(name)

    def _with_name(self, name: str) -> str:
        return urlsplit(self.server())._replace(path=f"/{name}").geturl()

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server(), autocommit=True) as connection:
            connection.execute(sql)


def database_description(kind: str, server_url: str | None) -> str:
    if kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (WAL, file on local disk)"
    import psycopg

    assert server_url is not None
    with psycopg.connect(server_url) as connection:
        version = connection.info.server_version
    return f"PostgreSQL {version // 10000}.{version % 10000}"


# --- One run ---------------------------------------------------------------------------------


@dataclass
class RunResult:
    case: str
    messages: int
    startup_s: float  # dispatcher(s) started → first submit_sm at the SMSC
    send_s: float  # first → last submit_sm at the SMSC
    rate: float  # messages/s over send_s
    all_matched_after_s: float  # last submit_sm → every message delivered in the database
    receipt_ms: dict[str, float]  # arrival at the dispatcher → matched (p50, p99, max)
    due_ms: dict[str, float]  # receipt due at the SMSC → matched (p50, p99, max)
    rss_mib: float  # peak of the dispatcher(s), the largest
    cpu: dict[str, float]  # share of one core during the sending, per process group
    limit: str
    stop_s: float
    delivered: int
    extra: dict[str, Any] = field(default_factory=dict)


def run_case(case: str, database: Database, args: argparse.Namespace) -> RunResult:
    """Send the database's queued messages once and measure it."""
    kind, dispatchers = CASES[case]
    queued = int(database.built["queued"])
    first_id = int(database.built["first_queued_id"])
    env = environment(database.data_dir, database.url)
    simulator = start_simulator(database.data_dir, env, receipt_delay=args.receipt_delay)
    children: list[Child] = []
    try:
        env = environment(
            database.data_dir,
            database.url,
            CENTREX_SMSC_URL=smsc_url(simulator.port, window=args.window, binds=args.binds),
        )
        meter = CpuMeter()
        meter.add("simulator", simulator.child.pid)
        postmaster = (
            postgres_server_pid(urlsplit(database.url).port or 5432) if kind == "postgres" else None
        )
        if postmaster is not None:
            meter.add("database", postmaster, tree=True)
        meter.start()
        started_at = time.time()
        for number in range(dispatchers):
            child = start(
                f"dispatcher {number + 1}",
                [PYTHON, "-m", "centrex.cli", "smsd"],
                env,
                database.data_dir / f"smsd-{number + 1}.log",
            )
            children.append(child)
            meter.add(f"dispatcher {number + 1}", child.pid)
        deadline = time.monotonic() + args.timeout
        # CPU is compared over the sending only: from the first accepted submit_sm (as the
        # stats file shows it, within 0.5 s) to the last.
        _wait(
            "the first submit_sm at the SMSC",
            lambda: _all_accepted(simulator, 1),
            deadline,
            [simulator.child, *children],
        )
        meter.start()
        stats = _wait(
            "every submit_sm at the SMSC",
            lambda: _all_accepted(simulator, queued),
            deadline,
            [simulator.child, *children],
        )
        meter.sample()
        cpu = meter.shares()
        first_submit = float(stats["first_submit_at"])
        last_submit = float(stats["last_submit_at"])
        _wait(
            "every receipt matched",
            lambda: _unsettled(database, first_id) == 0 or None,
            deadline,
            [simulator.child, *children],
        )
        all_matched = time.time()
        rss = max(peak_rss_mib(child.pid) or 0.0 for child in children)
        stop_started = time.monotonic()
        stop(children)
        stop_s = time.monotonic() - stop_started
    finally:
        stop([*children, simulator.child])
    delivered, receipt_ms, due_ms = _receipt_latencies(
        database, first_id, simulator, args.receipt_delay
    )
    return RunResult(
        case=case,
        messages=queued,
        startup_s=first_submit - started_at,
        send_s=last_submit - first_submit,
        rate=queued / max(last_submit - first_submit, 1e-6),
        all_matched_after_s=all_matched - last_submit,
        receipt_ms=receipt_ms,
        due_ms=due_ms,
        rss_mib=rss,
        cpu=cpu,
        limit=limiting_resource(
            cpu,
            database_measured=kind == "sqlite" or "database" in cpu,
            waiting=WAITING[kind],
            capacity={"database": os.cpu_count() or 1},
        ),
        stop_s=stop_s,
        delivered=delivered,
    )


def _all_accepted(simulator: Simulator, queued: int) -> dict[str, Any] | None:
    stats = simulator.stats()
    if stats is not None and stats["counters"]["accepted"] >= queued:
        return stats
    return None


def _unsettled(database: Database, first_id: int) -> int:
    rows = database.query(
        "SELECT COUNT(*) FROM sms_smsmessage WHERE status IN ('queued', 'submitted') AND id >= %s",
        (first_id,),
    )
    return int(rows[0][0])


def _wait(what: str, check: Callable[[], Any], deadline: float, children: list[Child]) -> Any:
    """Poll `check` every 50 ms until it returns something, within the run's bound."""
    while time.monotonic() < deadline:
        found = check()
        if found is not None:
            return found
        for child in children:
            child.check()
        time.sleep(0.05)
    raise BenchmarkError(f"timed out waiting for {what}")


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    ordered = sorted(values)
    return {
        "p50": ordered[len(ordered) // 2],
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
    }


def _receipt_latencies(
    database: Database, first_id: int, simulator: Simulator, receipt_delay: float
) -> tuple[int, dict[str, float], dict[str, float]]:
    """How soon receipts were matched: from their arrival at the dispatcher (`receipt_at`) and
    from the moment the SMSC was due to send them (its record time + the delay) to the message's
    `done_at` (set by the statement that settled it)."""
    rows = database.query(
        "SELECT m.destination, m.status, m.done_at, p.receipt_at FROM sms_smsmessage m "
        "JOIN sms_smspart p ON p.message_id = m.id WHERE m.id >= %s",
        (first_id,),
    )
    sent_at: dict[str, datetime] = {}
    with simulator.record_path.open(encoding="utf-8") as record:
        for line in record:
            entry = json.loads(line)
            sent_at["+" + entry["destination_addr"]] = _timestamp(entry["time"])
    delay = timedelta(seconds=receipt_delay)
    arrival: list[float] = []
    due: list[float] = []
    delivered = 0
    for destination, status, done_at, receipt_at in rows:
        if status != "delivered" or done_at is None:
            continue
        delivered += 1
        done = _timestamp(done_at)
        if receipt_at is not None:
            arrival.append((done - _timestamp(receipt_at)).total_seconds() * 1000)
        if destination in sent_at:
            due.append((done - (sent_at[destination] + delay)).total_seconds() * 1000)
    return delivered, _percentiles(arrival), _percentiles(due)


def limiting_resource(
    cpu: dict[str, float],
    *,
    database_measured: bool,
    capacity: dict[str, int] | None = None,
    waiting: str = "locks, round trips",
) -> str:
    """Which resource held the rate back: a process (or group: `capacity` says how many cores
    it can use, one by default — Python runs one thread at a time) at its full CPU, else the
    machine's cores (ours and other jobs' together), else nothing measurable here (waiting:
    locks, round trips, commits)."""
    cores = os.cpu_count() or 1
    capacity = capacity or {}
    ours = {name: share for name, share in cpu.items() if name != "other"}
    usage = {name: share / min(capacity.get(name, 1), cores) for name, share in ours.items()}
    busiest = max(usage, key=lambda name: usage[name])
    if usage[busiest] >= SATURATED:
        cores_used = min(capacity.get(busiest, 1), cores)
        return f"CPU of the {busiest} ({cores_used} core{'s' if cores_used > 1 else ''})"
    busiest = max(ours, key=lambda name: ours[name])
    total = sum(cpu.values())
    if total >= SATURATED * cores:
        other = cpu.get("other", 0.0)
        note = f"; other jobs took {other:.0%} of a core" if other >= 0.15 else ""
        return f"all {cores} CPUs busy (most: {busiest} {ours[busiest]:.0%}{note})"
    if not database_measured:
        return "not measured here (remote database?)"
    return f"waiting: no process at its full CPU, CPUs not all busy ({waiting})"


# --- Report ----------------------------------------------------------------------------------


def median_result(results: list[RunResult]) -> dict[str, Any]:
    def med(get: Callable[[RunResult], float]) -> float:
        return statistics.median(get(result) for result in results)

    names = sorted({name for result in results for name in result.cpu})
    return {
        "rate": med(lambda r: r.rate),
        "startup_s": med(lambda r: r.startup_s),
        "all_matched_after_s": med(lambda r: r.all_matched_after_s),
        "receipt_p50": med(lambda r: r.receipt_ms["p50"]),
        "receipt_p99": med(lambda r: r.receipt_ms["p99"]),
        "receipt_max": max(r.receipt_ms["max"] for r in results),
        "due_p99": med(lambda r: r.due_ms["p99"]),
        "rss": max(r.rss_mib for r in results),
        "cpu": {name: statistics.median(r.cpu.get(name, 0.0) for r in results) for name in names},
        "stop_s": max(r.stop_s for r in results),
        "delivered": min(r.delivered == r.messages for r in results),
        "limit": statistics.mode(r.limit.split(" (")[0] for r in results),
        "limits": [r.limit for r in results],
        "median_limit": [r.limit for r in results][len(results) // 2],
    }


def print_table(summary: dict[str, dict[str, Any]]) -> None:
    columns = [
        ("case", 12),
        ("msg/s", 7),
        ("× sqlite-1", 10),
        ("start s", 7),
        ("rcpt p50 ms", 11),
        ("rcpt p99 ms", 11),
        ("rcpt max ms", 11),
        ("due→match p99", 13),
        ("all matched +s", 14),
        ("RSS MiB", 7),
        ("stop s", 6),
    ]
    baseline = summary.get("sqlite-1", {}).get("rate")
    rows = []
    for case, row in summary.items():
        ratio = f"{row['rate'] / baseline:.2f}" if baseline else "—"
        rows.append(
            [
                f"{case:<12}",
                f"{row['rate']:>7,.0f}",
                f"{ratio:>10}",
                f"{row['startup_s']:>7.1f}",
                f"{row['receipt_p50']:>11.0f}",
                f"{row['receipt_p99']:>11.0f}",
                f"{row['receipt_max']:>11.0f}",
                f"{row['due_p99']:>13.0f}",
                f"{row['all_matched_after_s']:>14.2f}",
                f"{row['rss']:>7.1f}",
                f"{row['stop_s']:>6.1f}",
            ]
        )
    print_markdown_table(columns, rows)
    print_cpu(
        summary,
        "CPU during the sending, share of one core (median of the runs), the CPU each message "
        "cost, and the limit:",
        limit_of="median_limit",
    )


def run_with_databases(
    args: argparse.Namespace, prefix: str, body: Callable[[argparse.Namespace, Databases], int]
) -> int:
    """A benchmark's life: `body` with the databases of a work directory of its own; a
    `BenchmarkError` is reported (exit 2); the directory goes unless `--keep`."""
    stop_on_sigterm()
    work = Path(tempfile.mkdtemp(prefix=prefix))
    databases = Databases(work, args)
    try:
        return body(args, databases)
    except BenchmarkError as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 2
    finally:
        databases.close()
        if args.keep:
            print(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    return run_with_databases(parse_args(argv), "centrex-engine-", run)


def run(args: argparse.Namespace, databases: Databases) -> int:
    print_machine("SMS engine benchmark")
    print(
        f"per run: {args.history:,} delivered + {args.queued:,} queued messages in the table, "
        f"simulator receipts after {args.receipt_delay} s, window {args.window} × "
        f"{args.binds} bind(s) per dispatcher, {args.runs} run(s) per case\n",
        flush=True,
    )
    results: dict[str, list[RunResult]] = {}
    for case in args.case_list:
        kind = CASES[case][0]
        for number in range(args.runs):
            database = databases.clone(kind)
            try:
                result = run_case(case, database, args)
            finally:
                databases.drop(database)
            results.setdefault(case, []).append(result)
            print(
                f"{case} run {number + 1}: {result.rate:,.0f} msg/s, receipts p99 "
                f"{result.receipt_ms['p99']:.0f} ms, RSS {result.rss_mib:.0f} MiB, CPU "
                + ", ".join(f"{name} {share:.0%}" for name, share in result.cpu.items()),
                flush=True,
            )
    print()
    for kind in sorted({CASES[case][0] for case in args.case_list}):
        print(f"{kind}: {database_description(kind, databases.server_url)}")
    print()
    summary = {case: median_result(runs) for case, runs in results.items()}
    print_table(summary)
    return verdict(summary)


def verdict(summary: dict[str, dict[str, Any]]) -> int:
    missed = []
    for case, row in summary.items():
        if row["rate"] < TARGET_RATE:
            missed.append(f"{case}: {row['rate']:,.0f} msg/s < {TARGET_RATE:,.0f}")
        if row["receipt_max"] > TARGET_RECEIPT_MS:
            missed.append(f"{case}: a receipt matched {row['receipt_max']:.0f} ms after arrival")
        if row["rss"] >= TARGET_RSS_MIB:
            missed.append(f"{case}: dispatcher RSS {row['rss']:.0f} MiB")
        if not row["delivered"]:
            missed.append(f"{case}: not every message ended delivered")
    if "postgres-1" in summary and "postgres-2" in summary:
        ratio = summary["postgres-2"]["rate"] / summary["postgres-1"]["rate"]
        print(f"\nPostgreSQL, two dispatchers ÷ one: {ratio:.2f}×")
    if missed:
        print("\ntargets missed:\n- " + "\n- ".join(missed))
        return 1
    print(
        f"\nevery target met: ≥ {TARGET_RATE:,.0f} msg/s, every receipt matched within "
        f"{TARGET_RECEIPT_MS:,.0f} ms of arrival, dispatcher RSS < {TARGET_RSS_MIB:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
