"""Single flight: one caller does a piece of work, every other caller (thread or task) waits for its result."""

from __future__ import annotations

import asyncio
import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Flight(Generic[T]):
    """One piece of work in progress and the callers waiting for it, sync or async."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: T | None = None
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[T | None]]] = []

    def finish(self, value: T | None, error: BaseException | None) -> None:
        """The leader is done: with ``value``, or with ``error``."""
        with self._lock:
            self.value, self.error = value, error
            self.done.set()
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(self._resolve, future)

    @property
    def interrupted(self) -> bool:
        """The leader was cancelled, closed or interrupted: no answer, so a waiter should try itself."""
        return isinstance(self.error, asyncio.CancelledError | GeneratorExit | KeyboardInterrupt | SystemExit)

    def _resolve(self, future: asyncio.Future[T | None]) -> None:
        if future.done():
            return
        if self.error is not None and not self.interrupted:
            future.set_exception(self.error)
        else:
            future.set_result(self.value)

    def result(self) -> T | None:
        """The value, or None when the leader was interrupted; raises the leader's error."""
        if self.error is not None and not self.interrupted:
            raise self.error
        return self.value

    def wait(self) -> T | None:
        """Block this thread until the leader is done."""
        self.done.wait()
        return self.result()

    async def wait_async(self) -> T | None:
        """Wait on the running event loop until the leader (in any thread or loop) is done."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T | None] = loop.create_future()
        with self._lock:
            pending = not self.done.is_set()
            if pending:
                self._waiters.append((loop, future))
        if not pending:
            return self.result()
        return await future
