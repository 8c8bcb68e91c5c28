"""One SP-API request and its response: building the request, reading the answer, typed errors."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any, Protocol
from urllib.parse import quote

import httpx
from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_jsonable_python

from amazon_connector.api.catalog import Operation, Parameter
from amazon_connector.clock import iso_utc
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
from amazon_connector.runtime import pagination

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


class Pager(Protocol):
    """Fetches the page after ``page`` (sync and async)."""

    def next_page(self, page: ApiResponse) -> ApiResponse: ...

    async def anext_page(self, page: ApiResponse) -> ApiResponse: ...


@dataclass(frozen=True, slots=True)
class ApiResponse:
    """A successful SP-API answer. ``data`` is the body with an older API's ``payload`` envelope removed;
    ``body`` is the whole body. Iterating gives the records of every page (fetched lazily when the
    call was made with ``paginate=True``; otherwise of this page, and ``next_token`` asks for the next)."""

    operation: Operation = field(repr=False)
    status: int
    data: Any
    body: Any = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    request_id: str | None
    rate_limit: float | None
    next_token: str | None = None
    pager: Pager | None = field(default=None, repr=False, compare=False)

    def pages(self) -> Iterator[ApiResponse]:
        """This page and, when the call paginates, each following one."""
        page: ApiResponse = self
        yield page
        while page.pager is not None and page.next_token:
            page = page.pager.next_page(page)
            yield page

    async def apages(self) -> AsyncIterator[ApiResponse]:
        page: ApiResponse = self
        yield page
        while page.pager is not None and page.next_token:
            page = await page.pager.anext_page(page)
            yield page

    def records(self) -> list[Any]:
        """This page's records (the list at the catalog's result key)."""
        found = pagination.records(self.operation, self.body)
        if found is None:
            raise TypeError(
                f"{self.operation.operation_id} does not answer with one list of records; "
                "use .data, .pages() or .merged()."
            )
        return found

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page.records()

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for page in self.apages():
            for record in page.records():
                yield record

    def merged(self) -> Any:
        """The data of every page as one answer (lists joined, tokens dropped)."""
        return unwrap(pagination.merge_pages(self.operation, [p.body for p in self.pages()]))

    async def amerged(self) -> Any:
        return unwrap(pagination.merge_pages(self.operation, [p.body async for p in self.apages()]))


def unwrap(body: Any) -> Any:
    """The ``payload`` of an older API's envelope, or the body itself."""
    return body.get("payload", body) if isinstance(body, dict) and "payload" in body else body


_MARKETPLACE_PARAMS = frozenset({"marketplaceids", "marketplaceid"})


@dataclass(frozen=True, slots=True)
class CallParams:
    """A call's parameters sorted by where they go."""

    path: dict[str, str]
    query: dict[str, str | list[str]]
    """A ``multi`` list as one value per item (``mskus=a&mskus=b``); other lists joined."""
    body: Any
    headers: dict[str, str]
    idempotency_key: bool = False
    """Whether the call carries an idempotency key (so that Amazon does it once, however often sent)."""


def call_params(operation: Operation, params: Mapping[str, Any], *, marketplace_id: str | None) -> CallParams:
    """Sort ``params`` (named as in Amazon's reference; ``body`` for the request body) into path, query,
    body and header values. Required marketplace IDs default to the connection's marketplace, and an
    idempotency key is made up when the operation takes one."""
    declared = {p.name.casefold(): p for p in operation.parameters}
    path: dict[str, str] = {}
    query: dict[str, str | list[str]] = {}
    headers: dict[str, str] = {}
    body: Any = None
    for name, value in params.items():
        if value is None:
            continue
        param = declared.get(name.casefold())
        if param is None and name == "body":
            param = next((p for p in operation.parameters if p.location == "body"), None)
        if param is None:
            known = ", ".join(p.name for p in operation.parameters) or "none"
            raise ConfigurationError(
                f"{operation.operation_id} has no parameter {name!r}.",
                field=name,
                hint=f"Its parameters are: {known}.",
            )
        if param.location == "body":
            body = _json_ready(value)
        elif param.location == "path":
            path[param.name] = encode_value(value)
            if not path[param.name].strip():
                raise ConfigurationError(
                    f"{operation.operation_id}: the path parameter {param.name!r} is empty.",
                    field=param.name,
                    hint=f"Give {param.name} a value (see Amazon's reference for {operation.operation_id}).",
                )
        elif param.location == "header":
            headers[param.name] = encode_value(value)
        else:
            query[param.name] = encode_query(param, value)
    for param in operation.parameters:
        given = param.name in path or param.name in query or param.name in headers
        given = given or (param.location == "body" and body is not None)
        if given:
            continue
        if param.name.casefold() in _MARKETPLACE_PARAMS and param.required and marketplace_id:
            query[param.name] = marketplace_id
        elif param.name == operation.idempotency_key:
            headers[param.name] = str(uuid.uuid4())
        elif param.required:
            raise ConfigurationError(
                f"{operation.operation_id} needs the parameter {param.name!r}.",
                field=param.name,
                hint=f"Give it as {param.name}=… (see Amazon's reference for {operation.operation_id}).",
            )
    return CallParams(path, query, body, headers, idempotency_key=operation.idempotency_key in headers)


_SEPARATORS = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}
"""How Swagger 2.0's collection formats join an array's items (``multi`` repeats the parameter)."""


def encode_query(param: Parameter, value: Any) -> str | list[str]:
    """A query value; a list as the parameter's collectionFormat says (the items of ``multi`` apart)."""
    if isinstance(value, list | tuple | set | frozenset) and param.collection_format == "multi":
        return [encode_value(v) for v in value]
    if isinstance(value, list | tuple | set | frozenset):
        return _SEPARATORS.get(param.collection_format or "csv", ",").join(encode_value(v) for v in value)
    return encode_value(value)


def encode_value(value: Any) -> str:
    """A parameter value the way SP-API reads it: lists joined with commas, ISO 8601 times in UTC."""
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(encode_value(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _json_ready(value: Any) -> Any:
    """The body as JSON values (times as ISO 8601 UTC, pydantic models by alias), checked before sending."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    try:
        return to_jsonable_python(value, fallback=_json_fallback)
    except (TypeError, PydanticSerializationError) as exc:
        raise ConfigurationError(
            f"The request body cannot be sent as JSON: {exc}.",
            field="body",
            hint="Use dicts, lists, strings, numbers, booleans, dates and times.",
        ) from None


def _json_fallback(value: Any) -> Any:
    raise TypeError(f"a {type(value).__name__} is not a JSON value")


def build_request(
    base_url: str, operation: Operation, access_token: str, params: CallParams
) -> httpx.Request:
    """The HTTP request for ``operation`` with its path parameters escaped."""
    path = operation.path
    for name, value in params.path.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return httpx.Request(
        operation.method,
        base_url + path,
        params=params.query,
        json=params.body,
        headers={**params.headers, "x-amz-access-token": access_token, "Accept": "application/json"},
    )


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
        return ApiResponse(
            operation=operation,
            status=response.status_code,
            data=unwrap(body),
            body=body,
            headers=dict(response.headers),
            request_id=request_id,
            rate_limit=rate_limit,
            next_token=pagination.next_token(operation, body),
        )
    raise api_error(operation.operation_id, response.status_code, body, response.headers, request_id)


def api_error(
    operation: str, status: int, body: Any, headers: Mapping[str, str], request_id: str | None
) -> ApiError:
    # ``{"errors": [...]}`` in most APIs; a bare list in some (listings restrictions, services)
    errors = body.get("errors") if isinstance(body, dict) else body
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
