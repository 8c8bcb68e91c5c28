"""FBA inventory as rows: getInventorySummaries for the connection's marketplace, every page, with the
detailed quantities on request (fulfillable, reserved, inbound, researching, unfulfillable).

Merchant-fulfilled stock is not here: it is the listings' ``fulfillment_availability`` (``stock set``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.records import Column, RecordSet

SUMMARIES = "fba-inventory/v1/getInventorySummaries"
SKUS_PER_CALL = 50
"""sellerSkus takes at most 50 SKUs."""

INVENTORY = RecordSet(
    "inventory",
    [
        Column("marketplace_id", "string", doc="The marketplace the quantities are for."),
        Column("sku", "string", doc="The seller's SKU."),
        Column("asin", "string"),
        Column("fn_sku", "string", doc="Amazon's fulfilment network SKU."),
        Column("condition", "string"),
        Column("product_name", "string"),
        Column("total", "integer", doc="Units in inbound shipments or in Amazon's fulfilment centres."),
        Column(
            "fulfillable", "integer", doc="Units that can be picked, packed and shipped (with --details)."
        ),
        Column("reserved", "integer", doc="Units reserved, e.g. for customer orders (with --details)."),
        Column(
            "pending_customer_orders", "integer", doc="Reserved units of customer orders (with --details)."
        ),
        Column(
            "inbound",
            "integer",
            doc="Units in inbound shipments: working, shipped, receiving (with --details).",
        ),
        Column("researching", "integer", doc="Units being researched (with --details)."),
        Column("unfulfillable", "integer", doc="Units in unsellable condition (with --details)."),
        Column("last_updated", "timestamp", doc="When a quantity last changed."),
    ],
    primary_key=["marketplace_id", "sku"],
    doc="FBA inventory summaries.",
)


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def inventory_row(summary: Mapping[str, Any], marketplace_id: str) -> dict[str, Any]:
    """One inventory summary as an ``inventory`` row."""
    details: Mapping[str, Any] = summary.get("inventoryDetails") or {}
    reserved: Mapping[str, Any] = details.get("reservedQuantity") or {}
    inbound = [
        details.get(k)
        for k in ("inboundWorkingQuantity", "inboundShippedQuantity", "inboundReceivingQuantity")
    ]
    return {
        "marketplace_id": marketplace_id,
        "sku": summary.get("sellerSku"),
        "asin": summary.get("asin"),
        "fn_sku": summary.get("fnSku"),
        "condition": summary.get("condition"),
        "product_name": summary.get("productName"),
        "total": summary.get("totalQuantity"),
        "fulfillable": details.get("fulfillableQuantity"),
        "reserved": reserved.get("totalReservedQuantity"),
        "pending_customer_orders": reserved.get("pendingCustomerOrderQuantity"),
        "inbound": sum(i for i in inbound if isinstance(i, int)) if details else None,
        "researching": (details.get("researchingQuantity") or {}).get("totalResearchingQuantity"),
        "unfulfillable": (details.get("unfulfillableQuantity") or {}).get("totalUnfulfillableQuantity"),
        "last_updated": _time(summary.get("lastUpdatedTime")),
    }


def inventory_rows(
    connection: Connection, *, skus: Sequence[str] = (), since: datetime | None = None, details: bool = False
) -> Iterator[dict[str, Any]]:
    """The FBA inventory of the connection's marketplace: every SKU (or those named, 50 a call, or those
    changed ``since``), every page."""
    marketplace_id = connection.marketplace.marketplace_id
    common: dict[str, Any] = {
        "granularityType": "Marketplace",
        "granularityId": marketplace_id,
        "marketplaceIds": [marketplace_id],
        "details": details,
        "startDateTime": since,
    }
    batches: list[list[str] | None] = (
        [list(skus[i : i + SKUS_PER_CALL]) for i in range(0, len(skus), SKUS_PER_CALL)]
        if skus and since is None
        else [None]
    )
    for batch in batches:
        for summary in connection.call(SUMMARIES, paginate=True, sellerSkus=batch, **common):
            yield inventory_row(summary, marketplace_id)
