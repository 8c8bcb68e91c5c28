"""SP-API refusals and their bodies, in the error shape of each operation's model.

Most models answer ``{"errors": [{"code", "message", "details"}]}``; some a bare array of errors (the
Services API), one a single error object (vendor direct fulfillment transactions). The body is built from
the schema of the answer's status, so a client reads it as it would read Amazon's.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from amazon_connector.api.catalog import Operation
from amazon_connector.api.shapes import Schema, shape

ACCESS_DENIED = "Access to requested resource is denied."
NOT_FOUND = "The resource specified does not exist."
UNKNOWN_RESOURCE = "Cannot find resource by the given URI"


class SpApiError(Exception):
    """An SP-API request the emulator refuses, with Amazon's status, code, message and details."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def denied(details: str = "") -> SpApiError:
    """403 Unauthorized, as Amazon answers a missing, bad or insufficient token."""
    return SpApiError(403, "Unauthorized", ACCESS_DENIED, details)


def invalid_input(message: str, details: str = "") -> SpApiError:
    return SpApiError(400, "InvalidInput", message, details)


def not_found(details: str) -> SpApiError:
    return SpApiError(404, "NotFound", NOT_FOUND, details)


def _resolved(schema: Schema, node: Schema) -> Schema:
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def error_body(schema: Schema | None, code: str, message: str, details: str = "") -> Any:
    """The body of a refusal in the shape ``schema`` describes (``{"errors": [...]}`` without one)."""
    if schema is None:
        return {"errors": [{"code": code, "message": message, "details": details}]}
    top = _resolved(schema, schema)
    if top.get("type") == "array":
        item = _resolved(schema, top.get("items") or {})
        return [_error(item, code, message, details)]
    properties = top.get("properties") or {}
    if "errors" in properties:
        errors = _resolved(schema, properties["errors"])
        item = _resolved(schema, errors.get("items") or {})
        return {"errors": [_error(item, code, message, details)]}
    return _error(top, code, message, details)


def _error(item: Schema, code: str, message: str, details: str) -> dict[str, str]:
    """One error: ``details`` only where the model's error has that field."""
    error = {"code": code, "message": message}
    if "details" in (item.get("properties") or {"details": {}}):
        error["details"] = details
    return error


def refusal(operation: Operation | None, error: SpApiError) -> JSONResponse:
    """The answer to a refused request: the operation's error shape for the status (None: no operation
    matched the path, the common shape)."""
    schema = shape(operation).error_schema(error.status) if operation is not None else None
    return JSONResponse(
        error_body(schema, error.code, error.message, error.details), status_code=error.status
    )
