"""Listings Items API 2021-08-01 over the listings store: get, search, put, patch (with
``VALIDATION_PREVIEW``) and delete a seller's listings.

Feeds that have finished processing are applied before any listing is read or changed, so an answer
never shows a listing older than a feed Amazon would have applied by then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from starlette.responses import JSONResponse, Response

from amazon_connector.marketplaces import Marketplace, get_marketplace
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import denied, invalid_input, not_found
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID, parse_time
from amazon_connector.sandbox.spapi.listings_store import Listing, Submission, markets_of
from amazon_connector.sandbox.spapi.product_types import offer_price
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import Seller

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 20
MAX_REACHABLE = 1000
"""searchListingsItems pages through at most 1,000 listings (Amazon's model says so)."""
CONDITIONS = frozenset(
    {
        "new_new", "new_open_box", "new_oem", "refurbished_refurbished", "used_like_new", "used_very_good",
        "used_good", "used_acceptable", "collectible_like_new", "collectible_very_good", "collectible_good",
        "collectible_acceptable", "club_club",
    }
)  # fmt: skip


def _seller(call: Call) -> Seller:
    """The authorising seller, who must be the one the path names."""
    seller = call.identity.authorising_seller
    if call.path("sellerId") != seller.selling_partner_id:
        raise denied("The sellerId is not the seller who authorised this application.")
    call.sandbox.feeds.settle_due()
    return seller


def _marketplaces(call: Call, seller: Seller) -> list[Marketplace]:
    own = {m.marketplace_id: m for m in seller.marketplaces()}
    ids: list[str] = call.query("marketplaceIds", [])
    unknown = [i for i in ids if i not in own]
    if not ids or unknown:
        raise invalid_input(
            INPUT_NOT_VALID,
            f"The seller does not sell in marketplace(s): {', '.join(unknown) or 'none given'}.",
        )
    return [own[i] for i in ids]


# --- describing a listing -----------------------------------------------------------------------


def status(listing: Listing, marketplace: Marketplace) -> list[str]:
    """BUYABLE when it has a price there and stock (or Amazon fulfils it); DISCOVERABLE with a title."""
    found = []
    offer = listing.offer(marketplace.marketplace_id)
    in_stock = listing.channel not in (None, "DEFAULT") or (listing.quantity or 0) > 0
    if offer is not None and offer_price(offer) is not None and in_stock:
        found.append("BUYABLE")
    if listing.value("item_name"):
        found.append("DISCOVERABLE")
    return found


def _title(listing: Listing, marketplace: Marketplace) -> str | None:
    names = listing.attributes.get("item_name", [])
    chosen = next((n for n in names if n.get("marketplace_id") == marketplace.marketplace_id), None)
    value = (chosen or (names[0] if names else {})).get("value")
    return value if isinstance(value, str) else None


def _summary(listing: Listing, marketplace: Marketplace) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "marketplaceId": marketplace.marketplace_id,
        "asin": listing.asin,
        "productType": listing.product_type,
        "conditionType": listing.value("condition_type")
        if listing.value("condition_type") in CONDITIONS
        else None,
        "status": status(listing, marketplace),
        "fnSku": listing.fn_sku,
        "itemName": _title(listing, marketplace),
        "createdDate": iso(listing.created),
        "lastUpdatedDate": iso(listing.updated),
    }
    return {k: v for k, v in summary.items() if v is not None}


def _offers(listing: Listing, marketplaces: Sequence[Marketplace]) -> list[dict[str, Any]]:
    offers = []
    for marketplace in marketplaces:
        offer = listing.offer(marketplace.marketplace_id)
        price = offer_price(offer) if offer else None
        if offer is None or price is None:
            continue
        offers.append(
            {
                "marketplaceId": marketplace.marketplace_id,
                "offerType": "B2C",
                "price": {
                    "currencyCode": str(offer.get("currency", marketplace.currency)),
                    "amount": str(price),
                },
                "audience": {"value": "ALL", "displayName": "Sell on Amazon"},
            }
        )
    return offers


