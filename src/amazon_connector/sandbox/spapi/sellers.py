"""Sellers API v1: the marketplaces the authorising seller participates in."""

from __future__ import annotations

from starlette.responses import Response

from amazon_connector.api.schemas import (
    GetMarketplaceParticipationsResponse,
    Marketplace,
    MarketplaceParticipation,
    Participation,
)
from amazon_connector.marketplaces import Marketplace as MarketplaceInfo
from amazon_connector.sandbox.answers import answer
from amazon_connector.sandbox.spapi.call import Call, Handler
from amazon_connector.sandbox.world import Seller


def participation(seller: Seller, marketplace: MarketplaceInfo) -> MarketplaceParticipation:
    """The seller's participation in one marketplace, as the Sellers API describes it."""
    return MarketplaceParticipation(
        marketplace=Marketplace(
            id=marketplace.marketplace_id,
            name=marketplace.name,
            countryCode=marketplace.iso_country,
            defaultCurrencyCode=marketplace.currency,
            defaultLanguageCode=marketplace.language,
            domainName=marketplace.domain,
        ),
        participation=Participation(isParticipating=True, hasSuspendedListings=False),
        storeName=seller.store_name,
    )


async def get_marketplace_participations(call: Call) -> Response:
    seller = call.identity.authorising_seller
    payload = [participation(seller, m) for m in seller.marketplaces()]
    return answer(GetMarketplaceParticipationsResponse(payload=payload))


HANDLERS: dict[str, Handler] = {"sellers/v1/getMarketplaceParticipations": get_marketplace_participations}
