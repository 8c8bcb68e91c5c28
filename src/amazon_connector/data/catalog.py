"""Catalog and pricing reads as rows for the shared destinations.

* Catalog Items 2022-04-01: ``searchCatalogItems`` by keywords or by identifiers (20 a call, every page)
  and ``getCatalogItem``.
* Competitive pricing (Product Pricing v0 ``getCompetitivePricing``): up to 20 ASINs or SKUs a call,
  the operation's own batch.
* Offers (the batch operations ``getItemOffersBatch`` for ASINs, ``getListingOffersBatch`` for SKUs):
  20 requests a call, each answered on its own (an item Amazon cannot price is a row with its status).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from amazon_connector.connections.connection import Connection
from amazon_connector.data.records import Column, RecordSet
from amazon_connector.errors import ConfigurationError

SEARCH = "catalog-items/2022-04-01/searchCatalogItems"
GET = "catalog-items/2022-04-01/getCatalogItem"
COMPETITIVE = "product-pricing/v0/getCompetitivePricing"
ITEM_OFFERS = "product-pricing/v0/getItemOffersBatch"
LISTING_OFFERS = "product-pricing/v0/getListingOffersBatch"
BATCH = 20
"""Identifiers a catalog search, a competitive pricing call or a batch takes at most."""
INCLUDED = ["summaries", "identifiers", "productTypes", "salesRanks"]

CATALOG = RecordSet(
    "catalog_items",
    [
        Column("asin", "string"),
        Column("item_name", "string"),
        Column("brand", "string"),
        Column("manufacturer", "string"),
        Column("product_type", "string"),
        Column("display_group", "string", doc="The website display group."),
        Column("color", "string"),
        Column("size", "string"),
        Column("model_number", "string"),
        Column("identifiers", "string", doc="EAN, UPC, … as TYPE:VALUE, comma-separated."),
        Column("sales_rank", "integer", doc="The best rank in a display group."),
    ],
    primary_key=["asin"],
    doc="Catalog items in one marketplace.",
)
PRICES = RecordSet(
    "competitive_prices",
    [
        Column("identifier", "string", doc="The ASIN or SKU asked for."),
        Column("asin", "string"),
        Column("sku", "string"),
        Column("status", "string", doc="Success, or why Amazon has no price (ClientError, …)."),
        Column("price_id", "string", doc="1: the new Buy Box price; 2: the used Buy Box price."),
        Column("condition", "string"),
        Column("landed_price", "decimal", scale=2),
        Column("listing_price", "decimal", scale=2),
        Column("shipping", "decimal", scale=2),
        Column("currency", "string"),
        Column("belongs_to_requester", "boolean", doc="Whether the price is the seller's own offer."),
        Column("offers", "integer", doc="Offer listings, all conditions."),
    ],
    primary_key=["identifier", "price_id", "condition"],
    doc="Competitive prices: one row per price of each item (one row without a price when there is none).",
)
OFFERS = RecordSet(
    "offers",
    [
        Column("identifier", "string", doc="The ASIN or SKU asked for."),
        Column("status", "string", doc="The item's HTTP status and Amazon's status for it."),
        Column("total_offers", "integer"),
        Column("lowest_price", "decimal", scale=2, doc="The lowest landed price, new condition."),
        Column("buy_box_price", "decimal", scale=2, doc="The Buy Box landed price, new condition."),
        Column("currency", "string"),
        Column("error", "string", doc="Amazon's error for the item, if any."),
    ],
    primary_key=["identifier"],
    doc="Offers summaries: one row per ASIN or SKU.",
)


def _chunks(values: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), BATCH):
        yield list(values[start : start + BATCH])


def catalog_row(item: Mapping[str, Any], marketplace_id: str) -> dict[str, Any]:
    def mine(key: str) -> Mapping[str, Any]:
        return next((e for e in item.get(key) or [] if e.get("marketplaceId") == marketplace_id), {})

    summary = mine("summaries")
    ranks = [
        r.get("rank")
        for r in mine("salesRanks").get("displayGroupRanks") or []
        if isinstance(r.get("rank"), int)
    ]
    identifiers = [
        f"{i.get('identifierType')}:{i.get('identifier')}"
        for i in mine("identifiers").get("identifiers") or []
    ]
    return {
        "asin": item["asin"],
        "item_name": summary.get("itemName"),
        "brand": summary.get("brand"),
        "manufacturer": summary.get("manufacturer"),
        "product_type": mine("productTypes").get("productType"),
        "display_group": summary.get("websiteDisplayGroup"),
        "color": summary.get("color"),
        "size": summary.get("size"),
        "model_number": summary.get("modelNumber"),
        "identifiers": ",".join(identifiers) or None,
        "sales_rank": min(ranks) if ranks else None,
    }


def search_catalog(
    connection: Connection,
    *,
    keywords: Sequence[str] = (),
    identifiers: Sequence[str] = (),
    identifiers_type: str = "ASIN",
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Catalog items by keywords (every page, at most ``limit``) or by identifiers (20 a call)."""
    if bool(keywords) == bool(identifiers):
        raise ConfigurationError(
            "Search the catalog by keywords or by identifiers (one of them).", field="keywords"
        )
    marketplace_id = connection.marketplace.marketplace_id
    common: dict[str, Any] = {"marketplaceIds": [marketplace_id], "includedData": INCLUDED, "pageSize": BATCH}
    searches = (
        [{"keywords": list(keywords)}]
        if keywords
        else [{"identifiers": batch, "identifiersType": identifiers_type} for batch in _chunks(identifiers)]
    )
    count = 0
    for search in searches:
        for item in connection.call(SEARCH, paginate=True, **common, **search):
            yield catalog_row(item, marketplace_id)
            count += 1
            if limit is not None and count >= limit:
                return