def _availability(listing: Listing) -> list[dict[str, Any]]:
    found = []
    for entry in listing.attributes.get("fulfillment_availability", []):
        channel = entry.get("fulfillment_channel_code")
        if not isinstance(channel, str):
            continue
        quantity = entry.get("quantity")
        found.append(
            {
                "fulfillmentChannelCode": channel,
                **({"quantity": quantity} if isinstance(quantity, int) else {}),
            }
        )
    return found


def describe(
    listing: Listing, marketplaces: Sequence[Marketplace], included: Sequence[str]
) -> dict[str, Any]:
    """A listing as getListingsItem and searchListingsItems show it, with the data sets asked for."""
    item: dict[str, Any] = {"sku": listing.sku}
    if "summaries" in included:
        item["summaries"] = [_summary(listing, m) for m in marketplaces]
    if "attributes" in included:
        item["attributes"] = listing.attributes
    if "issues" in included:
        item["issues"] = [i.as_api() for i in listing.issues]
    if "offers" in included:
        item["offers"] = _offers(listing, marketplaces)
    if "fulfillmentAvailability" in included:
        item["fulfillmentAvailability"] = _availability(listing)
    if "procurement" in included:
        item["procurement"] = []
    if "relationships" in included:
        item["relationships"] = [
            {"marketplaceId": m.marketplace_id, "relationships": []} for m in marketplaces
        ]
    if "productTypes" in included:
        item["productTypes"] = [
            {"marketplaceId": m.marketplace_id, "productType": listing.product_type} for m in marketplaces
        ]
    return item


def _submission(submission: Submission, call: Call, marketplaces: Sequence[Marketplace]) -> Response:
    included: list[str] = call.query("includedData", ["issues"])
    body: dict[str, Any] = {
        "sku": submission.sku,
        "status": submission.status,
        "submissionId": submission.submission_id,
    }
    if "issues" in included:
        body["issues"] = [i.as_api() for i in submission.issues]
    if "identifiers" in included and call.query("mode") == "VALIDATION_PREVIEW" and submission.asin:
        body["identifiers"] = [
            {"marketplaceId": m.marketplace_id, "asin": submission.asin} for m in marketplaces
        ]
    return JSONResponse(body)


# --- the operations -----------------------------------------------------------------------------


async def get_listings_item(call: Call) -> Response:
    seller = _seller(call)
    marketplaces = _marketplaces(call, seller)
    listing = call.sandbox.listings.get(seller, call.path("sku"))
    if listing is None:
        raise not_found(f"SKU '{call.path('sku')}' not found in marketplace {marketplaces[0].marketplace_id}")
    return JSONResponse(describe(listing, marketplaces, call.query("includedData", ["summaries"])))


async def put_listings_item(call: Call) -> Response:
    seller = _seller(call)
    marketplaces = _marketplaces(call, seller)
    body = call.inputs.body
    submission = call.sandbox.listings.put(
        seller,
        call.path("sku"),
        markets_of(marketplaces),
        str(body["productType"]),
        body["attributes"],
        requirements=str(body.get("requirements", "LISTING")),
        preview=call.query("mode") == "VALIDATION_PREVIEW",
    )
    return _submission(submission, call, marketplaces)


async def patch_listings_item(call: Call) -> Response:
    seller = _seller(call)
    marketplaces = _marketplaces(call, seller)
    body = call.inputs.body
    submission = call.sandbox.listings.patch(
        seller,
        call.path("sku"),
        markets_of(marketplaces),
        str(body["productType"]),
        body["patches"],
        preview=call.query("mode") == "VALIDATION_PREVIEW",
    )
    return _submission(submission, call, marketplaces)


async def delete_listings_item(call: Call) -> Response:
    seller = _seller(call)
    marketplaces = _marketplaces(call, seller)
    submission = call.sandbox.listings.delete(seller, call.path("sku"))
    if submission is None:
        raise not_found(f"SKU '{call.path('sku')}' not found in marketplace {marketplaces[0].marketplace_id}")
    return _submission(submission, call, marketplaces)


