"""Tokens API 2021-03-01: Restricted Data Tokens for restricted operations, checked against the app's roles."""

from __future__ import annotations

from starlette.responses import Response

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
from amazon_connector.sandbox.world import DIRECT_TO_CONSUMER_SHIPPING, App

RESTRICTED_ROLES = frozenset({DIRECT_TO_CONSUMER_SHIPPING, "Tax Invoicing", "Tax Remittance"})
DATA_ELEMENT_ROLES = {
    "buyerInfo": RESTRICTED_ROLES,
    "shippingAddress": frozenset({DIRECT_TO_CONSUMER_SHIPPING}),
    "buyerTaxInformation": frozenset({"Tax Invoicing", "Tax Remittance"}),
}
"""Which restricted roles grant each kind of PII."""
CONCRETE_PATH_ONLY = frozenset({"reports/2021-06-30/getReportDocument"})
"""Operations whose RDT must name a concrete path, not the generic ``{id}`` form."""


def _check_resource(resource: RestrictedResource) -> None:
    found = routes().match(resource.method, resource.path)
    operation = found[0] if found else None
    if operation is None or not operation.restricted:
        raise invalid_input(
            INVALID_INPUT, f"{resource.method} {resource.path} is not a restricted operation."
        )
    if operation.qualified_name in CONCRETE_PATH_ONLY and "{" in resource.path:
        raise invalid_input("Invalid or unsupported document ID found")
    unknown = [e for e in resource.dataElements or () if e not in DATA_ELEMENTS]
    if unknown:
        raise invalid_input(
            INVALID_INPUT, f"Unknown dataElements {unknown}; the values are {', '.join(DATA_ELEMENTS)}."
        )


def _check_roles(app: App, resource: RestrictedResource) -> None:
    """403 unless the app holds a restricted role, and one that grants each requested data element."""
    roles = set(app.restricted_roles)
    lacking = [e for e in resource.dataElements or () if not roles & DATA_ELEMENT_ROLES[e]]
    if lacking or not roles & RESTRICTED_ROLES:
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
    for resource in body.restrictedResources:
        _check_resource(resource)
    for resource in body.restrictedResources:
        _check_roles(holder, resource)
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
