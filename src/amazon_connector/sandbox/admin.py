"""The emulator's own endpoints (not Amazon's), under ``/_sandbox``, answered only to loopback clients."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from amazon_connector.sandbox.applications import with_queue_urls
from amazon_connector.sandbox.context import SandboxDep
from amazon_connector.serving import is_loopback


def _loopback_only(request: Request) -> None:
    if request.client is None or not is_loopback(request.client.host):
        raise HTTPException(404)


router = APIRouter(prefix="/_sandbox", include_in_schema=False, dependencies=[Depends(_loopback_only)])


@router.get("/credentials")
async def credentials(request: Request, sandbox: SandboxDep) -> JSONResponse:
    """The world's apps, credentials, sellers and self-authorised refresh tokens."""
    return JSONResponse(with_queue_urls(sandbox.world.credentials(), str(request.base_url)))


@router.get("/stats")
async def stats(sandbox: SandboxDep) -> JSONResponse:
    """SP-API requests by operation and outcome, 429s, and how many records were created."""
    return JSONResponse(
        {
            "requests": sandbox.stats.snapshot(),
            "throttled": sandbox.stats.throttled,
            "records": sandbox.records(),
        }
    )


@router.delete("/stats")
async def reset_stats(sandbox: SandboxDep) -> JSONResponse:
    """Start counting requests afresh (records stay)."""
    sandbox.stats.reset()
    return JSONResponse({})