def _search_query(call: Call, seller: Seller, marketplaces: Sequence[Marketplace]) -> dict[str, Any]:
    """The filters of a first search request, as a page token keeps them."""
    identifiers: list[str] = call.query("identifiers", [])
    identifiers_type = call.query("identifiersType")
    if bool(identifiers) != bool(identifiers_type):
        raise invalid_input(INPUT_NOT_VALID, "identifiers and identifiersType must be given together.")
    size: int = call.query("pageSize", DEFAULT_PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise invalid_input(INPUT_NOT_VALID, f"pageSize must be 1 - {MAX_PAGE_SIZE}.")
    times = {
        name: parse_time(call.query(name), name).timestamp() if call.query(name) else None
        for name in ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
    }
    return {
        "kind": "listings",
        "seller": seller.selling_partner_id,
        "marketplaces": [m.marketplace_id for m in marketplaces],
        "included": call.query("includedData", ["summaries"]),
        "identifiers": identifiers,
        "identifiersType": identifiers_type,
        "times": times,
        "severities": call.query("withIssueSeverity", []),
        "with": call.query("withStatus", []),
        "without": call.query("withoutStatus", []),
        "sortBy": call.query("sortBy", "lastUpdatedDate"),
        "sortOrder": call.query("sortOrder", "DESC"),
        "size": size,
        "offset": 0,
    }


def _identified(listing: Listing, kind: str | None, identifiers: set[str]) -> bool:
    if not identifiers:
        return True
    value = {"SKU": listing.sku, "ASIN": listing.asin, "FNSKU": listing.fn_sku}.get(kind or "")
    return value in identifiers


def _in_window(moment: datetime, after: float | None, before: float | None) -> bool:
    stamp = moment.timestamp()
    return (after is None or stamp >= after) and (before is None or stamp <= before)


def _matching(listings: Sequence[Listing], query: dict[str, Any], first: Marketplace) -> list[Listing]:
    times, identifiers = query["times"], set(query["identifiers"])
    found = [
        listing
        for listing in listings
        if _identified(listing, query["identifiersType"], identifiers)
        and _in_window(listing.created, times["createdAfter"], times["createdBefore"])
        and _in_window(listing.updated, times["lastUpdatedAfter"], times["lastUpdatedBefore"])
        and (not query["severities"] or {i.severity for i in listing.issues} & set(query["severities"]))
        and set(query["with"]) <= set(status(listing, first))
        and not set(query["without"]) & set(status(listing, first))
    ]
    key = {
        "sku": lambda listing: (listing.sku,),
        "createdDate": lambda listing: (listing.created, listing.sku),
        "lastUpdatedDate": lambda listing: (listing.updated, listing.sku),
    }[query["sortBy"]]
    return sorted(found, key=key, reverse=query["sortOrder"] == "DESC")


async def search_listings_items(call: Call) -> Response:
    seller = _seller(call)
    token = call.query("pageToken")
    if token:
        query = call.sandbox.pages.read(token)
        if (
            query is None
            or query.get("seller") != seller.selling_partner_id
            or query.get("kind") != "listings"
        ):
            raise invalid_input(INPUT_NOT_VALID, "The pageToken is not valid or has expired.")
    else:
        query = _search_query(call, seller, _marketplaces(call, seller))
    marketplaces = [get_marketplace(m) for m in query["marketplaces"]]
    found = _matching(call.sandbox.listings.listings(seller), query, marketplaces[0])
    start, size = query["offset"], query["size"]
    reachable = found[:MAX_REACHABLE]
    body: dict[str, Any] = {
        "numberOfResults": len(found),
        "items": [
            describe(listing, marketplaces, query["included"]) for listing in reachable[start : start + size]
        ],
    }
    pagination = call.sandbox.pages.links(query, len(reachable))
    if pagination:
        body["pagination"] = pagination
    return JSONResponse(body)


HANDLERS: dict[str, Handler] = {
    "listings-items/2021-08-01/getListingsItem": get_listings_item,
    "listings-items/2021-08-01/putListingsItem": put_listings_item,
    "listings-items/2021-08-01/patchListingsItem": patch_listings_item,
    "listings-items/2021-08-01/deleteListingsItem": delete_listings_item,
    "listings-items/2021-08-01/searchListingsItems": search_listings_items,
}
