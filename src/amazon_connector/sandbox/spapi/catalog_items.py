"""Catalog Items API 2022-04-01 over the sellers' listings: the catalogue holds every ASIN a seller of the
world lists (as the listings store has it now), in the marketplaces that seller sells in.

An item's summaries, attributes, product type and browse classification come from its listing; its EAN,
model number, image, dimensions and sales ranks are derived from the world's seed and the ASIN (the
same seed, the same catalogue). No item has variations, and vendor details are for vendors only (a
seller sees none). ``getCatalogItem`` answers the data sets asked for (``summaries`` when none is); an
ASIN the catalogue does not hold in the marketplaces asked for is 404 NOT_FOUND. ``searchCatalogItems``
finds items by identifiers (ASIN, EAN/GTIN, or the seller's SKUs) or by keywords (every keyword in the
title or the brand), narrowed by brand names and classification IDs, in pages.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, Response

from amazon_connector.api.catalog import catalog
from amazon_connector.api.shapes import shape
from amazon_connector.marketplaces import Marketplace, all_marketplaces, get_marketplace
from amazon_connector.sandbox.context import Sandbox
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import SpApiError, invalid_input
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID
from amazon_connector.sandbox.spapi.listings_store import Listing
from amazon_connector.sandbox.spapi.product_types import OFFER_ATTRIBUTES
from amazon_connector.sandbox.world import Seller

DATA_SETS: tuple[str, ...] = tuple(
    next(
        p
        for p in shape(catalog().get("catalog-items/2022-04-01/getCatalogItem")).parameters
        if p.name == "includedData"
    ).schema["items"]["enum"]
)
"""The data sets an item has (the model's ``includedData``)."""
DEFAULT_DATA_SETS = ["summaries"]
DEFAULT_PAGE_SIZE = 10
BROWSE_NODES = {"LUGGAGE": "15743631", "SHOES": "679255011", "KITCHEN": "284507", "PRODUCT": "1"}
"""The browse classification (a node ID) of each product type of the world."""


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One ASIN of the catalogue: the listing it comes from, its seller and the marketplaces it is in."""

    listing: Listing
    seller: Seller
    marketplaces: tuple[Marketplace, ...]

    @property
    def asin(self) -> str:
        return str(self.listing.asin)


def catalogue(sandbox: Sandbox) -> dict[str, CatalogEntry]:
    """Every ASIN the world's sellers list now (the first seller's listing where two list one ASIN)."""
    sandbox.feeds.settle_due()
    found: dict[str, CatalogEntry] = {}
    for seller in sandbox.world.sellers:
        markets = tuple(seller.marketplaces())
        for listing in sandbox.listings.listings(seller):
            if listing.asin and listing.asin not in found:
                found[listing.asin] = CatalogEntry(listing, seller, markets)
    return found


def _ean(rng: random.Random) -> str:
    """A valid EAN-13 (its check digit computed)."""
    digits = "50" + "".join(str(rng.randrange(10)) for _ in range(10))
    total = sum(int(d) * (3 if n % 2 else 1) for n, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class _Derived:
    """What the seed and the ASIN decide about an item."""

    ean: str
    model: str
    image: str
    rank: int
    weight: float
    sides: tuple[float, float, float]

    @classmethod
    def of(cls, seed: int, asin: str) -> _Derived:
        rng = random.Random(f"{seed}|catalog|{asin}")  # noqa: S311
        return cls(
            ean=_ean(rng),
            model=f"M-{rng.randrange(10000, 99999)}",
            image="".join(
                rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
                for _ in range(11)
            ),
            rank=rng.randrange(1, 250_000),
            weight=round(rng.uniform(0.2, 9.0), 2),
            sides=(round(rng.uniform(2, 30), 1), round(rng.uniform(2, 20), 1), round(rng.uniform(1, 12), 1)),
        )


def _title(listing: Listing, marketplace: Marketplace) -> str | None:
    names = listing.attributes.get("item_name", [])
    chosen = next((n for n in names if n.get("marketplace_id") == marketplace.marketplace_id), None)
    value = (chosen or (names[0] if names else {})).get("value")
    return value if isinstance(value, str) else None


def _browse(product_type: str) -> dict[str, str]:
    return {
        "displayName": product_type.title(),
        "classificationId": BROWSE_NODES[product_type],
    }


def _display_group(product_type: str) -> str:
    return f"{product_type.lower()}_display_on_website"


def _summary(entry: CatalogEntry, derived: _Derived, marketplace: Marketplace) -> dict[str, Any]:
    listing = entry.listing
    summary = {
        "marketplaceId": marketplace.marketplace_id,
        "brand": listing.value("brand"),
        "browseClassification": _browse(listing.product_type),
        "color": listing.value("color"),
        "itemClassification": "BASE_PRODUCT",
        "itemName": _title(listing, marketplace),
        "manufacturer": listing.value("brand"),
        "modelNumber": derived.model,
        "packageQuantity": 1,
        "websiteDisplayGroup": _display_group(listing.product_type),
        "websiteDisplayGroupName": listing.product_type.title(),
    }
    return {k: v for k, v in summary.items() if v is not None}


def _dimensions(derived: _Derived, marketplace: Marketplace) -> dict[str, Any]:
    length, width, height = derived.sides

    def box(extra: float) -> dict[str, Any]:
        return {
            "height": {"unit": "inches", "value": round(height + extra, 1)},
            "length": {"unit": "inches", "value": round(length + extra, 1)},
            "width": {"unit": "inches", "value": round(width + extra, 1)},
            "weight": {"unit": "pounds", "value": round(derived.weight * (1 + extra / 10), 2)},
        }

    return {"marketplaceId": marketplace.marketplace_id, "item": box(0), "package": box(1)}


def _attributes(listing: Listing, marketplaces: Sequence[Marketplace]) -> dict[str, Any]:
    """The listing's product attributes (not its offer), values of other marketplaces left out."""
    ids = {m.marketplace_id for m in marketplaces}
    found: dict[str, Any] = {}
    for name, values in listing.attributes.items():
        kept = [v for v in values if v.get("marketplace_id") in (None, *ids)]
        if name not in OFFER_ATTRIBUTES and kept:
            found[name] = kept
    return found


