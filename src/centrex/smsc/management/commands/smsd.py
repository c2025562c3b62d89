"""`centrex smsd`: the SMS dispatcher alone (API.md "Runtime"), until SIGTERM or Ctrl-C.

It binds to every account of `CENTREX_SMSC_URL` and sends the queue. Several may run against
one PostgreSQL; on SQLite a second one is refused with a one-line message and exit status 3
(`--wait N` waits up to N seconds for the running one to go, e.g. after a crash).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from centrex.config.smsc import SmscUrlError
from centrex.core.memory import freeze_startup_objects
from centrex.smsc.client import BindTiming
from centrex.smsc.config import smsc_accounts
from centrex.smsc.database import DatabaseThreads
from centrex.smsc.dispatcher import Dispatcher, DispatcherOptions
from centrex.smsc.lease import DispatcherBusy

# Exit status when SQLite's one dispatcher is already running.
EXIT_BUSY = 3


class Command(BaseCommand):
    help = "Send queued SMS to the SMSC over SMPP and record receipts, until SIGTERM."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            metavar="SECONDS",
            help="on SQLite, wait this long for a running dispatcher to go instead of exiting",
        )
        parser.add_argument(
            "--batch", type=int, default=1000, help="most messages claimed at once (1000)"
        )
        parser.add_argument(
            "--lease",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="how long a claim keeps other dispatchers off a message (60)",
        )
        parser.add_argument(
            "--reconnect-max",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="longest pause between reconnection attempts (30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            accounts = smsc_accounts()
        except SmscUrlError as error:
            raise CommandError(str(error)) from None
        try:
            dispatcher_options = DispatcherOptions(
                lease_seconds=options["lease"],
                batch_size=options["batch"],
                timing=BindTiming(
                    reconnect_max=max(0.5, options["reconnect_max"]),
                    response_timeout=min(20.0, options["lease"] / 4),
                ),
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        freeze_startup_objects()
        database = DatabaseThreads()
        dispatcher = Dispatcher(
            accounts, database=database, options=dispatcher_options, wait_for_lock=options["wait"]
        )

        async def main() -> None:
            loop = asyncio.get_running_loop()
            if threading.current_thread() is threading.main_thread():
                for signum in (signal.SIGTERM, signal.SIGINT):
                    loop.add_signal_handler(signum, dispatcher.stop)
            await dispatcher.run()

        try:
            asyncio.run(main())
        except DispatcherBusy as error:
            self.stderr.write(f"centrex smsd: {error}")
            sys.exit(EXIT_BUSY)
        finally:
            database.close()
