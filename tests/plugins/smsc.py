"""The SMS engine in tests: a real SMSC simulator and the real dispatcher, on demand.

    def test_something(sms_engine, ...):
        ... queue SMS (an API call, a page, send_code) ...
        sms_engine.drain()                      # every message submitted and its receipt in
        assert sms_engine.received[-1].text == ...
        sms_engine.simulator.config.throttle_fraction = 0.5   # misbehave from now on

`sms_engine` starts `SmscSimulator` on a free loopback port in a background thread (receipts
after 0.05 s, recorded to a file of the test's tmp directory) and points the settings at it:
`CENTREX_SMSC_URL` and `CENTREX_SMSC_RECORD_PATH` (what the developer inbox reads).

`drain(timeout=10)` runs the dispatcher (`centrex.smsc.dispatcher.Dispatcher`) until no message
is `queued` or `submitted` any more, then stops it cleanly; after `timeout` seconds it fails
the test listing what is left. `dispatching(url=None, options=None)` runs the dispatcher while
a `with` block lasts (its `wait_until(condition, timeout)` lets it work until a condition
holds), for tests of the engine itself.

The dispatcher's event loop runs in a thread of its own while its database calls run in the
calling thread: the test's connection, which sees the test's own transaction in plain `db`
tests and works beside pytest-django's `live_server` and Playwright's sync API (which keeps an
event loop in the main thread) alike, on SQLite and PostgreSQL.

Loaded for every test run with `-p tests.plugins.smsc` (pyproject's addopts). Django is imported
inside the fixture only: plugins load before Django is set up.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from centrex.smsc.simulator import ReceivedMessage, SimulatorConfig, SmscSimulator

if TYPE_CHECKING:
    from centrex.smsc.database import CallerThreadDatabase
    from centrex.smsc.dispatcher import Dispatcher, DispatcherOptions

SYSTEM_ID = "centrex"
PASSWORD = "centrex"
RECEIPT_DELAY = 0.05


class SmsEngine:
    """The simulator of one test and the means to run the dispatcher against it."""

    def __init__(self, simulator: SmscSimulator, record_path: Path) -> None:
        self.simulator = simulator
        self.record_path = record_path

    @property
    def url(self) -> str:
        """`CENTREX_SMSC_URL` for the simulator."""
        return f"smpp://{SYSTEM_ID}:{PASSWORD}@127.0.0.1:{self.simulator.port}?window=100"

    @property
    def received(self) -> list[ReceivedMessage]:
        """Every whole message the SMSC received, oldest first."""
        for _ in range(10):
            try:
                return list(self.simulator.received)
            except RuntimeError:  # the simulator's thread appended meanwhile
                time.sleep(0.01)
        return list(self.simulator.received)

    def drain(self, timeout: float = 10.0) -> None:
        """Run the dispatcher until every queued message is submitted and every receipt
        matched; fail the test with what is left after `timeout` seconds."""
        if not _outstanding():
            return
        with self.dispatching() as running:
            if not running.wait_until(lambda: not _outstanding(), timeout):
                pytest.fail(f"SMS still outstanding after {timeout} s: {_describe_outstanding()}")

    def dispatching(
        self,
        url: str | None = None,
        options: DispatcherOptions | None = None,
        *,
        wait_for_lock: float = 10.0,
    ) -> AbstractContextManager[RunningDispatcher]:
        """`dispatching` against this simulator (or `url`)."""
        return dispatching(url or self.url, options, wait_for_lock=wait_for_lock)


@contextmanager
def dispatching(
    url: str, options: DispatcherOptions | None = None, *, wait_for_lock: float = 10.0
) -> Iterator[RunningDispatcher]:
    """The dispatcher running against `url` (a `CENTREX_SMSC_URL` value) while the block runs;
    stopped cleanly at its end (which re-raises what it raised). Use `wait_until` to let it
    work; `wait_for_lock` is how long it waits for SQLite's single-dispatcher lease."""
    from centrex.config.smsc import parse_smsc_url
    from centrex.smsc.client import BindTiming
    from centrex.smsc.database import CallerThreadDatabase
    from centrex.smsc.dispatcher import Dispatcher, DispatcherOptions

    database = CallerThreadDatabase()
    dispatcher = Dispatcher(
        parse_smsc_url(url),
        database=database,
        options=options
        or DispatcherOptions(
            idle_poll_max=0.05,
            receipt_match_interval=0.1,
            shutdown_grace=2.0,
            timing=BindTiming(reconnect_base=0.1, reconnect_max=1.0, response_timeout=5.0),
        ),
        wait_for_lock=wait_for_lock,
    )
    running = RunningDispatcher(dispatcher, database)
    running.start()
    try:
        yield running
    finally:
        running.stop()