def describe(
    entry: CatalogEntry, seed: int, marketplaces: Sequence[Marketplace], included: Iterable[str]
) -> dict[str, Any]:
    """An item as getCatalogItem and searchCatalogItems show it: the data sets asked for, in the
    marketplaces asked for."""
    derived = _Derived.of(seed, entry.asin)
    listing = entry.listing
    product_type = listing.product_type
    title = product_type.title()
    sections: dict[str, Any] = {
        "attributes": lambda: _attributes(listing, marketplaces),
        "classifications": lambda: [
            {"marketplaceId": m.marketplace_id, "classifications": [_browse(product_type)]}
            for m in marketplaces
        ],
        "dimensions": lambda: [_dimensions(derived, m) for m in marketplaces],
        "identifiers": lambda: [
            {
                "marketplaceId": m.marketplace_id,
                "identifiers": [{"identifierType": "EAN", "identifier": derived.ean}],
            }
            for m in marketplaces
        ],
        "images": lambda: [
            {
                "marketplaceId": m.marketplace_id,
                "images": [
                    {
                        "variant": "MAIN",
                        "link": f"https://m.media-amazon.com/images/I/{derived.image}.jpg",
                        "height": 500,
                        "width": 500,
                    }
                ],
            }
            for m in marketplaces
        ],
        "productTypes": lambda: [
            {"marketplaceId": m.marketplace_id, "productType": product_type} for m in marketplaces
        ],
        "relationships": lambda: [
            {"marketplaceId": m.marketplace_id, "relationships": []} for m in marketplaces
        ],
        "salesRanks": lambda: [
            {
                "marketplaceId": m.marketplace_id,
                "classificationRanks": [
                    {"classificationId": BROWSE_NODES[product_type], "title": title, "rank": derived.rank}
                ],
                "displayGroupRanks": [
                    {
                        "websiteDisplayGroup": _display_group(product_type),
                        "title": title,
                        "rank": derived.rank,
                    }
                ],
            }
            for m in marketplaces
        ],
        "summaries": lambda: [_summary(entry, derived, m) for m in marketplaces],
        "vendorDetails": lambda: [],
    }
    item: dict[str, Any] = {"asin": entry.asin}
    for name in DATA_SETS:
        if name in included:
            item[name] = sections[name]()
    return item


def _marketplaces(call: Call) -> list[Marketplace]:
    ids: list[str] = call.query("marketplaceIds", [])
    known = {m.marketplace_id: m for m in all_marketplaces()}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise invalid_input(INPUT_NOT_VALID, f"Not a marketplace ID: {', '.join(unknown)}.")
    return [known[i] for i in ids]


def not_found(asin: str, marketplaces: Sequence[Marketplace]) -> SpApiError:
    ids = ", ".join(m.marketplace_id for m in marketplaces)
    return SpApiError(404, "NOT_FOUND", f"Requested item '{asin}' not found in marketplace(s) {ids}.")


def _in(entry: CatalogEntry, marketplaces: Sequence[Marketplace]) -> bool:
    return all(m in entry.marketplaces for m in marketplaces)


async def get_catalog_item(call: Call) -> Response:
    marketplaces = _marketplaces(call)
    asin = call.path("asin")
    entry = catalogue(call.sandbox).get(asin)
    if entry is None or not _in(entry, marketplaces):
        raise not_found(asin, marketplaces)
    included = call.query("includedData", DEFAULT_DATA_SETS)
    return JSONResponse(describe(entry, call.sandbox.world.seed, marketplaces, included))


