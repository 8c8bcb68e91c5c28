"""The emulator's own endpoints (not Amazon's), under ``/_sandbox``, answered only to loopback clients."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from amazon_connector.sandbox.applications import with_queue_urls
from amazon_connector.sandbox.context import SandboxDep
from amazon_connector.serving import is_loopback

router = APIRouter(prefix="/_sandbox", include_in_schema=False)


@router.get("/credentials")
async def credentials(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """The world's apps, credentials, sellers and self-authorised refresh tokens."""
    if request.client is None or not is_loopback(request.client.host):
        raise HTTPException(404)
    return JSONResponse(with_queue_urls(sandbox.world.credentials(), str(request.base_url)))
