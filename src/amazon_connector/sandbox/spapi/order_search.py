"""Order searches shared by Orders v0 getOrders and Orders v2026-01-01 searchOrders: the window (created
or last updated, ending at least two minutes before now), the filters, and pages that continue after the
last order shown (by date, then order ID), so orders that change while a client pages neither repeat nor
push others out of view. A next-page token carries the search."""

from __future__ import annotations

import heapq
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from amazon_connector.marketplaces import all_marketplaces
from amazon_connector.sandbox.spapi.call import Call
from amazon_connector.sandbox.spapi.errors import invalid_input
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID, parse_time
from amazon_connector.sandbox.spapi.order_book import QUIET, OrderHeader
from amazon_connector.sandbox.times import iso

MAX_RESULTS_PER_PAGE = 100
MAX_IDS = 50
MARKETPLACE_IDS = frozenset(m.marketplace_id for m in all_marketplaces())


@dataclass(frozen=True, slots=True)
class Names:
    """An API's names for the window's parameters."""

    created_after: str
    created_before: str
    updated_after: str
    updated_before: str


@dataclass(frozen=True, slots=True)
class Search:
    """One search as its next-page tokens keep it. ``statuses`` are the order book's (v0) statuses."""

    kind: str
    seller: str
    marketplaces: list[str]
    by: str
    after: float
    before: float
    statuses: list[str]
    channels: list[str]
    ids: list[str]
    size: int
    last: list[Any] | None = None
    """The (date, order ID) of the last order shown; the next page starts after it."""

    @property
    def bound(self) -> str:
        """The window's end as the answer states it."""
        return iso(datetime.fromtimestamp(self.before, UTC))


def window(call: Call, names: Names) -> tuple[str, float, float]:
    """Which date the search filters on (``created`` or ``updated``) and its bounds, as timestamps. The
    end defaults to two minutes before now and may not be later."""
    params = call.inputs.query
    created = names.created_after in params or names.created_before in params
    updated = names.updated_after in params or names.updated_before in params
    if created == updated:
        raise invalid_input(
            INPUT_NOT_VALID,
            f"Give {names.created_after} or {names.updated_after} (and not both kinds of date).",
        )
    after_name, before_name = (
        (names.created_after, names.created_before)
        if created
        else (names.updated_after, names.updated_before)
    )
    if after_name not in params:
        raise invalid_input(INPUT_NOT_VALID, f"{after_name} is required when {before_name} is given.")
    latest = call.sandbox.clock.now() - QUIET
    after = parse_time(params[after_name], after_name)
    before = parse_time(params[before_name], before_name) if before_name in params else latest
    if before < after or before > latest or after > latest:
        raise invalid_input(
            INPUT_NOT_VALID,
            f"{after_name} must not be after {before_name}, and both must be at least two minutes "
            "before the current time.",
        )
    return ("created" if created else "updated"), after.timestamp(), before.timestamp()


def marketplace_ids(ids: list[str], name: str) -> list[str]:
    """The request's marketplace IDs: 1 to 50 known ones, else 400."""
    if not ids or len(ids) > MAX_IDS:
        raise invalid_input(f"Missing or invalid request parameters: [{name}]")
    if unknown := [m for m in ids if m not in MARKETPLACE_IDS]:
        raise invalid_input(INPUT_NOT_VALID, f"Invalid {name}: {', '.join(unknown)}.")
    return ids


def page_size(call: Call, name: str) -> int:
    size: int = call.query(name, MAX_RESULTS_PER_PAGE)
    if not 1 <= size <= MAX_RESULTS_PER_PAGE:
        raise invalid_input(INPUT_NOT_VALID, f"{name} must be 1 - 100.")
    return size


def resume(call: Call, token: str, kind: str, message: str) -> Search:
    """The search a next-page token carries; 400 with ``message`` if it is not this seller's."""
    state = call.sandbox.pages.read(token)
    seller = call.identity.authorising_seller.selling_partner_id
    if state is None or state.get("seller") != seller or state.get("kind") != kind:
        raise invalid_input(message)
    return Search(**state)


def page(call: Call, search: Search) -> tuple[list[OrderHeader], str | None]:
    """One page of the search's orders, oldest (by the window's date) first, and the next page's token."""
    seller, sandbox = call.identity.authorising_seller, call.sandbox

    def key(header: OrderHeader) -> tuple[float, str]:
        moment = header.purchased if search.by == "created" else header.updated
        return moment.timestamp(), header.order_id

    last = tuple(search.last) if search.last else (float("-inf"), "")
    keyed = (
        (key(h), h)
        for marketplace_id in search.marketplaces
        for h in sandbox.orders.orders(seller, marketplace_id)
        if (not search.statuses or h.status in search.statuses)
        and (not search.channels or h.fulfillment_channel in search.channels)
        and (not search.ids or h.order_id in search.ids)
    )
    found = heapq.nsmallest(
        search.size + 1,
        ((k, h) for k, h in keyed if search.after <= k[0] <= search.before and k > last),
        key=lambda pair: pair[0],
    )
    shown = [h for _, h in found[: search.size]]
    if len(found) <= search.size:
        return shown, None
    following = {**asdict(search), "last": list(found[search.size - 1][0])}
    return shown, sandbox.pages.issue(following)