class RunningDispatcher:
    """A dispatcher whose event loop runs in a thread of its own and whose database calls run
    in the thread that waits for it (`wait_until`, `stop`)."""

    def __init__(self, dispatcher: Dispatcher, database: CallerThreadDatabase) -> None:
        self.dispatcher = dispatcher
        self.database = database
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, name="sms-dispatcher", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self.dispatcher.run())
        except BaseException as error:  # handed to the test by stop()
            self.errors.append(error)

    def start(self) -> None:
        self.thread.start()

    def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Serve the dispatcher's database calls until `condition()` (checked every 50 ms in
        this thread, so it may query the database) holds; False after `timeout` seconds or if
        the dispatcher ended."""
        deadline = time.monotonic() + timeout
        state = {"next_check": 0.0, "met": False}

        def done() -> bool:
            if not self.thread.is_alive():
                return True
            now = time.monotonic()
            if now >= state["next_check"]:
                state["next_check"] = now + 0.05
                if condition():
                    state["met"] = True
                    return True
            return now >= deadline

        self.database.serve(done)
        return bool(state["met"])

    def wait_for_end(self, timeout: float) -> bool:
        """Serve the dispatcher's database calls until it ends by itself; False if it still
        runs after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        self.database.serve(lambda: not self.thread.is_alive() or time.monotonic() > deadline)
        return not self.thread.is_alive()

    def stop(self, timeout: float = 20.0) -> None:
        """Stop cleanly (as SIGTERM does) and wait for the end; re-raise what it raised."""
        self.dispatcher.request_stop()
        deadline = time.monotonic() + timeout
        self.database.serve(lambda: not self.thread.is_alive() or time.monotonic() > deadline)
        self.thread.join(5)
        if self.thread.is_alive():
            pytest.fail(f"The SMS dispatcher did not stop within {timeout} s of being asked to.")
        if self.errors:
            error, self.errors = self.errors[0], []
            raise error


def _outstanding() -> int:
    from centrex.sms.models import MessageStatus, SmsMessage

    return int(
        SmsMessage.objects.filter(
            status__in=[MessageStatus.QUEUED, MessageStatus.SUBMITTED]
        ).count()
    )


def _describe_outstanding(limit: int = 20) -> str:
    from centrex.sms.models import MessageStatus, SmsMessage

    rows = SmsMessage.objects.filter(
        status__in=[MessageStatus.QUEUED, MessageStatus.SUBMITTED]
    ).order_by("id")
    described = [
        f"#{message.id} to {message.destination} {message.status} (attempts {message.attempts}, "
        f"next {message.next_attempt_at:%H:%M:%S}, error {message.error_text or '-'!r})"
        for message in rows[:limit]
    ]
    total = rows.count()
    more = f" and {total - limit} more" if total > limit else ""
    return "; ".join(described) + more


@pytest.fixture
def sms_engine(settings: Any, tmp_path: Path) -> Iterator[SmsEngine]:
    """A running SMSC simulator the settings point at, and `drain()` to send the queue."""
    record_path = tmp_path / "smsc" / "received.jsonl"
    simulator = SmscSimulator(
        SimulatorConfig(
            port=0,
            accounts={SYSTEM_ID: PASSWORD},
            receipt_delay=RECEIPT_DELAY,
            record_path=record_path,
        )
    )
    thread = threading.Thread(target=simulator.run_forever, name="smsc-simulator", daemon=True)
    thread.start()
    if not simulator.started.wait(10):
        pytest.fail("The SMSC simulator did not start within 10 s.")
    engine = SmsEngine(simulator, record_path)
    settings.CENTREX_SMSC_URL = engine.url
    settings.CENTREX_SMSC_RECORD_PATH = record_path
    try:
        yield engine
    finally:
        simulator.request_stop()
        thread.join(10)
