"""The emulator as one ASGI app: Login with Amazon, Seller Central's consent flow and the SP-API."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from amazon_connector.clock import SYSTEM_CLOCK, Clock
from amazon_connector.sandbox import admin, applications, consent, lwa, sellers, sqs, tokens
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.errors import install_error_handlers
from amazon_connector.sandbox.middleware import AmazonHeaders
from amazon_connector.sandbox.world import World

SPAPI_ROUTERS: tuple[APIRouter, ...] = (sellers.router, tokens.router, applications.router)
"""One router per SP-API API; each route's method and path must be an operation of the catalog."""


def create_app(world: World, clock: Clock | None = None) -> FastAPI:
    """The emulator for ``world``; expiry and usage plans run on ``clock`` (default: real time)."""
    app = FastAPI(title="amazon-connector emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.sandbox = Sandbox(world, clock or SYSTEM_CLOCK)
    install_error_handlers(app)
    app.add_middleware(AmazonHeaders)
    for router in (
        lwa.router,
        consent.router,
        *SPAPI_ROUTERS,
        admin.router,
        applications.admin_router,
        sqs.router,
    ):
        app.include_router(router)
    return app
