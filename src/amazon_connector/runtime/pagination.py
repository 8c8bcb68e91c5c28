"""Pagination driven by the catalog: where each operation's next-page token is read and where it goes.

Token styles found in the catalog: ``NextToken``, ``nextToken``, ``pageToken``, ``paginationToken``,
``nextPageToken`` and a body field, read from ``payload.NextToken``, ``pagination.nextToken``,
``payload.pagination.nextToken`` and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from amazon_connector.api.catalog import Operation

_CONTINUATION: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    # operations whose next page is asked for with the token as the only parameter (Amazon's models)
    "reports/2021-06-30/getReports": ((), {}),
    "reports/2021-06-30/getReportSchedules": ((), {}),
    "feeds/2021-06-30/getFeeds": ((), {}),
    # the token replaces the query and QueryType says so
    "fulfillment-inbound/v0/getShipments": (("MarketplaceId",), {"QueryType": "NEXT_TOKEN"}),
    "fulfillment-inbound/v0/getShipmentItems": (("MarketplaceId",), {"QueryType": "NEXT_TOKEN"}),
}
"""For these operations, the parameters kept on later pages and the ones set."""


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def can_follow(operation: Operation) -> bool:
    """Whether the next page is asked of the same operation (some APIs continue with another one, e.g.
    data-kiosk's getQuery with createQuery: their token is left to the caller)."""
    return bool(operation.pagination_response and operation.pagination_request)


def next_token(operation: Operation, body: Any) -> str | None:
    """The token for the next page in ``body`` (the whole response body), or None on the last page."""
    if not operation.pagination_response:
        return None
    token = _dig(body, operation.pagination_response[0])
    return str(token) if token else None


def next_page_params(operation: Operation, params: Mapping[str, Any], token: str) -> dict[str, Any]:
    """The call parameters for the page after the one ``params`` asked for."""
    kept, extra = _CONTINUATION.get(operation.qualified_name, (None, {}))
    following = dict(params) if kept is None else {k: v for k, v in params.items() if k in kept}
    following.update(extra)
    name = operation.pagination_request[0]
    if name.startswith("body:"):
        body = dict(following.get("body") or {})
        body[name.removeprefix("body:")] = token
        following["body"] = body
    else:
        following[name] = token
    return following


def container_path(operation: Operation) -> tuple[str, ...]:
    """Where the page's records sit: the object holding the token (``pagination`` wrappers skipped)."""
    if not operation.pagination_response:
        return ()
    parts = operation.pagination_response[0].split(".")[:-1]
    return tuple(p for p in parts if p != "pagination")


def records_field(operation: Operation, body: Any) -> tuple[tuple[str, ...], str] | None:
    """``(container path, list field)`` of a page's records when there is exactly one list."""
    path = container_path(operation)
    container = _dig(body, ".".join(path)) if path else body
    if not isinstance(container, Mapping):
        return None
    lists = [k for k, v in container.items() if isinstance(v, list)]
    return (path, lists[0]) if len(lists) == 1 else None


def records(operation: Operation, body: Any) -> list[Any] | None:
    """The page's records, when the page has one list of them."""
    found = records_field(operation, body)
    if found is None:
        return None
    path, field = found
    container = _dig(body, ".".join(path)) if path else body
    return list(container[field])


def merge_pages(operation: Operation, pages: Sequence[Any]) -> Any:
    """One body for all ``pages``: lists concatenated at every depth, other values from the first page,
    next-page tokens removed."""
    merged = _merge(pages)
    for path in operation.pagination_response:
        _drop(merged, path.split("."))
    return merged


def _merge(values: Sequence[Any]) -> Any:
    if all(isinstance(v, list) for v in values):
        return [item for v in values for item in v]
    if all(isinstance(v, Mapping) for v in values):
        keys = dict.fromkeys(k for v in values for k in v)
        return {k: _merge([v[k] for v in values if k in v]) for k in keys}
    return values[0]


def _drop(data: Any, path: list[str]) -> None:
    for part in path[:-1]:
        if not isinstance(data, dict):
            return
        data = data.get(part)
    if isinstance(data, dict):
        data.pop(path[-1], None)
