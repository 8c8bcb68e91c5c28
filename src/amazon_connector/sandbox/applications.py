"""Application Management API 2023-11-30 (rotateApplicationClientSecret), and the emulator's own endpoint
that makes Amazon's client-secret expiry notification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from amazon_connector.sandbox.access import CallerDep
from amazon_connector.sandbox.client_secrets import iso
from amazon_connector.sandbox.context import SandboxDep
from amazon_connector.sandbox.queues import queue_name, queue_url
from amazon_connector.serving import is_loopback

router = APIRouter(tags=["application-management"])
admin_router = APIRouter(prefix="/_sandbox/applications", include_in_schema=False)


@router.post("/applications/2023-11-30/clientSecret")
async def rotate_application_client_secret(caller: CallerDep, sandbox: SandboxDep) -> Response:
    """204; the new secret goes to the app's notification queue only."""
    sandbox.client_secrets.rotate(caller.app)
    return Response(status_code=204)


def with_queue_urls(credentials: list[dict[str, Any]], base_url: str) -> list[dict[str, Any]]:
    """The world's credentials, each enrolled app with the URL of its notification queue."""
    return [
        {
            **app,
            "notification_queue_url": queue_url(base_url, queue_name(app["client_id"]))
            if app["rotation_notifications"]
            else None,
        }
        for app in credentials
    ]


class ExpiryNotice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clientSecretExpiryTime: datetime | None = None


@admin_router.post("/{client_id}/secret-expiry")
async def secret_expiry(
    client_id: str, request: Request, sandbox: SandboxDep, notice: ExpiryNotice | None = None
) -> JSONResponse:
    """Send APPLICATION_OAUTH_CLIENT_SECRET_EXPIRY for an app (the emulator's own endpoint, loopback only)."""
    app = sandbox.world.app_for_client(client_id)
    if request.client is None or not is_loopback(request.client.host) or app is None:
        raise HTTPException(404)
    announced = sandbox.client_secrets.announce_expiry(app, notice.clientSecretExpiryTime if notice else None)
    return JSONResponse({"clientId": client_id, "clientSecretExpiryTime": iso(announced)})
