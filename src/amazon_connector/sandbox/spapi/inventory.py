"""FBA Inventory v1 getInventorySummaries over the FBA units (``fba_stock``): every page of 50, with
details on request, filtered by SKUs or by change since a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.responses import JSONResponse, Response

from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.spapi.errors import invalid_input
from amazon_connector.sandbox.spapi.fba_stock import Units
from amazon_connector.sandbox.spapi.inputs import INPUT_NOT_VALID, parse_time
from amazon_connector.sandbox.times import iso
from amazon_connector.sandbox.world import Seller

PAGE_SIZE = 50
"""Summaries per page (Amazon answers up to 50)."""


def _summary(units: Units, details: bool) -> dict[str, Any]:
    product = units.product
    summary: dict[str, Any] = {
        "asin": product.asin,
        "fnSku": product.fn_sku,
        "sellerSku": product.sku,
        "condition": "NewItem",
        "lastUpdatedTime": iso(units.updated),
        "productName": product.title,
        "totalQuantity": units.fulfillable + units.reserved,
        "stores": [],
    }
    if details:
        summary["inventoryDetails"] = {
            "fulfillableQuantity": units.fulfillable,
            "inboundWorkingQuantity": 0,
            "inboundShippedQuantity": 0,
            "inboundReceivingQuantity": 0,
            "reservedQuantity": {
                "totalReservedQuantity": units.reserved,
                "pendingCustomerOrderQuantity": units.reserved,
                "pendingTransshipmentQuantity": 0,
                "fcProcessingQuantity": 0,
            },
            "researchingQuantity": {"totalResearchingQuantity": 0, "researchingQuantityBreakdown": []},
            "unfulfillableQuantity": {
                "totalUnfulfillableQuantity": 0,
                "customerDamagedQuantity": 0,
                "warehouseDamagedQuantity": 0,
                "distributorDamagedQuantity": 0,
                "carrierDamagedQuantity": 0,
                "defectiveQuantity": 0,
                "expiredQuantity": 0,
            },
        }
    return summary


def _query(call: Call, seller: Seller) -> dict[str, Any]:
    """The filters of a first request, as a next-page token keeps them."""
    marketplace_id = call.query("granularityId")
    ids: list[str] = call.query("marketplaceIds", [])
    if marketplace_id not in {m.marketplace_id for m in seller.marketplaces()} or ids != [marketplace_id]:
        raise invalid_input(
            INPUT_NOT_VALID, "granularityId and marketplaceIds must name one of the seller's marketplaces."
        )
    start = call.query("startDateTime")
    skus: Sequence[str] = call.query("sellerSkus", []) or (
        [call.query("sellerSku")] if call.query("sellerSku") else []
    )
    return {
        "kind": "inventory",
        "seller": seller.selling_partner_id,
        "marketplace": marketplace_id,
        "since": parse_time(start, "startDateTime").timestamp() if start else None,
        "skus": [] if start else list(skus),
        "details": bool(call.query("details", False)),
        "offset": 0,
    }


async def get_inventory_summaries(call: Call) -> Response:
    seller = call.identity.authorising_seller
    token = call.query("nextToken")
    if token:
        query = call.sandbox.pages.read(token)
        if (
            query is None
            or query.get("seller") != seller.selling_partner_id
            or query.get("kind") != "inventory"
        ):
            raise invalid_input(INPUT_NOT_VALID, "The nextToken is not valid or has expired.")
    else:
        query = _query(call, seller)
    found = [
        u
        for u in call.sandbox.inventory.units(seller, query["marketplace"])
        if (not query["skus"] or u.product.sku in query["skus"])
        and (query["since"] is None or u.updated.timestamp() >= query["since"])
    ]
    start = query["offset"]
    page = found[start : start + PAGE_SIZE]
    body: dict[str, Any] = {
        "payload": {
            "granularity": {"granularityType": "Marketplace", "granularityId": query["marketplace"]},
            "inventorySummaries": [_summary(u, query["details"]) for u in page],
        }
    }
    if start + PAGE_SIZE < len(found):
        body["pagination"] = {"nextToken": call.sandbox.pages.issue({**query, "offset": start + PAGE_SIZE})}
    return JSONResponse(body)


HANDLERS: dict[str, Handler] = {"fba-inventory/v1/getInventorySummaries": get_inventory_summaries}
