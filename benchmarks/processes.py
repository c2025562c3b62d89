"""Child processes of the SMS benchmarks and what they cost: start the SMSC simulator, the
dispatcher, the web server; read their CPU time and peak memory from /proc (Linux); find a
PostgreSQL server's processes; stop everything with a bound.

No Django here: the benchmark's own process only starts, watches and times the others, so
what it measures is theirs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.plugins.processes import descendants, stat_fields

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SIMULATOR_ACCOUNT = ("centrex", "centrex")


class BenchmarkError(RuntimeError):
    """A benchmark could not run as planned (a process died, a bound ran out)."""


@dataclass
class Child:
    """One started process, its name, and where its output goes."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def check(self) -> None:
        if not self.alive():
            raise BenchmarkError(
                f"{self.name} exited with code {self.process.returncode}:\n{self.tail()}"
            )


def environment(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A quiet, production-like environment for the portal's processes."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CENTREX_", "DJANGO_")) and key not in ("DATABASE_URL", "EMAIL_URL")
    }
    env.update(
        {
            "CENTREX_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "EMAIL_URL": "memory",
            "DEBUG": "false",
            "CENTREX_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "centrex.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
            **extra,
        }
    )
    return env


def _parent_death_signal() -> Callable[[], None] | None:
    """`preexec_fn` giving the child SIGTERM if the benchmark dies (Linux prctl), so a killed
    benchmark leaves no server behind; looked up here, before any fork."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def set_parent_death_signal() -> None:
        prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG

    return set_parent_death_signal


_PREEXEC = _parent_death_signal()


def stop_on_sigterm() -> None:
    """SIGTERM (a `timeout`, a CI job cancelled) ends the benchmark like Ctrl-C: its `finally`
    blocks stop every child."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


# Each service in a session of its own, as in production, where each runs as a service of its
# own (a systemd unit: its own cgroup, so the kernel shares the CPU between the services, not
# between their threads). With the kernel's autogroup (/proc/sys/kernel/sched_autogroup_enabled)
# a session is such a group; PostgreSQL's `pg_ctl` starts its server in a session of its own
# too. False (`send.py --one-session`): every service in the benchmark's session and scheduling
# group, as the benchmarks ran before 2026-12-07 — there the dispatcher's one busy thread
# competed with the web server's sixteen for the same group's share.
OWN_SESSIONS = True


def start(
    name: str, command: Sequence[str], env: dict[str, str], log: Path, cwd: Path | None = None
) -> Child:
    """Start a process with its output in `log`, in a session of its own (`OWN_SESSIONS`;
    else a process group of its own in this session)."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd or log.parent,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=OWN_SESSIONS,
            process_group=None if OWN_SESSIONS else 0,
            preexec_fn=_PREEXEC,
        )
    return Child(name, process, log)


def scheduling() -> str:
    """How the services are scheduled, for the report's header."""
    try:
        autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        autogroup = False
    where = "each service in a session of its own" if OWN_SESSIONS else "one session"
    return f"{where}, kernel autogroup {'on' if autogroup else 'off'}"


@dataclass
class Simulator:
    child: Child
    port: int
    stats_path: Path
    record_path: Path

    def stats(self) -> dict[str, Any] | None:
        """The simulator's latest counters (its `--stats-file`), or None before the first."""
        try:
            return dict(json.loads(self.stats_path.read_text()))
        except (OSError, ValueError):
            return None


