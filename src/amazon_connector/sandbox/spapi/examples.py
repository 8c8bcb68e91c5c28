"""The models' static sandbox examples (``x-amzn-api-sandbox``): which one a request asks for.

As in Amazon's sandbox, a request matches an example when it gives every parameter the example names
with that value, and no query or body parameter the example does not name (headers it does not name,
such as idempotency keys, do not matter). Of several matching examples the one naming the most
parameters answers (the first in the model's order among equals): an example that names none answers
only what no other example names.

Outside Amazon's sandbox (``static`` off) examples serve clients that check answers against the models:
a catch-all example answers only a request without parameters, and the few examples whose answer
contradicts their own model (29 of 912, e.g. a required field missing) are not used; such
requests get a made answer.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from amazon_connector.api.shapes import NO_CONTENT, Example, OperationShape, ParameterShape
from amazon_connector.sandbox.spapi.errors import SpApiError, invalid_input
from amazon_connector.sandbox.spapi.inputs import Inputs, validator

NO_MATCH = "Could not match input arguments"


def _canonical(value: Any) -> Any:
    """A query or path value as text, whatever type the example or the request wrote it in."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(param: ParameterShape, given: Any, wanted: Any) -> bool:
    if param.location == "body":
        return bool(given == wanted)
    if isinstance(given, list):
        items = wanted if isinstance(wanted, list) else str(wanted).split(",")
        return [_canonical(v) for v in given] == [_canonical(v) for v in items if _canonical(v) != ""]
    return bool(_canonical(given) == _canonical(wanted))


def matches(shape: OperationShape, example: Example, inputs: Inputs) -> bool:
    for param in shape.parameters:
        given = inputs.value(param)
        if param.name in example.parameters:
            if given is None or not _same(param, given, example.parameters[param.name]):
                return False
        elif (
            given is not None and param.location in ("query", "body") and param.name not in example.wildcards
        ):
            return False
    return True


def valid(shape: OperationShape, example: Example) -> bool:
    """Whether the example's answer is valid against its own model."""
    schema = shape.responses.get(example.status)
    return (
        schema is None or example.body is None or validator(schema, shape.definitions).is_valid(example.body)
    )


def find(shape: OperationShape, inputs: Inputs, *, static: bool) -> Example | None:
    """The example the request matches, if any (outside ``static`` mode: see the module's doc)."""
    bare = not any(inputs.given(p) for p in shape.parameters)
    found = [
        e
        for e in shape.examples
        if (static or e.parameters or e.wildcards or bare) and matches(shape, e, inputs)
    ]
    best = max(found, key=lambda e: len(e.parameters), default=None)
    return best if best is None or static or valid(shape, best) else None


def no_match() -> SpApiError:
    """What Amazon's sandbox answers a request that matches none of the examples."""
    return invalid_input(NO_MATCH)


def example_response(example: Example) -> Response:
    """The example's answer: its status, body and headers (no body with 204 No Content)."""
    if example.body is None or example.status == NO_CONTENT:
        return Response(status_code=example.status, headers=example.headers)
    return JSONResponse(example.body, status_code=example.status, headers=example.headers)
