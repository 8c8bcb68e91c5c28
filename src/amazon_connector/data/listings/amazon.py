"""The Listings Items API calls bulk updates make, and how Amazon's answers become per-record issues."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from amazon_connector.connections.connection import Connection
from amazon_connector.data.calls import gather_limited
from amazon_connector.errors import ConfigurationError

SEARCH = "listings-items/2021-08-01/searchListingsItems"
GET = "listings-items/2021-08-01/getListingsItem"
PATCH = "listings-items/2021-08-01/patchListingsItem"
SEARCH_BATCH = 20
"""SKUs per searchListingsItems call (its ``identifiers`` take at most 20; a page shows at most 20)."""


def seller_id(connection: Connection) -> str:
    """The selling partner ID the Listings Items API's paths need."""
    found = connection.settings.selling_partner_id
    if not found:
        raise ConfigurationError(
            f"Connection {connection.name!r} has no selling partner ID, which listings calls need.",
            field="selling_partner_id",
            hint=f"Authorise it again, or set it: amazon-connector connections edit {connection.name} "
            "--selling-partner-id A2EXAMPLE12345 (Seller Central: Settings, Account Info, Merchant Token).",
        )
    return found


@dataclass(frozen=True, slots=True)
class Listed:
    """What a bulk update needs to know about an existing listing."""

    sku: str
    product_type: str
    channel: str | None
    """The fulfilment channel code: DEFAULT (the seller ships) or AMAZON_* (fulfilled by Amazon)."""


async def look_up(
    connection: Connection, marketplace_id: str, skus: Sequence[str], advance: Callable[[int], None]
) -> dict[str, Listed]:
    """The seller's listings among ``skus`` (searchListingsItems, 20 SKUs a call); a SKU missing from the
    answer has no listing."""
    seller = seller_id(connection)
    batches = [list(skus[i : i + SEARCH_BATCH]) for i in range(0, len(skus), SEARCH_BATCH)]

    async def search(batch: list[str]) -> list[Listed]:
        answer = await connection.acall(
            SEARCH,
            sellerId=seller,
            marketplaceIds=[marketplace_id],
            identifiers=batch,
            identifiersType="SKU",
            includedData=["summaries", "fulfillmentAvailability"],
            pageSize=SEARCH_BATCH,
            paginate=False,
        )
        advance(len(batch))
        return [_listed(item, marketplace_id) for item in answer.records() if isinstance(item, Mapping)]

    found = await gather_limited(batches, search)
    wanted = set(skus)
    return {listed.sku: listed for batch in found for listed in batch if listed.sku in wanted}


def _listed(item: Mapping[str, Any], marketplace_id: str) -> Listed:
    summaries = [s for s in item.get("summaries") or [] if isinstance(s, Mapping)]
    summary = next(
        (s for s in summaries if s.get("marketplaceId") == marketplace_id), summaries[0] if summaries else {}
    )
    channels = [
        a.get("fulfillmentChannelCode")
        for a in item.get("fulfillmentAvailability") or []
        if isinstance(a, Mapping)
    ]
    return Listed(
        str(item.get("sku")), str(summary.get("productType") or "PRODUCT"), channels[0] if channels else None
    )
