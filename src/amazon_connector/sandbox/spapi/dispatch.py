"""The SP-API as one endpoint: each request matched to its catalog operation, then the same layers for
every operation, in Amazon's order:

1. the access token (and a SigV4 signature), checked for the operation's kind of token, and a token
   of the usage plan (403, 429);
2. a static sandbox example the request matches answers with its status and body; in ``static`` mode
   (Amazon's sandbox) nothing else does (400 "Could not match input arguments");
3. the parameters checked as the model says (400 naming the parameter);
4. the answer: a stateful operation's handler, or a value made from the model's answer schema.

A stateful operation's handler answers even a request that matches an example (outside static mode).
Refusals take the error shape of the operation's model.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from amazon_connector.api.catalog import Operation
from amazon_connector.api.shapes import OperationShape, shape
from amazon_connector.marketplaces import Marketplace, all_marketplaces, get_marketplace
from amazon_connector.sandbox.context import Sandbox, sandbox_of
from amazon_connector.sandbox.headers import RATE_LIMIT
from amazon_connector.sandbox.spapi.access import Identity, authorise
from amazon_connector.sandbox.spapi.call import Call
from amazon_connector.sandbox.spapi.errors import UNKNOWN_RESOURCE, SpApiError, refusal
from amazon_connector.sandbox.spapi.examples import example_response, find, no_match
from amazon_connector.sandbox.spapi.inputs import Inputs, check, read
from amazon_connector.sandbox.spapi.routes import operation_of
from amazon_connector.sandbox.spapi.stateful import HANDLERS
from amazon_connector.sandbox.spapi.values import Context, Generator, seed_of

DEFAULT_COUNTRY = "US"
"""The marketplace of grantless answers that name none."""


async def dispatch(request: Request) -> Response:
    """Answer an SP-API request (any path the other parts of the emulator do not serve)."""
    sandbox = sandbox_of(request)
    found = operation_of(request.scope)
    if found is None:
        return refusal(None, SpApiError(404, "ResourceNotFound", UNKNOWN_RESOURCE))
    operation, path = found
    plan = sandbox.usage.usage_plan(operation)
    if plan is not None:
        request.scope.setdefault("state", {})[RATE_LIMIT] = plan.header
    try:
        return await _answer(request, sandbox, operation, path)
    except SpApiError as error:
        return refusal(operation, error)


async def _answer(request: Request, sandbox: Sandbox, operation: Operation, path: dict[str, str]) -> Response:
    identity = await authorise(request, sandbox, operation)
    model = shape(operation)
    query: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        query.setdefault(name, []).append(value)
    inputs = read(model, path, query, request.headers, await request.body())
    handler = None if sandbox.static else HANDLERS.get(operation.qualified_name)
    if handler is None:
        example = find(model, inputs, static=sandbox.static)
        if example is not None:
            return example_response(example)
        if sandbox.static:
            raise no_match()
    check(model, inputs)
    if handler is not None:
        return await handler(Call(operation, identity, sandbox, request, inputs))
    return _made(operation, model, sandbox, identity, inputs)


def _marketplaces(identity: Identity, inputs: Inputs) -> tuple[Marketplace, ...]:
    """The marketplaces the request names (query or top-level body fields), else the seller's."""
    named: list[str] = []
    body = inputs.body if isinstance(inputs.body, dict) else {}
    for name, value in [*inputs.query.items(), *body.items()]:
        if name.lower() in ("marketplaceid", "marketplaceids"):
            named += value if isinstance(value, list) else [value]
    by_id = {m.marketplace_id: m for m in all_marketplaces()}
    known = [by_id[str(v)] for v in named if str(v) in by_id]
    if known:
        return tuple(known)
    if identity.seller is not None:
        return tuple(identity.seller.marketplaces())
    return (get_marketplace(DEFAULT_COUNTRY),)


def _made(
    operation: Operation, model: OperationShape, sandbox: Sandbox, identity: Identity, inputs: Inputs
) -> Response:
    """The answer of a data-answered operation: a value of its success schema, the same for the same
    request."""
    status = model.success_status
    schema = model.schema(status)
    if schema is None:
        return Response(status_code=status)
    echoes = {k.lower(): v for k, v in [*inputs.path.items(), *inputs.query.items()] if isinstance(v, str)}
    context = Context(_marketplaces(identity, inputs), sandbox.clock.now(), echoes)
    seed = seed_of(
        sandbox.world.seed, operation.qualified_name, operation.method, inputs.path, inputs.query, inputs.body
    )
    body: Any = Generator(model.definitions, context, seed).value(schema)
    return JSONResponse(body, status_code=status)
