"""Where orders come from: pages of Orders v2026-01-01 searchOrders (items included) or of Orders v0
getOrders (each order's items from getOrderItems, asked for concurrently), orders looked up by ID, and
the order tracking report. Only the public runtime is used: ``acall``, answers, typed errors; rate
limits, tokens and retries are the runtime's."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from amazon_connector.api.catalog import catalog
from amazon_connector.connections.connection import Connection
from amazon_connector.data.orders.normalise import OrderRecords, from_report, from_v0, from_v2026
from amazon_connector.data.orders.query import Api, DateField, Resolved
from amazon_connector.data.orders.report import order_report_rows, report_type, request_order_report
from amazon_connector.errors import InvalidInputError, NotFoundError
from amazon_connector.runtime.pagination import next_page_params

log = logging.getLogger("amazon_connector.orders")

SEARCH_ORDERS = "orders/2026-01-01/searchOrders"
GET_ORDER = "orders/2026-01-01/getOrder"
V0_GET_ORDERS = "orders/v0/getOrders"
V0_GET_ORDER = "orders/v0/getOrder"
V0_GET_ORDER_ITEMS = "orders/v0/getOrderItems"
PAGE_SIZE = 100
V0_STATUSES = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
    "INVOICE_UNCONFIRMED": "InvoiceUnconfirmed",
}
FULFILLED_BY = {"AFN": "AMAZON", "MFN": "MERCHANT"}
INCLUDED_DATA = ["FULFILLMENT", "PROCEEDS", "BUYER", "RECIPIENT"]
"""v2026-01-01's datasets the records need: BUYER and RECIPIENT also without buyer data, for what they
hold that is not PII (city, country, purchase order number); PII in them is dropped unless asked for."""
REPORT_SPAN = timedelta(days=30)
"""The longest window one order report is asked for; longer windows take several."""


@dataclass(frozen=True, slots=True)
class Page:
    """One answer's orders, the token of the next page (None after the last) and the window's end as
    Amazon stated it."""

    orders: list[OrderRecords]
    cursor: str | None
    bound: datetime | None


def _search_params(query: Resolved) -> dict[str, Any]:
    """The first page's parameters (the window's end left to Amazon unless given: two minutes ago)."""
    created = query.by is DateField.CREATED
    assert query.since is not None
    if query.api is Api.V2026:
        params: dict[str, Any] = {
            "createdAfter" if created else "lastUpdatedAfter": query.since,
            "marketplaceIds": list(query.marketplaces),
            "maxResultsPerPage": PAGE_SIZE,
            "includedData": INCLUDED_DATA,
        }
        if query.until is not None:
            params["createdBefore" if created else "lastUpdatedBefore"] = query.until
        if query.statuses:
            params["fulfillmentStatuses"] = list(query.statuses)
        if query.channels:
            params["fulfilledBy"] = [FULFILLED_BY[c] for c in query.channels]
        return params
    params = {
        "CreatedAfter" if created else "LastUpdatedAfter": query.since,
        "MarketplaceIds": list(query.marketplaces),
        "MaxResultsPerPage": PAGE_SIZE,
    }
    if query.until is not None:
        params["CreatedBefore" if created else "LastUpdatedBefore"] = query.until
    if query.statuses:
        params["OrderStatuses"] = [V0_STATUSES[s] for s in query.statuses]
    if query.channels:
        params["FulfillmentChannels"] = list(query.channels)
    return params


def _elements(query: Resolved) -> tuple[str, ...] | None:
    """v0's restricted data elements: Amazon's default pair with buyer data, none without."""
    return None if query.buyer_data else ()


async def _v0_items(connection: Connection, order_id: str) -> list[dict[str, Any]]:
    answer = await connection.acall(V0_GET_ORDER_ITEMS, orderId=order_id, data_elements=())
    return [item async for item in answer]


async def _v0_orders(
    connection: Connection, orders: list[dict[str, Any]], query: Resolved
) -> list[OrderRecords]:
    """v0 orders with their items. The item calls go one after another: at getOrderItems' usage plan
    (one every 2 s after a burst of 30) a call's latency hides in the wait for the next slot, so sending
    them together would gain nothing but bunched requests."""
    return [
        from_v0(order, await _v0_items(connection, order["AmazonOrderId"]), buyer_data=query.buyer_data)
        for order in orders
    ]


def _bound(data: Any) -> datetime | None:
    if not isinstance(data, dict):
        return None
    text = next(
        (
            data.get(k)
            for k in ("lastUpdatedBefore", "createdBefore", "LastUpdatedBefore", "CreatedBefore")
            if data.get(k)
        ),
        None,
    )
    return datetime.fromisoformat(text) if text else None


async def api_pages(connection: Connection, query: Resolved, cursor: str | None) -> AsyncIterator[Page]:
    """Every page of the search from ``cursor`` (None: the first page), each with the next one's token.
    A stored token Amazon no longer takes (they expire after 24 hours) starts the search again."""
    name = SEARCH_ORDERS if query.api is Api.V2026 else V0_GET_ORDERS
    operation = catalog().get(name)
    first, resumed = _search_params(query), cursor is not None
    while True:
        params = first if cursor is None else next_page_params(operation, first, cursor)
        try:
            answer = await connection.acall(name, paginate=False, data_elements=_elements(query), **params)
        except InvalidInputError:
            if not resumed:
                raise
            log.info("%s: the stored page token was refused; searching the window again.", connection.name)
            cursor = None
            continue
        resumed = False
        found = answer.records()
        if query.api is Api.V2026:
            orders = [from_v2026(o, buyer_data=query.buyer_data) for o in found]
        else:
            orders = await _v0_orders(connection, found, query)
        cursor = answer.next_token
        yield Page([o for o in orders if query.matches(o.order)], cursor, _bound(answer.data))
        if cursor is None:
            return


async def orders_by_id(connection: Connection, query: Resolved) -> tuple[list[OrderRecords], list[str]]:
    """The orders ``query.order_ids`` names (one after another, as v0's items), and the IDs Amazon does
    not know."""

    async def one(order_id: str) -> OrderRecords | None:
        try:
            if query.api is Api.V2026:
                answer = await connection.acall(GET_ORDER, orderId=order_id, includedData=INCLUDED_DATA)
                return from_v2026(answer.data["order"], buyer_data=query.buyer_data)
            answer = await connection.acall(V0_GET_ORDER, orderId=order_id, data_elements=_elements(query))
            return (await _v0_orders(connection, [answer.data], query))[0]
        except NotFoundError:
            return None

    found = [await one(i) for i in query.order_ids]
    missing = [i for i, f in zip(query.order_ids, found, strict=True) if f is None]
    return [f for f in found if f is not None and query.matches(f.order)], missing


@dataclass
class ReportProgress:
    """Where the report source stands: the report being made (its ID) and the start of its span."""

    report_id: str | None
    span_start: datetime


async def report_spans(
    connection: Connection,
    query: Resolved,
    bound: datetime,
    progress: ReportProgress,
    started: Callable[[str], Any],
) -> AsyncIterator[tuple[list[OrderRecords], datetime | None]]:
    """The window (to ``bound``) in spans of at most REPORT_SPAN, a report each, read a piece at a time:
    orders as they come, each piece with where the next span starts once its span is read to the end
    (None before). ``started`` is told each new report's ID before it is waited for (so a resumed run
    waits for the same report)."""
    kind = report_type(query.by is DateField.UPDATED)
    while progress.span_start < bound:
        end = min(progress.span_start + REPORT_SPAN, bound)
        earlier = progress.report_id is not None
        if progress.report_id is None:
            progress.report_id = await request_order_report(
                connection, kind, list(query.marketplaces), progress.span_start, end
            )
            await started(progress.report_id)
        try:
            async for orders in _report_orders(connection, progress.report_id, query):
                yield orders, None
        except NotFoundError:
            if not earlier:
                raise
            progress.report_id = None  # a report of an earlier run Amazon no longer keeps: ask again
            continue
        progress.report_id, progress.span_start = None, end
        yield [], end


async def _report_orders(
    connection: Connection, report_id: str, query: Resolved
) -> AsyncIterator[list[OrderRecords]]:
    """A report's orders as its rows come (an order's rows are together; one cut by a piece's end is
    finished with the next piece)."""
    pending: list[dict[str, Any]] = []
    async for rows in order_report_rows(connection, report_id):
        orders = []
        for row in rows:
            if pending and row["amazon_order_id"] != pending[0]["amazon_order_id"]:
                orders.append(from_report(pending, query.marketplaces[0]))
                pending = []
            pending.append(row)
        yield [o for o in orders if query.matches(o.order)]
    if pending:
        last = from_report(pending, query.marketplaces[0])
        yield [last] if query.matches(last.order) else []