def _search_query(call: Call, marketplaces: Sequence[Marketplace]) -> dict[str, Any]:
    """The filters of a first search request, as a page token keeps them."""
    identifiers: list[str] = call.query("identifiers", [])
    keywords: list[str] = call.query("keywords", [])
    kind = call.query("identifiersType")
    if bool(identifiers) == bool(keywords):
        raise invalid_input(INPUT_NOT_VALID, "Give identifiers or keywords (one of them).")
    if identifiers and not kind:
        raise invalid_input(INPUT_NOT_VALID, "identifiersType is required with identifiers.")
    if kind == "SKU" and not call.query("sellerId"):
        raise invalid_input(INPUT_NOT_VALID, "sellerId is required when identifiersType is SKU.")
    if (call.query("brandNames") or call.query("classificationIds")) and not keywords:
        raise invalid_input(INPUT_NOT_VALID, "brandNames and classificationIds narrow a keywords search.")
    return {
        "kind": "catalog",
        "marketplaces": [m.marketplace_id for m in marketplaces],
        "included": call.query("includedData", DEFAULT_DATA_SETS),
        "identifiers": identifiers,
        "identifiersType": kind,
        "sellerId": call.query("sellerId"),
        "keywords": [k.casefold() for k in keywords],
        "brands": call.query("brandNames", []),
        "classifications": call.query("classificationIds", []),
        "size": call.query("pageSize", DEFAULT_PAGE_SIZE),
        "offset": 0,
    }


def _matching(sandbox: Sandbox, query: dict[str, Any], marketplace: Marketplace) -> list[CatalogEntry]:
    held = [e for e in catalogue(sandbox).values() if marketplace in e.marketplaces]
    if query["identifiers"]:
        kind = query["identifiersType"]

        def value(entry: CatalogEntry) -> str | None:
            if kind == "ASIN":
                return entry.asin
            if kind in ("EAN", "GTIN"):
                return _Derived.of(sandbox.world.seed, entry.asin).ean
            if kind == "SKU" and entry.seller.selling_partner_id == query["sellerId"]:
                return entry.listing.sku
            return None

        by_value = {value(e): e for e in held}
        return [by_value[i] for i in dict.fromkeys(query["identifiers"]) if i in by_value]
    found = []
    for entry in sorted(held, key=lambda e: e.asin):
        text = f"{_title(entry.listing, marketplace) or ''} {entry.listing.value('brand') or ''}".casefold()
        if (
            all(k in text for k in query["keywords"])
            and (not query["brands"] or entry.listing.value("brand") in query["brands"])
            and (
                not query["classifications"]
                or _browse(entry.listing.product_type)["classificationId"] in query["classifications"]
            )
        ):
            found.append(entry)
    return found


def _refinements(found: Sequence[CatalogEntry]) -> dict[str, Any]:
    brands: dict[str, int] = {}
    classes: dict[tuple[str, str], int] = {}
    for entry in found:
        brand = entry.listing.value("brand")
        if isinstance(brand, str):
            brands[brand] = brands.get(brand, 0) + 1
        browse = _browse(entry.listing.product_type)
        key = (browse["displayName"], browse["classificationId"])
        classes[key] = classes.get(key, 0) + 1
    return {
        "brands": [{"numberOfResults": n, "brandName": b} for b, n in sorted(brands.items())],
        "classifications": [
            {"numberOfResults": n, "displayName": name, "classificationId": node}
            for (name, node), n in sorted(classes.items())
        ],
    }


async def search_catalog_items(call: Call) -> Response:
    token = call.query("pageToken")
    if token:
        query = call.sandbox.pages.read(token)
        if query is None or query.get("kind") != "catalog":
            raise invalid_input(INPUT_NOT_VALID, "The pageToken is not valid or has expired.")
    else:
        query = _search_query(call, _marketplaces(call))
    marketplaces = [get_marketplace(m) for m in query["marketplaces"]]
    found = _matching(call.sandbox, query, marketplaces[0])
    start, size = query["offset"], query["size"]
    body: dict[str, Any] = {
        "numberOfResults": len(found),
        "items": [
            describe(e, call.sandbox.world.seed, marketplaces, query["included"])
            for e in found[start : start + size]
        ],
    }
    pagination = call.sandbox.pages.links(query, len(found))
    if pagination:
        body["pagination"] = pagination
    if query["keywords"]:
        body["refinements"] = _refinements(found)
    return JSONResponse(body)


def ground_truth(sandbox: Sandbox, asins: Sequence[str], marketplace_id: str | None) -> list[dict[str, Any]]:
    """The catalogue as ``/_sandbox/catalog`` shows it: each item with every data set, in one
    marketplace or in all of the item's, and the seller whose listing it is."""
    found = []
    for entry in catalogue(sandbox).values():
        if asins and entry.asin not in asins:
            continue
        marketplaces = [m for m in entry.marketplaces if marketplace_id in (None, m.marketplace_id)]
        if marketplaces:
            item = describe(entry, sandbox.world.seed, marketplaces, DATA_SETS)
            found.append({**item, "sku": entry.listing.sku, "seller": entry.seller.selling_partner_id})
    return found


HANDLERS: dict[str, Handler] = {
    "catalog-items/2022-04-01/getCatalogItem": get_catalog_item,
    "catalog-items/2022-04-01/searchCatalogItems": search_catalog_items,
}
