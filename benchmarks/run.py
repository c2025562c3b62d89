"""Reproducible performance run (see benchmarks/README.md):

    .venv/bin/python benchmarks/run.py                 # SQLite in a temporary data directory
    .venv/bin/python benchmarks/run.py --db postgres   # a private PostgreSQL started for the run

Builds one customer with 10,000 users and 20,000 extensions in a fresh database, then times
Impostazioni > Utenti and GET /api/v1/users. Prints median, p95 and queries per request, and
exits 1 if a median misses the target (50 ms), so `make bench` fails on a regression.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.users_list import Result

ROOT = Path(__file__).resolve().parents[1]
TARGET_MEDIAN_MS = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        default="sqlite",
        help="database to run on (postgres: a private cluster, started here)",
    )
    parser.add_argument("--runs", type=int, default=50, help="timed requests per scenario")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests first")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--extensions", type=int, default=20_000)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary data directory (SQLite file) afterwards",
    )
    args = parser.parse_args(argv)
    if args.runs < 2 or args.warmup < 0:
        parser.error("--runs must be at least 2 and --warmup at least 0")
    if args.extensions < args.users:
        parser.error("--extensions must be at least --users")
    return args


def configure(db: str, data_dir: Path) -> str:
    """Environment for a quiet, production-like process before Django reads its settings."""
    os.environ["CENTREX_DATA_DIR"] = str(data_dir)
    os.environ["EMAIL_URL"] = "memory"
    os.environ["CENTREX_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["DEBUG"] = "false"
    os.environ["CENTREX_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "centrex.settings"
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    if db == "postgres":
        # The same private cluster as `pytest --db=postgres` (stopped when this process exits).
        from tests.plugins.postgres import start_postgres

        os.environ["DATABASE_URL"] = start_postgres()
    else:
        os.environ["DATABASE_URL"] = "sqlite:///"  # the data directory's centrex.sqlite3
    return os.environ["DATABASE_URL"]


def describe_database() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.pg_version  # type: ignore[attr-defined]
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL, file in a temporary data directory)"


def main(argv: list[str] | None = None) -> int:
    return in_data_dir(run, parse_args(argv), prefix="centrex-bench-")


def in_data_dir(
    body: Callable[[argparse.Namespace, Path], int], args: argparse.Namespace, *, prefix: str
) -> int:
    """`body(args, data_dir)` with a fresh temporary data directory, removed afterwards
    unless `--keep`."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return body(args, data_dir)
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, data_dir: Path) -> int:
    configure(args.db, data_dir)
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.users_list import build_dataset, clients, measure, scenarios

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    dataset = build_dataset(users=args.users, extensions=args.extensions)
    print(f"database: {describe_database()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        f", Django {django.get_version()}"
    )
    print(
        f"data: {dataset.users} users, {dataset.extensions} extensions in one customer "
        f"(migrate {migrated:.1f} s, build {dataset.build_seconds:.1f} s)"
    )
    load_before = os.getloadavg()
    load = ", ".join(f"{value:.1f}" for value in load_before)
    print(
        f"runs: {args.runs} rounds after {args.warmup} warm-up, scenarios interleaved, "
        f"django.test.Client, DEBUG off; load average before: {load}\n"
    )

    results = measure(scenarios(), clients(dataset), runs=args.runs, warmup=args.warmup)
    print_table(results)
    missed = [
        result.scenario.name
        for result in results
        if not result.scenario.baseline and result.median_ms >= TARGET_MEDIAN_MS
    ]
    if missed:
        print(f"\nmedian target ({TARGET_MEDIAN_MS:.0f} ms) missed by: {', '.join(missed)}")
        if load_before[0] > (os.cpu_count() or 1):
            print(
                "note: the load average was above the number of CPUs: other work shared the "
                "machine. Compare the ratios and CPU ms, or run again when it is quiet."
            )
        return 1
    print(f"\nevery median is under the {TARGET_MEDIAN_MS:.0f} ms target")
    return 0


def print_table(results: list[Result]) -> None:
    """A Markdown table, ready for benchmarks/README.md."""
    baseline = next(result for result in results if result.scenario.baseline)
    columns = ["request", "median ms", "p95 ms", "× baseline", "CPU ms", "queries", "KiB"]
    widths = [36, 9, 7, 10, 7, 7, 6]
    print("| " + " | ".join(f"{c:<{w}}" for c, w in zip(columns, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for result in results:
        cells = [
            f"{result.scenario.name:<{widths[0]}}",
            f"{result.median_ms:>{widths[1]}.1f}",
            f"{result.p95_ms:>{widths[2]}.1f}",
            f"{result.median_ms / baseline.median_ms:>{widths[3]}.1f}",
            f"{result.cpu_ms:>{widths[4]}.1f}",
            f"{result.queries:>{widths[5]}}",
            f"{result.bytes / 1024:>{widths[6]}.1f}",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
