"""Application Management API 2023-11-30: rotateApplicationClientSecret (grantless)."""

from __future__ import annotations

from starlette.responses import Response

from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import invalid_input

NOT_ENROLLED = (
    "Application is not enrolled for rotation notification. "
    "Please update application notification preference in Developer console."
)


async def rotate_application_client_secret(call: Call) -> Response:
    """204; the new secret goes to the app's notification queue only."""
    if not call.identity.app.rotation_notifications:
        raise invalid_input(NOT_ENROLLED)
    call.sandbox.client_secrets.rotate(call.identity.app)
    return Response(status_code=204)


HANDLERS: dict[str, Handler] = {
    "application-management/2023-11-30/rotateApplicationClientSecret": rotate_application_client_secret
}
