"""The emulator as one ASGI app: Login with Amazon, Seller Central's consent flow and the SP-API."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.sandbox import (
    admin,
    applications,
    consent,
    feeds,
    lwa,
    notifications,
    orders,
    reports,
    s3,
    sellers,
    sqs,
    sts,
    tokens,
)
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.errors import install_error_handlers
from amazon_connector.sandbox.faults import Fault, Faults
from amazon_connector.sandbox.middleware import AmazonHeaders
from amazon_connector.sandbox.traffic import Emulator
from amazon_connector.sandbox.world import World

SPAPI_ROUTERS: tuple[APIRouter, ...] = (
    sellers.router,
    tokens.router,
    orders.router,
    reports.router,
    feeds.router,
    notifications.router,
    applications.router,
)
"""One router per SP-API API; each route's method and path must be an operation of the catalog."""


def create_app(world: World, clock: Clock | None = None, *, faults: str | tuple[Fault, ...] = ()) -> FastAPI:
    """The emulator for ``world``; expiry, usage plans and processing run on ``clock`` (default: real
    time). ``faults`` (e.g. ``"500=0.05,reset=0.02"``, see ``faults``) strike SP-API requests, drawn
    from the world's seed."""
    app = Emulator(title="amazon-connector emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = Sandbox(world, clock or SYSTEM_CLOCK, Faults(faults, world.seed))
    install_error_handlers(app)
    app.add_middleware(AmazonHeaders)
    for router in (
        lwa.router,
        consent.router,
        *SPAPI_ROUTERS,
        s3.router,
        sts.router,
        admin.router,
        applications.admin_router,
        sqs.router,
    ):
        app.include_router(router)
    return app
