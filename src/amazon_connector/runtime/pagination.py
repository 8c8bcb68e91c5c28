"""Pagination driven by the catalog: where each operation's next-page token is read and where it goes,
what a later page sends besides it, and where a page's records sit.

Token styles found in the catalog: ``NextToken``, ``nextToken``, ``pageToken``, ``paginationToken``,
``nextPageToken`` and a body field, read from ``payload.NextToken``, ``pagination.nextToken``,
``payload.pagination.nextToken`` and so on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from amazon_connector.api.catalog import Operation
from amazon_connector.api.catalog import dig as _dig


def can_follow(operation: Operation) -> bool:
    """Whether the next page is asked of the same operation (some APIs continue with another one, e.g.
    data-kiosk's getQuery with createQuery: their token is left to the caller)."""
    paging = operation.pagination
    return paging is not None and paging.token is not None and paging.next is not None


def next_token(operation: Operation, body: Any) -> str | None:
    """The token for the next page in ``body`` (the whole response body), or None on the last page."""
    if operation.pagination is None or operation.pagination.next is None:
        return None
    token = _dig(body, operation.pagination.next)
    return str(token) if token else None


def next_page_params(operation: Operation, params: Mapping[str, Any], token: str) -> dict[str, Any]:
    """The call parameters for the page after the one ``params`` asked for."""
    paging = operation.pagination
    if paging is None or paging.token is None:
        raise ValueError(f"{operation.qualified_name} has no next page of its own (see can_follow).")
    keep = paging.keep
    following = dict(params) if keep is None else {k: v for k, v in params.items() if k in keep}
    following.update(paging.set)
    if paging.token.startswith("body:"):
        body = dict(following.get("body") or {})
        body[paging.token.removeprefix("body:")] = token
        following["body"] = body
    else:
        following[paging.token] = token
    return following


def records(operation: Operation, body: Any) -> list[Any] | None:
    """The records of one answer (the list at the catalog's result key; empty when the answer leaves it
    out), or None when the operation answers with no list of records."""
    if operation.records is None:
        return None
    found = _dig(body, operation.records)
    if found is None:
        return []
    return list(found) if isinstance(found, list) else None


def merge_pages(operation: Operation, pages: Sequence[Any]) -> Any:
    """One body for all ``pages``: lists concatenated at every depth, other values from the first page,
    next- and previous-page tokens removed."""
    merged = _merge(pages)
    paging = operation.pagination
    for path in (paging.next, paging.previous) if paging else ():
        if path is not None:
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
