"""Shared by the listing operations (getReports, getFeeds) and others: list parameters, page sizes,
next-page tokens, 404 NotFound."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request

from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.errors import SpApiError, invalid_input
from amazon_connector.sandbox.jobs import Job
from amazon_connector.sandbox.times import parse_time

PROCESSING_STATUSES = frozenset({"IN_QUEUE", "IN_PROGRESS", "DONE", "CANCELLED", "FATAL"})
RETENTION = timedelta(days=90)
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
INVALID = "Invalid input"
NOT_FOUND = "The resource specified does not exist."


def query_list(request: Request, name: str) -> list[str]:
    """A list parameter, given comma-separated or repeated."""
    return [v for value in request.query_params.getlist(name) for v in value.split(",") if v]


def not_found(what: str) -> SpApiError:
    return SpApiError(404, "NotFound", NOT_FOUND, what)


def page_size(request: Request) -> int:
    """``pageSize``: 1 to 100, default 10 (getReports and getFeeds)."""
    try:
        size = int(request.query_params.get("pageSize", DEFAULT_PAGE_SIZE))
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid_input(INVALID, "pageSize must be 1 - 100.")
    return size


def listing_filters(request: Request, sandbox: Sandbox, types_name: str) -> dict[str, Any]:
    """The filters of a first getReports or getFeeds request, as a next-page token keeps them."""
    types = query_list(request, types_name)
    statuses = query_list(request, "processingStatuses")
    marketplaces = query_list(request, "marketplaceIds")
    if not 1 <= len(types) <= 10 or len(marketplaces) > 10 or not set(statuses) <= PROCESSING_STATUSES:
        raise invalid_input(INVALID, f"Give 1 to 10 {types_name} (or a nextToken) and valid filters.")
    now = sandbox.clock.now()
    params = request.query_params
    since = (
        parse_time(params["createdSince"], "createdSince") if "createdSince" in params else now - RETENTION
    )
    until = parse_time(params["createdUntil"], "createdUntil") if "createdUntil" in params else now
    return {
        "types": types,
        "statuses": statuses,
        "marketplaces": marketplaces,
        "since": since.timestamp(),
        "until": until.timestamp(),
        "size": page_size(request),
        "offset": 0,
    }


def listing_page(
    request: Request, sandbox: Sandbox, jobs: list[Job], *, types_name: str, kind: str, seller_id: str
) -> tuple[list[Job], str | None]:
    """One page of the seller's reports or feeds (newest first) and the next page's token."""
    token = request.query_params.get("nextToken")
    if token:
        query = sandbox.pages.read(token)
        if query is None or query.get("seller") != seller_id or query.get("kind") != kind:
            raise invalid_input(INVALID, "The nextToken is not valid or has expired.")
    else:
        query = {**listing_filters(request, sandbox, types_name), "seller": seller_id, "kind": kind}
    now = sandbox.clock.now()
    found = [
        j
        for j in jobs
        if j.job_type in query["types"]
        and (not query["statuses"] or j.status(now) in query["statuses"])
        and (not query["marketplaces"] or set(j.marketplace_ids) & set(query["marketplaces"]))
        and query["since"] <= j.created.timestamp() <= query["until"]
    ]
    start, size = query["offset"], query["size"]
    more = start + size < len(found)
    return found[start : start + size], sandbox.pages.issue(
        {**query, "offset": start + size}
    ) if more else None