def get_catalog_item(connection: Connection, asin: str) -> dict[str, Any]:
    """One catalog item with every data set Amazon has for it, as JSON."""
    included = [
        "attributes",
        "classifications",
        "dimensions",
        "identifiers",
        "images",
        "productTypes",
        "relationships",
        "salesRanks",
        "summaries",
    ]
    found: dict[str, Any] = connection.call(
        GET, asin=asin, marketplaceIds=[connection.marketplace.marketplace_id], includedData=included
    ).data
    return found


def _amount(money: Any) -> Decimal | None:
    if not isinstance(money, Mapping) or money.get("Amount") is None:
        return None
    return Decimal(str(money["Amount"])).quantize(Decimal("0.01"))


def _price_rows(identifier: str, entry: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    product: Mapping[str, Any] = entry.get("Product") or {}
    pricing: Mapping[str, Any] = product.get("CompetitivePricing") or {}
    offers = sum(int(n.get("Count") or 0) for n in pricing.get("NumberOfOfferListings") or [])
    base = {
        "identifier": identifier,
        "asin": entry.get("ASIN"),
        "sku": entry.get("SellerSKU"),
        "status": entry.get("status"),
        "offers": offers if pricing else None,
    }
    prices = pricing.get("CompetitivePrices") or []
    if not prices:
        yield {**base, "price_id": "", "condition": ""}
    for price in prices:
        amounts = price.get("Price") or {}
        listing = amounts.get("ListingPrice") or {}
        yield {
            **base,
            "price_id": str(price.get("CompetitivePriceId", "")),
            "condition": str(price.get("condition") or ""),
            "landed_price": _amount(amounts.get("LandedPrice")),
            "listing_price": _amount(listing),
            "shipping": _amount(amounts.get("Shipping")),
            "currency": listing.get("CurrencyCode"),
            "belongs_to_requester": price.get("belongsToRequester"),
        }


def competitive_prices(
    connection: Connection, *, asins: Sequence[str] = (), skus: Sequence[str] = ()
) -> Iterator[dict[str, Any]]:
    """The competitive prices of ASINs or SKUs (getCompetitivePricing, 20 a call)."""
    if bool(asins) == bool(skus):
        raise ConfigurationError("Give ASINs or SKUs (one kind).", field="asin")
    kind, values = ("Asin", asins) if asins else ("Sku", skus)
    for batch in _chunks(values):
        named: dict[str, Any] = {"Asins": batch} if kind == "Asin" else {"Skus": batch}
        answer = connection.call(
            COMPETITIVE, MarketplaceId=connection.marketplace.marketplace_id, ItemType=kind, **named
        )
        for requested, entry in zip(batch, answer.data or [], strict=False):
            yield from _price_rows(requested, entry)


def _offers_row(identifier: str, response: Mapping[str, Any]) -> dict[str, Any]:
    status = response.get("status") or {}
    body = response.get("body") or {}
    result: Mapping[str, Any] = body.get("payload") or {}
    summary: Mapping[str, Any] = result.get("Summary") or {}
    new_lowest = [p for p in summary.get("LowestPrices") or [] if p.get("condition", "").lower() == "new"]
    buy_box = [p for p in summary.get("BuyBoxPrices") or [] if p.get("condition", "").lower() == "new"]
    lowest = min((_amount(p.get("LandedPrice")) or Decimal("Infinity") for p in new_lowest), default=None)
    errors = body.get("errors") or []
    return {
        "identifier": identifier,
        "status": " ".join(str(s) for s in (status.get("statusCode"), result.get("status")) if s) or None,
        "total_offers": summary.get("TotalOfferCount"),
        "lowest_price": lowest if lowest is not None and lowest.is_finite() else None,
        "buy_box_price": _amount(buy_box[0].get("LandedPrice")) if buy_box else None,
        "currency": ((new_lowest or buy_box or [{}])[0].get("LandedPrice") or {}).get("CurrencyCode"),
        "error": "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors) or None,
    }


def offers(
    connection: Connection, *, asins: Sequence[str] = (), skus: Sequence[str] = (), condition: str = "New"
) -> Iterator[dict[str, Any]]:
    """Offer summaries (lowest and Buy Box prices, offer counts) of ASINs or SKUs, through the batch
    operations: 20 requests a call."""
    if bool(asins) == bool(skus):
        raise ConfigurationError("Give ASINs or SKUs (one kind).", field="asin")
    marketplace_id = connection.marketplace.marketplace_id
    operation, values, path = (
        (ITEM_OFFERS, asins, "/products/pricing/v0/items/{}/offers")
        if asins
        else (LISTING_OFFERS, skus, "/products/pricing/v0/listings/{}/offers")
    )
    for batch in _chunks(values):
        requests = [
            {
                "uri": path.format(quote(value, safe="")),
                "method": "GET",
                "MarketplaceId": marketplace_id,
                "ItemCondition": condition,
            }
            for value in batch
        ]
        answer = connection.call(operation, body={"requests": requests})
        for requested, response in zip(batch, answer.data.get("responses") or [], strict=False):
            yield _offers_row(requested, response)
