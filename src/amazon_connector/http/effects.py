"""Effects: what a plan asks its driver to do, as values a test can inspect.

A plan (drivers.py) is a generator that yields effects and gets each one's result back (or its
exception thrown in). Only the effects at the bottom have a sync and an async form, each written
once: sending on a transport, sleeping on a clock, blocking work (run in a worker thread under
asyncio) and waiting for another caller's flight.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from amazon_connector.clock import Clock
from amazon_connector.http.clients import HttpClients, Streamed
from amazon_connector.http.flight import Flight

T = TypeVar("T")


class Effect(Generic[T]):
    """Something that blocks; ``perform`` in a thread, ``aperform`` on an event loop."""

    __slots__ = ()

    def perform(self) -> T:
        raise NotImplementedError

    async def aperform(self) -> T:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Send(Effect[httpx.Response]):
    """Send ``request`` and read the whole answer (a failure raises TransportError)."""

    request: httpx.Request
    service: str
    clients: HttpClients = field(repr=False, compare=False)

    def perform(self) -> httpx.Response:
        return self.clients.send(self.request, service=self.service)

    async def aperform(self) -> httpx.Response:
        return await self.clients.asend(self.request, service=self.service)


@dataclass(frozen=True, slots=True)
class Open(Effect[Streamed]):
    """Send ``request`` and read the answer's status and headers; its body is read with ReadChunk."""

    request: httpx.Request
    service: str
    clients: HttpClients = field(repr=False, compare=False)

    def perform(self) -> Streamed:
        return self.clients.open(self.request, service=self.service)

    async def aperform(self) -> Streamed:
        return await self.clients.aopen(self.request, service=self.service)


@dataclass(frozen=True, slots=True)
class ReadChunk(Effect[bytes]):
    """The next piece of an opened answer's body (empty at the end)."""

    body: Streamed = field(compare=False)

    def perform(self) -> bytes:
        return self.body.chunk()

    async def aperform(self) -> bytes:
        return await self.body.achunk()


@dataclass(frozen=True, slots=True)
class CloseBody(Effect[None]):
    """Close an opened answer (the rest of its body is not read)."""

    body: Streamed = field(compare=False)

    def perform(self) -> None:
        self.body.close()

    async def aperform(self) -> None:
        await self.body.aclose()


@dataclass(frozen=True, slots=True)
class Sleep(Effect[None]):
    """Wait until ``clock.monotonic()`` reaches ``until``."""

    until: float
    clock: Clock = field(repr=False, compare=False)

    def perform(self) -> None:
        self.clock.sleep_until(self.until)

    async def aperform(self) -> None:
        await self.clock.asleep_until(self.until)


@dataclass(frozen=True, slots=True)
class Join(Effect[Any]):
    """Wait for the leader of ``flight``: its value, None when it was interrupted, or its error."""

    flight: Flight[Any] = field(compare=False)

    def perform(self) -> Any:
        return self.flight.wait()

    async def aperform(self) -> Any:
        return await self.flight.wait_async()


class Blocking(Effect[T]):
    """Work that may block its thread (a store transaction, a blocking library): under asyncio it runs
    in a worker thread, unless ``blocks`` says it does not (work on memory only)."""

    __slots__ = ()

    @property
    def blocks(self) -> bool:
        return True

    async def aperform(self) -> T:
        if not self.blocks:
            return self.perform()
        return await asyncio.get_running_loop().run_in_executor(None, self.perform)