def start_simulator(
    work: Path, env: dict[str, str], *, receipt_delay: float, timeout: float = 20.0
) -> Simulator:
    """The builtin SMSC simulator on a free loopback port, recording every message and
    rewriting its counters every 0.5 s; returns once it listens."""
    stats_path = work / "smsc-stats.json"
    record_path = work / "smsc-received.jsonl"
    log = work / "simulator.log"
    system_id, password = SIMULATOR_ACCOUNT
    child = start(
        "SMSC simulator",
        [
            PYTHON,
            "-m",
            "centrex.smsc.simulator",
            "--port",
            "0",
            "--receipt-delay",
            str(receipt_delay),
            "--record",
            str(record_path),
            "--stats-file",
            str(stats_path),
            "--account",
            f"{system_id}={password}",
        ],
        env,
        log,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        child.check()
        for line in log.read_text(errors="replace").splitlines():
            if "listening on" in line:
                port = int(line.rsplit(":", 1)[1])
                return Simulator(child, port, stats_path, record_path)
        time.sleep(0.05)
    stop([child])
    raise BenchmarkError(f"the simulator did not start in {timeout:.0f} s:\n{child.tail()}")


def smsc_url(port: int, *, window: int, binds: int = 1) -> str:
    system_id, password = SIMULATOR_ACCOUNT
    return f"smpp://{system_id}:{password}@127.0.0.1:{port}?window={window}&binds={binds}"


def stop(children: Iterable[Child], timeout: float = 30.0) -> dict[str, float]:
    """SIGTERM to each (its whole process group), then wait; kill what outlives `timeout`.
    Returns the seconds each took to stop."""
    children = list(children)
    started = time.monotonic()
    for child in children:
        if child.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    took: dict[str, float] = {}
    for child in children:
        try:
            child.process.wait(max(0.1, timeout - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.process.wait()
        took[child.name] = time.monotonic() - started
    return took


# --- What processes cost (/proc) ------------------------------------------------------------


def cpu_seconds(pid: int, *, tree: bool = False) -> float:
    """User + system CPU of a process (with `tree`, of its live descendants too, and of the
    children they all reaped: a PostgreSQL backend that exited is in its postmaster's
    cutime). 0 for a process that is gone."""
    total = 0.0
    for member in [pid, *(descendants(pid) if tree else [])]:
        fields = stat_fields(member)
        if fields is None:
            continue
        # fields[11:15]: utime, stime, cutime, cstime (proc(5), counting from state = 0)
        own = int(fields[11]) + int(fields[12])
        reaped = int(fields[13]) + int(fields[14]) if tree else 0
        total += (own + reaped) / CLOCK_TICKS
    return total


def peak_rss_mib(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), MiB; None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_mib(pid: int) -> float | None:
    """The process's resident memory now (VmRSS), MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def postgres_server_pid(port: int) -> int | None:
    """The postmaster listening on `port` on this machine (started with `-p PORT`), or None
    (a remote server: its CPU cannot be measured from here)."""
    wanted = str(port).encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"postgres") and wanted in argv:
            index = argv.index(wanted)
            if index > 0 and argv[index - 1] == b"-p":
                return int(entry.name)
    return None


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy (not idle, not waiting for I/O) since
    boot, from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(value) for value in fields[:8]]  # user nice system idle iowait irq softirq steal
    return (sum(values) - values[3] - values[4]) / CLOCK_TICKS


@dataclass
class CpuMeter:
    """CPU seconds of named processes, and of the whole machine (`machine`), between
    `start()` and `sample()`."""

    pids: dict[str, tuple[int, bool]] = field(default_factory=dict)  # name → (pid, tree)
    _start: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0
    used: dict[str, float] = field(default_factory=dict)
    machine: float = 0.0
    _started_at: float = 0.0
    _machine_start: float = 0.0

    def add(self, name: str, pid: int, *, tree: bool = False) -> None:
        self.pids[name] = (pid, tree)
        self._start[name] = cpu_seconds(pid, tree=tree) if self._started_at else 0.0

    def start(self) -> None:
        self._started_at = time.monotonic()
        self._machine_start = machine_busy_seconds()
        self._start = {name: cpu_seconds(pid, tree=tree) for name, (pid, tree) in self.pids.items()}

    def sample(self) -> dict[str, float]:
        """CPU seconds so far, per name (a process that exited keeps its last sample)."""
        for name, (pid, tree) in self.pids.items():
            if stat_fields(pid) is not None:
                self.used[name] = cpu_seconds(pid, tree=tree) - self._start.get(name, 0.0)
        self.wall = time.monotonic() - self._started_at
        self.machine = machine_busy_seconds() - self._machine_start
        return dict(self.used)

    def shares(self) -> dict[str, float]:
        """Each process's CPU as a share of one core over the time measured, with `other`:
        what the rest of the machine used meanwhile (other jobs on a shared box)."""
        wall = max(self.wall, 1e-6)
        shares = {name: seconds / wall for name, seconds in self.used.items()}
        shares["other"] = max(0.0, self.machine / wall - sum(shares.values()))
        return shares


def self_cpu_seconds() -> float:
    """This process's own CPU (a load generator measuring itself)."""
    times = os.times()
    return times.user + times.system
