"""Headers on every answer, and 500 InternalFailure for crashes.

* ``x-amzn-RequestId``: a new UUID per request, as Amazon sends.
* ``x-amzn-RateLimit-Limit``: the operation's usage-plan rate, on every answer of an operation that has
  one (429, 500 and 503 included, as the models declare) except 401 and 403, which Amazon gives before it
  knows the plan.
* ``x-emulator-clock``: the emulator's clock, ``scale=60.0; now=2026-01-01T00:00:00.000000Z``
  (``scale=manual`` for a clock that moves only when a test says so), so a client notices a restart with
  another time scale. ``GET /_sandbox/clock`` tells the same as JSON.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amazon_connector.clock import Clock

log = logging.getLogger("amazon_connector.sandbox")

RATE_LIMIT = "rate_limit"
"""Key in the request's state: the operation's ``x-amzn-RateLimit-Limit`` value, set once it is known."""
CLOCK_HEADER = "x-emulator-clock"
INTERNAL_FAILURE = "We encountered an internal error. Please try again."
_NO_RATE_LIMIT = frozenset({401, 403})


def clock_state(clock: Clock) -> dict[str, Any]:
    """The clock's time scale (None: it moves only when told) and its current time."""
    scale = getattr(clock, "scale", None)
    return {
        "scale": float(scale) if scale is not None else None,
        "now": clock.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def clock_header(clock: Clock) -> str:
    state = clock_state(clock)
    return f"scale={state['scale'] if state['scale'] is not None else 'manual'}; now={state['now']}"


def stamped(scope: Scope, send: Send, clock: Clock) -> Send:
    """``send`` that puts the headers on the answer's start."""
    request_id = str(uuid.uuid4())
    state = scope.setdefault("state", {})

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            headers["x-amzn-RequestId"] = request_id
            rate = state.get(RATE_LIMIT)
            if rate is not None and message["status"] not in _NO_RATE_LIMIT:
                headers["x-amzn-RateLimit-Limit"] = rate
            headers[CLOCK_HEADER] = clock_header(clock)
        await send(message)

    return send_with_headers


class AmazonHeaders:
    """ASGI middleware: the headers on every answer; an unhandled exception becomes 500 InternalFailure."""

    def __init__(self, app: ASGIApp, clock: Clock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        send_with_headers = stamped(scope, noting_start, self.clock)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("emulator request to %s failed", scope.get("path"))
            body = {"errors": [{"code": "InternalFailure", "message": INTERNAL_FAILURE, "details": ""}]}
            await JSONResponse(body, status_code=500)(scope, receive, send_with_headers)
