"""Tokens API 2021-03-01: Restricted Data Tokens for restricted operations, checked against the app's roles."""

from __future__ import annotations

from starlette.responses import Response

from amazon_connector.api.catalog import Operation
from amazon_connector.api.schemas import (
    DATA_ELEMENTS,
    CreateRestrictedDataTokenRequest,
    CreateRestrictedDataTokenResponse,
    RestrictedResource,
)
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.grants import TOKEN_LIFETIME
from amazon_connector.sandbox.spapi.call import INVALID_INPUT, Call, Handler
from amazon_connector.sandbox.spapi.errors import denied, invalid_input
from amazon_connector.sandbox.spapi.routes import routes
from amazon_connector.sandbox.world import App


def _restricted_operation(resource: RestrictedResource) -> Operation:
    """The restricted operation a resource names (400 InvalidInput for anything else)."""
    found = routes().match(resource.method, resource.path)
    operation = found[0] if found else None
    if operation is None or operation.restricted is None:
        raise invalid_input(
            INVALID_INPUT, f"{resource.method} {resource.path} is not a restricted operation."
        )
    if operation.restricted.concrete_path and "{" in resource.path:
        raise invalid_input("Invalid or unsupported document ID found")
    unknown = [e for e in resource.dataElements or () if e not in DATA_ELEMENTS]
    if unknown:
        raise invalid_input(
            INVALID_INPUT, f"Unknown dataElements {unknown}; the values are {', '.join(DATA_ELEMENTS)}."
        )
    return operation


def _check_roles(app: App, operation: Operation, resource: RestrictedResource) -> None:
    """403 unless the app holds one of the operation's restricted roles (the catalog's; any app when it
    names none), and for each requested data element one of the roles that grant it."""
    assert operation.restricted is not None
    roles = set(app.restricted_roles)
    granting, needed = operation.restricted.data_elements, set(operation.restricted.roles)
    lacking = [e for e in resource.dataElements or () if not roles & set(granting.get(e, ()))]
    if lacking or (needed and not roles & needed):
        raise denied(
            f"Application does not have access to one or more requested data elements: [{', '.join(lacking)}]"
            if lacking
            else ""
        )


async def create_restricted_data_token(call: Call) -> Response:
    seller, sandbox = call.identity.authorising_seller, call.sandbox
    body = call.body(CreateRestrictedDataTokenRequest)
    holder = call.identity.app
    if body.targetApplication is not None:
        target = sandbox.world.app(body.targetApplication)
        if target is None:
            raise invalid_input(INVALID_INPUT, "targetApplication is not a known application ID.")
        holder = target
    operations = [_restricted_operation(resource) for resource in body.restrictedResources]
    for operation, resource in zip(operations, body.restrictedResources, strict=True):
        _check_roles(holder, operation, resource)
    token = sandbox.grants.issue_rdt(
        call.identity.app.client_id,
        seller.selling_partner_id,
        body.restrictedResources,
        body.targetApplication,
    )
    return answer(
        CreateRestrictedDataTokenResponse(
            restrictedDataToken=token, expiresIn=int(TOKEN_LIFETIME.total_seconds())
        )
    )


HANDLERS: dict[str, Handler] = {"tokens/2021-03-01/createRestrictedDataToken": create_restricted_data_token}
