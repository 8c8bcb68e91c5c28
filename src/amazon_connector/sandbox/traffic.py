"""Every SP-API request on the wire: counted in the stats, and perhaps struck by an injected fault.

This runs outside FastAPI's middleware stack, on the server's own ``send``, so that ``reset`` can close
the connection without any answer (uvicorn's ``send`` is a method of the request cycle that owns the
transport).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amazon_connector.api.catalog import catalog
from amazon_connector.sandbox.errors import error_response
from amazon_connector.sandbox.faults import Fault
from amazon_connector.sandbox.stats import RESET

INTERNAL_FAILURE = "We encountered an internal error. Please try again."
SERVICE_UNAVAILABLE = "Service temporarily unavailable. Please try again."


class ConnectionDropped(Exception):
    """Raised instead of dropping the connection when the server gives no transport to close."""


async def _drop(receive: Receive, send: Send) -> None:
    """Close the client's connection without an answer, and wait until the server has noticed."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionDropped("fault injection: connection reset")
    transport.close()
    while (await receive())["type"] != "http.disconnect":
        pass


async def _read_body(receive: Receive) -> None:
    """Read the whole request first: closing with unread bytes would make the kernel answer with an RST
    instead of a FIN, and the client would see a different failure depending on timing."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _error(scope: Scope, receive: Receive, send: Send, status: int) -> None:
    code, message = (
        ("InternalFailure", INTERNAL_FAILURE)
        if status == 500
        else ("ServiceUnavailable", SERVICE_UNAVAILABLE)
    )
    response = error_response(status, code, message, "")
    response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    await response(scope, receive, send)


async def _processed(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    """Handle the request fully and keep the answer back."""
    messages: list[Message] = []

    async def keep(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, keep)
    return messages


Record = Callable[[int | str], None]


def _status(messages: list[Message]) -> int:
    return next(int(m["status"]) for m in messages if m["type"] == "http.response.start")


async def _with_fault(
    app: ASGIApp, fault: Fault, scope: Scope, receive: Receive, send: Send, *, record: Record
) -> None:
    """Serve the request as the fault says; ``record`` learns what the client sees (a status or
    ``reset``) before the client does."""
    if fault.kind in ("500", "503"):
        record(int(fault.kind))
        await _error(scope, receive, send, int(fault.kind))
    elif fault.kind == "reset":
        record(RESET)
        await _read_body(receive)
        await _drop(receive, send)
    else:
        messages = await _processed(app, scope, receive)
        if fault.kind == "500-after":
            record(500)
            await _error(scope, receive, send, 500)
        elif fault.kind == "reset-after":
            record(RESET)
            await _drop(receive, send)
        else:
            await asyncio.sleep(fault.delay)
            record(_status(messages))
            for message in messages:
                await send(message)


class Emulator(FastAPI):
    """The emulator's ASGI app: FastAPI, with SP-API requests counted and faults injected."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        operation = catalog().match(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if operation is None:
            await super().__call__(scope, receive, send)
            return
        stats = self.state.sandbox.stats

        def record(outcome: int | str) -> None:
            stats.record(operation.qualified_name, outcome)

        fault = self.state.sandbox.faults.draw()
        if fault is not None:
            await _with_fault(super().__call__, fault, scope, receive, send, record=record)
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                record(int(message["status"]))
            await send(message)

        await super().__call__(scope, receive, counted)
