"""Headers Amazon puts on every answer (request ID, rate limit), and 500 InternalFailure for crashes."""

from __future__ import annotations

import logging
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amazon_connector.sandbox.errors import error_response

log = logging.getLogger("amazon_connector.sandbox")

RATE_LIMIT = "rate_limit"
"""Key in the request's state: the operation's ``x-amzn-RateLimit-Limit`` value, set once it is known."""


def _shows_rate_limit(status: int) -> bool:
    return 200 <= status < 300 or status in (400, 404)


class AmazonHeaders:
    """ASGI middleware: ``x-amzn-RequestId`` on every response; ``x-amzn-RateLimit-Limit`` on
    2xx/400/404 answers of an operation with a usage plan; unhandled exceptions become 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        state = scope.setdefault("state", {})
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers["x-amzn-RequestId"] = request_id
                rate = state.get(RATE_LIMIT)
                if rate is not None and _shows_rate_limit(message["status"]):
                    headers["x-amzn-RateLimit-Limit"] = rate
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("emulator request %s failed", request_id)
            response = error_response(
                500, "InternalFailure", "We encountered an internal error. Please try again."
            )
            await response(scope, receive, send_with_headers)
