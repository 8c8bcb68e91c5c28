"""Notifications API v1, destinations: grantless operations (scope ``sellingpartnerapi::notifications``)
that register where an application's notifications go."""

from __future__ import annotations

from starlette.responses import JSONResponse, Response

from amazon_connector.api.schemas import (
    CreateDestinationRequest,
    Destination,
    DestinationResource,
    DestinationResponse,
    EventBridgeResource,
    GetDestinationsResponse,
)
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi.call import INVALID_INPUT, Call, Handler
from amazon_connector.sandbox.spapi.errors import SpApiError, invalid_input, not_found

CONFLICT = "A destination with the same resource already exists."


async def get_destinations(call: Call) -> Response:
    return answer(GetDestinationsResponse(payload=call.sandbox.destinations.of(call.identity.app.client_id)))


async def create_destination(call: Call) -> Response:
    body = call.body(CreateDestinationRequest)
    spec = body.resourceSpecification
    if (spec.sqs is None) == (spec.eventBridge is None):
        raise invalid_input(INVALID_INPUT, "Give exactly one of resourceSpecification.sqs and .eventBridge.")
    app = call.identity.app
    resource = DestinationResource(
        sqs=spec.sqs,
        eventBridge=EventBridgeResource(
            name=f"aws.partner/sellingpartnerapi.amazon.com/{spec.eventBridge.accountId}/{app.app_id}",
            region=spec.eventBridge.region,
            accountId=spec.eventBridge.accountId,
        )
        if spec.eventBridge
        else None,
    )
    stored = call.sandbox.destinations.add(
        app.client_id, Destination(name=body.name, destinationId="", resource=resource)
    )
    if stored is None:
        raise SpApiError(409, "Conflict", CONFLICT)
    return answer(DestinationResponse(payload=stored))


async def get_destination(call: Call) -> Response:
    destination_id = call.path("destinationId")
    destination = call.sandbox.destinations.get(call.identity.app.client_id, destination_id)
    if destination is None:
        raise not_found(f"Destination {destination_id} not found.")
    return answer(DestinationResponse(payload=destination))


async def delete_destination(call: Call) -> Response:
    destination_id = call.path("destinationId")
    if not call.sandbox.destinations.remove(call.identity.app.client_id, destination_id):
        raise not_found(f"Destination {destination_id} not found.")
    return JSONResponse({})


HANDLERS: dict[str, Handler] = {
    "notifications/v1/getDestinations": get_destinations,
    "notifications/v1/createDestination": create_destination,
    "notifications/v1/getDestination": get_destination,
    "notifications/v1/deleteDestination": delete_destination,
}
