"""Listings read back: one listing with everything Amazon has on it, and searches as rows for the shared
destinations (one row per SKU: product type, status, title, the price and quantity in the connection's
marketplace, issues)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.listings.amazon import GET, SEARCH, SEARCH_BATCH, seller_id
from amazon_connector.data.records import Column, RecordSet

INCLUDED = ["summaries", "attributes", "issues", "offers", "fulfillmentAvailability", "productTypes"]

LISTINGS = RecordSet(
    "listings",
    [
        Column("sku", "string", doc="The seller's SKU."),
        Column("asin", "string", doc="The ASIN the listing is for."),
        Column("product_type", "string", doc="Amazon's product type."),
        Column("status", "string", doc="BUYABLE, DISCOVERABLE (comma-separated), in the marketplace."),
        Column("item_name", "string", doc="The title."),
        Column("price", "decimal", scale=2, doc="The offer's price in the marketplace."),
        Column("currency", "string", doc="The price's currency."),
        Column("quantity", "integer", doc="The seller's quantity (merchant-fulfilled listings)."),
        Column("channel", "string", doc="DEFAULT (the seller ships) or AMAZON_* (fulfilled by Amazon)."),
        Column("errors", "integer", doc="Issues of severity ERROR."),
        Column("warnings", "integer", doc="Issues of severity WARNING."),
        Column("created", "timestamp", doc="When the listing was created."),
        Column("updated", "timestamp", doc="When it last changed."),
    ],
    primary_key=["sku"],
    doc="A seller's listings in one marketplace.",
)


def get_listing(connection: Connection, sku: str) -> dict[str, Any]:
    """getListingsItem with every data set (summaries, attributes, issues, offers, availability, types)."""
    answer = connection.call(
        GET,
        sellerId=seller_id(connection),
        sku=sku,
        marketplaceIds=[connection.marketplace.marketplace_id],
        includedData=INCLUDED,
    )
    found: dict[str, Any] = answer.data
    return found


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def listing_row(item: Mapping[str, Any], marketplace_id: str) -> dict[str, Any]:
    """One search result as a ``listings`` row."""
    summary: Mapping[str, Any] = next(
        (s for s in item.get("summaries") or [] if s.get("marketplaceId") == marketplace_id), {}
    )
    offer: Mapping[str, Any] = next(
        (o for o in item.get("offers") or [] if o.get("marketplaceId") == marketplace_id), {}
    )
    availability = (item.get("fulfillmentAvailability") or [{}])[0]
    issues = item.get("issues") or []
    price = offer.get("price") or {}
    return {
        "sku": item["sku"],
        "asin": summary.get("asin"),
        "product_type": summary.get("productType"),
        "status": ",".join(summary.get("status") or []) or None,
        "item_name": summary.get("itemName"),
        "price": price.get("amount"),
        "currency": price.get("currencyCode"),
        "quantity": availability.get("quantity"),
        "channel": availability.get("fulfillmentChannelCode"),
        "errors": sum(1 for i in issues if i.get("severity") == "ERROR"),
        "warnings": sum(1 for i in issues if i.get("severity") == "WARNING"),
        "created": _time(summary.get("createdDate")),
        "updated": _time(summary.get("lastUpdatedDate")),
    }


def search_listings(
    connection: Connection,
    *,
    skus: Sequence[str] = (),
    with_status: Sequence[str] = (),
    without_status: Sequence[str] = (),
    issue_severities: Sequence[str] = (),
    updated_since: datetime | None = None,
) -> Iterator[dict[str, Any]]:
    """The seller's listings in the connection's marketplace as rows, every page (Amazon pages through
    at most 1,000; name SKUs to read more), 20 named SKUs a call."""
    marketplace_id = connection.marketplace.marketplace_id
    common: dict[str, Any] = {
        "sellerId": seller_id(connection),
        "marketplaceIds": [marketplace_id],
        "includedData": ["summaries", "offers", "fulfillmentAvailability", "issues"],
        "withStatus": list(with_status) or None,
        "withoutStatus": list(without_status) or None,
        "withIssueSeverity": list(issue_severities) or None,
        "lastUpdatedAfter": updated_since,
        "pageSize": SEARCH_BATCH,
        "sortBy": "sku",
        "sortOrder": "ASC",
    }
    batches: list[dict[str, Any]] = [
        {"identifiers": list(skus[i : i + SEARCH_BATCH]), "identifiersType": "SKU"}
        for i in range(0, len(skus), SEARCH_BATCH)
    ] or [{}]
    for batch in batches:
        for item in connection.call(SEARCH, paginate=True, **common, **batch):
            yield listing_row(item, marketplace_id)
