"""A scripted SMSC's server for tests: an SMPP listener on a free loopback port, served by an
event loop in a thread of its own. Subclasses say what one connection does (`session`)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Self


class LoopbackSmsc:
    """`with Subclass(...) as smsc:` listens on `smsc.port` while the block runs. Each
    connection is `self.session()`, an asyncio.Protocol with a `transport` attribute that adds
    itself to `connections`; on exit every one is aborted."""

    def __init__(self) -> None:
        self.port = 0
        self.connections: list[Any] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None

    def session(self) -> asyncio.Protocol:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(5)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _start(self) -> None:
        self._server = await self._loop.create_server(self.session, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for connection in self.connections:
            if connection.transport is not None:
                connection.transport.abort()
