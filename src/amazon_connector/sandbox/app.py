"""The emulator as one ASGI app (Starlette): Login with Amazon, Seller Central's consent flow, AWS (STS,
SQS, document storage), the emulator's own ``/_sandbox`` endpoints, and the SP-API for every other path."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.sandbox import admin
from amazon_connector.sandbox.aws import sqs, storage, sts
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.faults import Fault, Faults
from amazon_connector.sandbox.headers import AmazonHeaders
from amazon_connector.sandbox.lwa import token
from amazon_connector.sandbox.sellercentral import consent
from amazon_connector.sandbox.spapi.dispatch import dispatch
from amazon_connector.sandbox.spapi.errors import UNKNOWN_RESOURCE, SpApiError, refusal
from amazon_connector.sandbox.traffic import Emulator
from amazon_connector.sandbox.world import World

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _http_error(_: Request, exc: Exception) -> Response:
    """The emulator's own refusals (no such route, bad admin input) in Amazon's error shape."""
    assert isinstance(exc, HTTPException)
    if exc.status_code in (404, 405):
        return refusal(None, SpApiError(404, "ResourceNotFound", UNKNOWN_RESOURCE))
    return refusal(None, SpApiError(exc.status_code, "InvalidInput", str(exc.detail)))


def create_app(
    world: World,
    clock: Clock | None = None,
    *,
    faults: str | tuple[Fault, ...] = (),
    static: bool = False,
    report_rows: int | None = None,
) -> Emulator:
    """The emulator for ``world``; expiry, usage plans and processing run on ``clock`` (default: real
    time). ``faults`` (e.g. ``"500=0.05,reset=0.02"``, see ``faults``) strike SP-API requests, drawn
    from the world's seed. ``static``: the SP-API answers only its models' sandbox examples, as Amazon's
    sandbox endpoints do. ``report_rows``: rows per marketplace of generated report documents."""
    clock = clock or SYSTEM_CLOCK
    app = Emulator(
        routes=[
            *token.ROUTES,
            *consent.ROUTES,
            *sts.ROUTES,
            *sqs.ROUTES,
            *storage.ROUTES,
            *admin.ROUTES,
            Route("/{path:path}", dispatch, methods=METHODS),
        ],
        middleware=[Middleware(AmazonHeaders, clock=clock)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.sandbox = Sandbox(
        world, clock, Faults(faults, world.seed), static=static, report_rows=report_rows
    )
    return app
