"""One SP-API request and its response: building the request, reading the answer, typed errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from amazon_connector.api.catalog import Operation
from amazon_connector.errors import (
    ApiError,
    ConfigurationError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    ServerError,
    ThrottledError,
    UnauthorizedError,
)

_ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidInputError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    413: InvalidInputError,
    415: InvalidInputError,
    429: ThrottledError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
    504: ServerError,
}


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """A successful SP-API answer. ``data`` is the body with an older API's ``payload`` envelope removed."""

    operation: str
    status: int
    data: Any
    body: Any
    headers: Mapping[str, str] = field(repr=False)
    request_id: str | None
    rate_limit: float | None


def build_request(
    base_url: str,
    operation: Operation,
    access_token: str,
    *,
    path_params: Mapping[str, str] | None = None,
    query: Mapping[str, Any] | None = None,
    body: Any = None,
) -> httpx.Request:
    """The HTTP request for ``operation``: path parameters escaped, lists joined with commas."""
    params = dict(path_params or {})
    missing = [p.name for p in operation.parameters if p.location == "path" and p.name not in params]
    if missing:
        raise ConfigurationError(
            f"{operation.operation_id} needs the path parameter(s) {', '.join(missing)}.", field=missing[0]
        )
    path = operation.path
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    encoded = {
        k: ",".join(str(x) for x in v) if isinstance(v, list | tuple) else _scalar(v)
        for k, v in (query or {}).items()
        if v is not None
    }
    return httpx.Request(
        operation.method,
        base_url + path,
        params=encoded,
        json=body,
        headers={"x-amz-access-token": access_token, "Accept": "application/json"},
    )


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def parse_response(operation: Operation, response: httpx.Response) -> ApiResponse:
    """The ApiResponse for a 2xx answer; otherwise the typed ApiError carrying Amazon's errors list."""
    body = _json(response)
    request_id = response.headers.get("x-amzn-RequestId")
    if response.is_success:
        rate = response.headers.get("x-amzn-RateLimit-Limit")
        try:
            rate_limit = float(rate) if rate else None
        except ValueError:
            rate_limit = None
        data = body.get("payload", body) if isinstance(body, dict) and "payload" in body else body
        return ApiResponse(
            operation=operation.operation_id,
            status=response.status_code,
            data=data,
            body=body,
            headers=dict(response.headers),
            request_id=request_id,
            rate_limit=rate_limit,
        )
    raise api_error(operation.operation_id, response.status_code, body, response.headers, request_id)


def api_error(
    operation: str, status: int, body: Any, headers: Mapping[str, str], request_id: str | None
) -> ApiError:
    errors = body.get("errors") if isinstance(body, dict) else None
    errors = [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
    first = errors[0] if errors else {}
    summary = ": ".join(str(x) for x in (first.get("code"), first.get("message")) if x) or "no error details"
    if first.get("details"):
        summary += f" ({first['details']})"
    where = f", request ID {request_id}" if request_id else ""
    cls = _ERRORS_BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return cls(
        f"{operation} failed with HTTP {status}: {summary}{where}",
        status=status,
        errors=errors,
        request_id=request_id,
        headers=headers,
        operation=operation,
    )
