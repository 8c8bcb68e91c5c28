"""Every SP-API request on the wire: counted in the stats, and perhaps struck by an injected fault.

This runs outside the app's middleware, on the server's own ``send``, so that ``reset`` can close the
connection without any answer (and a document download can be cut short after some bytes) (uvicorn's ``send`` is a method of the request cycle that owns the
transport). Fault answers get the headers every answer gets (``headers.stamped``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amazon_connector.api.catalog import Operation
from amazon_connector.sandbox.aws.storage import PATH as DOCUMENTS
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.faults import Fault
from amazon_connector.sandbox.headers import RATE_LIMIT, stamped
from amazon_connector.sandbox.spapi.errors import SpApiError, refusal
from amazon_connector.sandbox.spapi.routes import operation_of
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


async def _error(scope: Scope, receive: Receive, send: Send, status: int, fault: Faulted) -> None:
    """500 InternalFailure or 503 ServiceUnavailable in the operation's error shape, with the headers
    (the rate limit too) of every answer."""
    code, message = (
        ("InternalFailure", INTERNAL_FAILURE)
        if status == 500
        else ("ServiceUnavailable", SERVICE_UNAVAILABLE)
    )
    plan = fault.sandbox.usage.usage_plan(fault.operation)
    if plan is not None:
        scope.setdefault("state", {})[RATE_LIMIT] = plan.header
    response = refusal(fault.operation, SpApiError(status, code, message))
    await response(scope, receive, stamped(scope, send, fault.sandbox.clock))


async def _processed(app: ASGIApp, scope: Scope, receive: Receive) -> list[Message]:
    """Handle the request fully and keep the answer back."""
    messages: list[Message] = []

    async def keep(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, keep)
    return messages


Record = Callable[[int | str], None]


class Faulted:
    """A request a fault strikes: the operation, the emulator's state, and where its outcome is counted."""

    def __init__(self, fault: Fault, operation: Operation, sandbox: Sandbox) -> None:
        self.fault = fault
        self.operation = operation
        self.sandbox = sandbox

    def record(self, outcome: int | str) -> None:
        """Count what the client sees (a status or ``reset``), before the client sees it."""
        self.sandbox.stats.record(self.operation.qualified_name, outcome)


def _status(messages: list[Message]) -> int:
    return next(int(m["status"]) for m in messages if m["type"] == "http.response.start")


async def _with_fault(app: ASGIApp, faulted: Faulted, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve the request as the fault says."""
    kind = faulted.fault.kind
    if kind in ("500", "503"):
        faulted.record(int(kind))
        await _error(scope, receive, send, int(kind), faulted)
    elif kind == "reset":
        faulted.record(RESET)
        await _read_body(receive)
        await _drop(receive, send)
    else:
        messages = await _processed(app, scope, receive)
        if kind == "500-after":
            faulted.record(500)
            await _error(scope, receive, send, 500, faulted)
        elif kind == "reset-after":
            faulted.record(RESET)
            await _drop(receive, send)
        else:
            await asyncio.sleep(faulted.fault.delay)
            faulted.record(_status(messages))
            for message in messages:
                await send(message)


def _cut_short(send: Send, after: int) -> Send:
    """``send`` for a download that stops after ``after`` bytes of its body: the connection is then
    closed (what was sent arrives first), and the rest of the answer goes nowhere."""
    sent = 0

    async def cut(message: Message) -> None:
        nonlocal sent
        if message["type"] != "http.response.body" or sent > after:
            if sent <= after:
                await send(message)
            return
        body: bytes = message.get("body", b"")
        if sent + len(body) <= after:
            sent += len(body)
            await send(message)
            return
        await send({"type": "http.response.body", "body": body[: after - sent], "more_body": True})
        sent = after + 1
        transport = getattr(getattr(send, "__self__", None), "transport", None)
        if transport is None:
            raise ConnectionDropped("fault injection: download cut short")
        transport.close()

    return cut


class Emulator(Starlette):
    """The emulator's ASGI app: Starlette, with SP-API requests counted and faults injected."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sandbox: Sandbox = self.state.sandbox
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith(DOCUMENTS):
            after = sandbox.documents.take_cut(scope["path"].rsplit("/", 1)[-1])
            await super().__call__(scope, receive, send if after is None else _cut_short(send, after))
            return
        found = operation_of(scope) if scope["type"] == "http" else None
        if found is None:
            await super().__call__(scope, receive, send)
            return
        operation = found[0]
        fault = sandbox.faults.draw()
        if fault is not None:
            await _with_fault(super().__call__, Faulted(fault, operation, sandbox), scope, receive, send)
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                sandbox.stats.record(operation.qualified_name, int(message["status"]))
            await send(message)

        await super().__call__(scope, receive, counted)
