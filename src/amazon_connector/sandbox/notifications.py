"""Notifications API v1, destinations: grantless operations (scope ``sellingpartnerapi::notifications``)
that register where an application's notifications go."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from amazon_connector.api.schemas import (
    CreateDestinationRequest,
    Destination,
    DestinationResource,
    DestinationResponse,
    EventBridgeResource,
    GetDestinationsResponse,
)
from amazon_connector.sandbox.access import CallerDep
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.bodies import parsed
from amazon_connector.sandbox.context import SandboxDep
from amazon_connector.sandbox.errors import SpApiError, invalid_input
from amazon_connector.sandbox.listings import not_found

router = APIRouter(prefix="/notifications/v1", tags=["notifications"])

CONFLICT = "A destination with the same resource already exists."


@router.get("/destinations")
async def get_destinations(caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    return answer(GetDestinationsResponse(payload=sandbox.destinations.of(caller.app.client_id)))


@router.post("/destinations")
async def create_destination(request: Request, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    body = await parsed(request, CreateDestinationRequest)
    spec = body.resourceSpecification
    if (spec.sqs is None) == (spec.eventBridge is None):
        raise invalid_input(
            "Invalid Input", "Give exactly one of resourceSpecification.sqs and .eventBridge."
        )
    resource = DestinationResource(
        sqs=spec.sqs,
        eventBridge=EventBridgeResource(
            name=f"aws.partner/sellingpartnerapi.amazon.com/{spec.eventBridge.accountId}/{caller.app.app_id}",
            region=spec.eventBridge.region,
            accountId=spec.eventBridge.accountId,
        )
        if spec.eventBridge
        else None,
    )
    stored = sandbox.destinations.add(
        caller.app.client_id, Destination(name=body.name, destinationId="", resource=resource)
    )
    if stored is None:
        raise SpApiError(409, "Conflict", CONFLICT)
    return answer(DestinationResponse(payload=stored))


@router.get("/destinations/{destinationId}")
async def get_destination(destinationId: str, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    destination = sandbox.destinations.get(caller.app.client_id, destinationId)
    if destination is None:
        raise not_found(f"Destination {destinationId} not found.")
    return answer(DestinationResponse(payload=destination))


@router.delete("/destinations/{destinationId}")
async def delete_destination(destinationId: str, caller: CallerDep, sandbox: SandboxDep) -> JSONResponse:
    if not sandbox.destinations.remove(caller.app.client_id, destinationId):
        raise not_found(f"Destination {destinationId} not found.")
    return JSONResponse({})
